// The only place that starts git. Never through a shell, never prompting, never reading the
// user's or the system's git configuration, and never with a credential on its command line
// (anyone on the machine can read that with `ps`) or in an error message.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Settings } from '#core/config.ts';
import { classifyGitError, GitError, unclassifiedFailure } from './git-errors.ts';
import { launch, LaunchError, type LaunchedProcess } from './launcher.ts';
import { trackGit } from './processes.ts';
import { parseGitProgress, type GitProgress } from './progress.ts';

export { classifyGitError, GitError, isPermanentGitFailure, type GitErrorKind, type GitFailure } from './git-errors.ts';

export type GitCredentials =
	| { method: 'none' }
	/** `caCertificate`: the PEM of a CA a self-hosted server's certificate is signed by (not a secret). */
	| { method: 'https-token'; username: string; token: string; caCertificate?: string }
	| { method: 'ssh-key'; privateKey: string };

export type GitSettings = Pick<Settings, 'gitAllowedSchemes' | 'gitMirrorDir'> & Partial<Pick<Settings, 'gitLocalRepositories' | 'gitPrivateNetworks'>>;

/** The address a remote's host was checked at (remote.ts): git connects there and nowhere else. */
export interface ConnectTo {
	scheme: 'https' | 'http' | 'ssh';
	host: string;
	port: number;
	address: string;
}

export interface GitCommandOptions {
	settings: GitSettings;
	/** Kill git, and everything it started, after this long. */
	timeoutMs: number;
	/** For commands that talk to a server. */
	credentials?: GitCredentials;
	/** The repository to work in (a mirror); commands without one run in an empty folder. */
	gitDir?: string;
	/** Written to git's standard input, then closed (for `--stdin`). */
	stdin?: string;
	/**
	 * Classify failures as server problems (auth, DNS, not found…). Off for commands on the local
	 * mirror, whose failures are Tributary's own and must not read as "repository not found".
	 */
	remote?: boolean;
	/** For a remote named by host: the address checked for it (see remote.ts). */
	connectTo?: ConnectTo;
	/** Stops git, and everything it started, when aborted (a cancelled or timed-out activity). */
	signal?: AbortSignal;
	/** Hears the progress git reports (for commands given `--progress`). */
	onProgress?: (progress: GitProgress) => void;
	/** For runGit: the most output it keeps in memory before it stops git (default 64 MiB). */
	maxOutputBytes?: number;
}

export interface GitProcess {
	stdout: Readable;
	/** Resolves when git exits successfully; rejects with a GitError otherwise, timeouts included. */
	done: Promise<void>;
	/** Stops git and its children (when the reader gives up early). */
	kill(): void;
}

// Variables git, ssh and curl may legitimately need from the worker's environment; everything
// else (GIT_DIR, GIT_SSH, SSH_AUTH_SOCK, the user's HOME…) stays out.
const inheritedVariables = [
	'PATH',
	'TMPDIR',
	'http_proxy',
	'https_proxy',
	'HTTP_PROXY',
	'HTTPS_PROXY',
	'all_proxy',
	'ALL_PROXY',
	'no_proxy',
	'NO_PROXY',
	'SSL_CERT_FILE',
	'SSL_CERT_DIR',
	'GIT_SSL_CAINFO',
	'GIT_SSL_CAPATH'
];

const protocolsBySchemes: Record<string, string> = { https: 'https', http: 'http', ssh: 'ssh', git: 'git', file: 'file' };
const stderrLimit = 64 * 1024;
const defaultMaxOutputBytes = 64 * 1024 * 1024;

/** Refuses what git could read as an option, or what would break a line-based protocol. */
export function assertSafeArgument(value: string, what: string): void {
	if (value.startsWith('-')) throw new GitError({ kind: 'other', permanent: true, message: `The ${what} “${value}” starts with “-”, which git would read as an option.` });
	// eslint-disable-next-line no-control-regex
	if (/[\u0000\n\r]/.test(value)) throw new GitError({ kind: 'other', permanent: true, message: `The ${what} contains a line break or a NUL character.` });
}

/** Wraps a path for the shell git runs GIT_SSH_COMMAND through. */
function shellQuote(value: string): string {
	return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Made every time (one cheap call): someone may have emptied the mirror folder meanwhile. */
function privateDirectory(dir: string): string {
	mkdirSync(dir, { recursive: true, mode: 0o700 });
	return dir;
}

/** Where SSH private keys wait, each only while its git runs. */
export function sshKeyFolder(settings: GitSettings): string {
	return path.join(settings.gitMirrorDir, '.keys');
}

interface CredentialSetup {
	env: Record<string, string>;
	secrets: string[];
	cleanup(): Promise<void>;
}

/** Options that keep ssh on the checked address, under the host's own name for its host key. */
function sshPinning(connectTo: ConnectTo | undefined): string[] {
	if (connectTo?.scheme !== 'ssh') return [];
	const knownAs = connectTo.port === 22 ? connectTo.host : `[${connectTo.host}]:${connectTo.port}`;
	return [`-o HostName=${shellQuote(connectTo.address)}`, `-o HostKeyAlias=${shellQuote(knownAs)}`];
}

/** Options that keep curl on the checked address (TLS still checks the host's own name). */
function httpPinning(connectTo: ConnectTo | undefined): string[] {
	if (connectTo?.scheme !== 'https' && connectTo?.scheme !== 'http') return [];
	const address = connectTo.address.includes(':') ? `[${connectTo.address}]` : connectTo.address;
	return ['-c', `http.curloptResolve=${connectTo.host}:${connectTo.port}:${address}`];
}

async function prepareCredentials(credentials: GitCredentials, settings: GitSettings, connectTo?: ConnectTo): Promise<CredentialSetup> {
	const sshOptions = [
		...sshPinning(connectTo),
		'-F /dev/null', // no ~/.ssh/config of the worker's user
		'-o BatchMode=yes',
		'-o StrictHostKeyChecking=accept-new',
		`-o UserKnownHostsFile=${shellQuote(path.join(settings.gitMirrorDir, 'known_hosts'))}`,
		'-o ConnectTimeout=15',
		// The worker's own keys and agent must never open other people's repositories.
		'-o IdentityAgent=none',
		'-o IdentitiesOnly=yes'
	];
	const none: CredentialSetup = { env: { GIT_SSH_COMMAND: `ssh ${sshOptions.join(' ')} -o PubkeyAuthentication=no` }, secrets: [], cleanup: async () => {} };

	if (credentials.method === 'https-token') {
		const pair = `${credentials.username}:${credentials.token}`;
		const encoded = Buffer.from(pair, 'utf8').toString('base64');
		const env: Record<string, string> = {
			...none.env,
			GIT_CONFIG_COUNT: '1',
			GIT_CONFIG_KEY_0: 'http.extraHeader',
			GIT_CONFIG_VALUE_0: `Authorization: Basic ${encoded}`
		};
		if (!credentials.caCertificate) return { env, secrets: [credentials.token, encoded, pair], cleanup: none.cleanup };
		// A self-hosted server's own CA, for this git only: a 0600 file named like the keys, so a
		// killed process's is removed at the next start (ssh-keys.ts) like theirs.
		const caFile = path.join(privateDirectory(sshKeyFolder(settings)), `key-${process.pid}-${randomBytes(12).toString('hex')}.ca.pem`);
		await writeFile(caFile, credentials.caCertificate, { mode: 0o600, flag: 'wx' });
		return {
			// GIT_SSL_CAINFO, not `-c http.sslCAInfo`: git 2.39 with GnuTLS ignored the latter.
			env: { ...env, GIT_SSL_CAINFO: caFile },
			secrets: [credentials.token, encoded, pair],
			cleanup: () => rm(caFile, { force: true })
		};
	}

	if (credentials.method === 'ssh-key') {
		const keyDir = privateDirectory(sshKeyFolder(settings));
		// Named by this process, so a later start can tell the keys of a killed one (ssh-keys.ts).
		const keyFile = path.join(keyDir, `key-${process.pid}-${randomBytes(12).toString('hex')}`);
		// ssh rejects a key without its final newline, and pasted keys often have CRLF.
		const key = credentials.privateKey.replace(/\r\n?/g, '\n').trim() + '\n';
		await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' });
		const keyLines = key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
		return {
			env: { GIT_SSH_COMMAND: `ssh ${sshOptions.join(' ')} -i ${shellQuote(keyFile)}` },
			secrets: keyLines,
			cleanup: () => rm(keyFile, { force: true })
		};
	}

	return none;
}

/** Removes every credential from text git produced, whatever path it took to get there. */
export function redact(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret.length >= 4) result = result.replaceAll(secret, '***');
	}
	return result.replace(/(authorization:\s*)[^\n]*/gi, '$1***').replace(/(:\/\/[^/@\s:]*):[^/@\s]*@/g, '$1:***@');
}

function gitEnvironment(settings: GitSettings, gitDir: string | undefined, home: string): Record<string, string> {
	const env: Record<string, string> = {};
	for (const name of inheritedVariables) {
		const value = process.env[name];
		if (value !== undefined) env[name] = value;
	}
	const protocols = settings.gitAllowedSchemes.map((s) => protocolsBySchemes[s]).filter((p): p is string => Boolean(p));
	Object.assign(env, {
		HOME: home,
		XDG_CONFIG_HOME: path.join(home, '.config'),
		GIT_CONFIG_NOSYSTEM: '1',
		GIT_CONFIG_GLOBAL: '/dev/null',
		GIT_TERMINAL_PROMPT: '0',
		GIT_ASKPASS: '',
		SSH_ASKPASS: '',
		// Nothing outside the allowed schemes, and never ext:: or fd:: helpers.
		GIT_ALLOW_PROTOCOL: protocols.join(':') || 'none',
		// Commands without a repository must not discover one above the mirror folder.
		GIT_CEILING_DIRECTORIES: settings.gitMirrorDir,
		LC_ALL: 'C',
		LANG: 'C',
		// Into a pipe git would otherwise flush after every commit: thousands of tiny writes.
		GIT_FLUSH: '0'
	});
	if (gitDir) env.GIT_DIR = gitDir;
	return env;
}

/** Starts git and hands back its output as a stream, for commands whose output is large. */
export async function startGit(args: string[], options: GitCommandOptions): Promise<GitProcess> {
	const { settings, signal } = options;
	// A stopped attempt starts nothing new on the mirror it gave up.
	if (signal?.aborted) throw stoppedBy(signal);
	const home = privateDirectory(path.join(settings.gitMirrorDir, '.home'));
	const credentials = await prepareCredentials(options.credentials ?? { method: 'none' }, settings, options.connectTo);
	const env = { ...gitEnvironment(settings, options.gitDir, home), ...credentials.env };
	const configArgs = [
		'-c',
		'core.askPass=',
		'-c',
		'credential.helper=',
		'-c',
		'gc.autoDetach=false',
		'-c',
		'maintenance.autoDetach=false',
		// A redirect would take the token, and the request, to wherever the server says; git would
		// also keep using the new host for the rest of the command.
		'-c',
		'http.followRedirects=false',
		...httpPinning(options.connectTo)
	];

	// Started by the launcher (launcher.ts): in its own process group, so a timeout also stops ssh,
	// git-remote-https and upload-pack.
	let child: LaunchedProcess;
	try {
		child = await launch('git', [...configArgs, ...args], { env, cwd: home, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
	} catch (error) {
		await credentials.cleanup();
		const code = error instanceof LaunchError ? error.code : null;
		const message =
			code === 'ENOENT'
				? 'git is not installed on the Tributary worker (or not on its PATH): install git 2.30 or newer.'
				: `git could not be started: ${(error as Error).message}`;
		throw new GitError({ kind: 'other', permanent: false, message });
	}
	const forget = trackGit(child.pid, settings.gitMirrorDir, options.gitDir);

	let stderr = '';
	let partialLine = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => {
		// Progress lines end in \r (redrawn) or \n; they go to onProgress, the rest is kept for errors.
		const lines = (partialLine + chunk).split(/[\r\n]/);
		partialLine = lines.pop()!.slice(-stderrLimit);
		let kept = '';
		for (const line of lines) {
			const progress = options.onProgress ? parseGitProgress(line) : null;
			if (progress) options.onProgress!(progress);
			else if (line) kept += line + '\n';
		}
		// Only the end is kept (where git says what failed); trimmed now and then, not every line.
		stderr += kept;
		if (stderr.length > 2 * stderrLimit) stderr = stderr.slice(-stderrLimit);
	});

	let stoppedBecause: 'timeout' | 'signal' | null = null;
	const killGroup = (signal: NodeJS.Signals) => {
		if (child.exited) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			// Already gone.
		}
	};
	const timer = setTimeout(() => {
		stoppedBecause = 'timeout';
		killGroup('SIGKILL');
	}, options.timeoutMs);
	const onAbort = () => {
		stoppedBecause ??= 'signal';
		killGroup('SIGKILL');
	};
	signal?.addEventListener('abort', onAbort, { once: true });
	const settle = () => {
		clearTimeout(timer);
		signal?.removeEventListener('abort', onAbort);
		forget();
	};

	// A stop asked for while git was starting applies to it too.
	if (signal?.aborted) onAbort();

	const done = child.closed.then((code) => {
		settle();
		return credentials.cleanup().then(() => {
			if (code === 0) return;
			const safeStderr = redact((stderr + partialLine).slice(-stderrLimit), credentials.secrets);
			if (stoppedBecause === 'signal') throw stoppedBy(signal!);
			if (stoppedBecause === 'timeout') {
				const seconds = Math.round(options.timeoutMs / 1000);
				const advice = options.remote ? 'check that the server is reachable from the worker, then try again' : 'the repository may be too large for this limit';
				const message = `Git did not finish within ${seconds} s and was stopped: ${advice}.`;
				throw new GitError({ kind: 'timed-out', permanent: false, message }, safeStderr, code);
			}
			const sentCredentials = (options.credentials?.method ?? 'none') !== 'none';
			const failure = options.remote ? classifyGitError(safeStderr, code, sentCredentials) : unclassifiedFailure(safeStderr, code);
			throw new GitError(failure, safeStderr, code);
		});
	});
	// Callers that stop reading early still await `done`; never let it surface as unhandled.
	done.catch(() => {});

	return { stdout: child.stdout, done, kill: () => killGroup('SIGKILL') };
}

/** Why git was stopped on request: the abort's own reason when it is an error, else a plain one. */
function stoppedBy(signal: AbortSignal): Error {
	return signal.reason instanceof Error ? signal.reason : new GitError({ kind: 'other', permanent: false, message: 'Git was stopped: the work it was doing was cancelled.' });
}

/**
 * Runs git to completion and returns what it printed (for commands with small output). Output
 * beyond `maxOutputBytes` stops git: a hostile repository cannot make a process hold gigabytes.
 */
export async function runGit(args: string[], options: GitCommandOptions): Promise<string> {
	return (await runGitForBytes(args, options)).toString('utf8');
}

/** As runGit, for output that may not be valid UTF-8 (ref names are bytes to git). */
export async function runGitForBytes(args: string[], options: GitCommandOptions): Promise<Buffer> {
	const git = await startGit(args, options);
	const limit = options.maxOutputBytes ?? defaultMaxOutputBytes;
	const chunks: Buffer[] = [];
	let size = 0;
	git.stdout.on('data', (chunk: Buffer) => {
		size += chunk.length;
		if (size > limit) return git.kill();
		chunks.push(chunk);
	});
	try {
		await git.done;
	} catch (error) {
		if (size > limit) throw outputTooLarge(limit);
		throw error;
	}
	if (size > limit) throw outputTooLarge(limit);
	return Buffer.concat(chunks);
}

export function outputTooLarge(limit: number): GitError {
	const megabytes = Math.round(limit / (1024 * 1024));
	return new GitError({
		kind: 'too-large',
		permanent: true,
		message: `The repository is too large to read: git's answer exceeded ${megabytes} MiB (for example, far too many branches and tags).`
	});
}
