// What went wrong with a git command, in words a person can act on. Git, ssh and curl each word
// the same failure differently; this maps their messages to a few kinds with one sentence each.

export type GitErrorKind =
	| 'authentication-failed'
	| 'repository-not-found'
	| 'host-not-found'
	| 'connection-refused'
	| 'tls-certificate'
	| 'timed-out'
	/** Git's answer was larger than Tributary reads into memory. */
	| 'too-large'
	| 'other';

export interface GitFailure {
	kind: GitErrorKind;
	message: string;
	/** Retrying cannot help: a person must change the URL, the credentials or the server. */
	permanent: boolean;
}

export class GitError extends Error {
	readonly kind: GitErrorKind;
	readonly permanent: boolean;
	/** Git's own words, with every credential removed. */
	readonly stderr: string;
	readonly exitCode: number | null;

	constructor(failure: GitFailure, stderr = '', exitCode: number | null = null) {
		super(failure.message);
		this.name = 'GitError';
		this.kind = failure.kind;
		this.permanent = failure.permanent;
		this.stderr = stderr;
		this.exitCode = exitCode;
	}
}

/** Bad credentials, a missing repository, a refused URL: failures only a person can fix. */
export function isPermanentGitFailure(error: unknown): boolean {
	return error instanceof GitError && error.permanent;
}

const credentialsRefused: GitFailure = {
	kind: 'authentication-failed',
	permanent: true,
	message: 'The server refused the credentials: check the username and token, and that the token can read this repository.'
};

const rules: Array<{ pattern: RegExp; failure: GitFailure }> = [
	{
		pattern: /load key|invalid format|error in libcrypto|bad permissions/,
		failure: {
			kind: 'authentication-failed',
			permanent: true,
			message:
				'The SSH private key could not be used: paste the whole key, including its BEGIN and END lines, and use a key without a passphrase.'
		}
	},
	{
		pattern: /host key verification failed|remote host identification has changed/,
		failure: {
			kind: 'other',
			permanent: true,
			message:
				"The server's SSH host key differs from the one Tributary saw before: if the server really changed, remove its line from known_hosts in the mirror folder; otherwise someone may be intercepting the connection."
		}
	},
	{
		pattern: /transport '[^']*' not allowed|unsupported protocol|protocol '[^']*' is not supported/,
		failure: {
			kind: 'other',
			permanent: true,
			message: 'This kind of URL is not allowed on this server: use an https:// or ssh:// address (TRIBUTARY_GIT_SCHEMES lists the allowed ones).'
		}
	},
	{
		// run-git.ts turns redirects off: a token must reach only the host the person typed.
		pattern: /returned error: 30[0-8]\b/,
		failure: {
			kind: 'other',
			permanent: true,
			message:
				"The server sends this address on to another one (an HTTP redirect), and Tributary follows no redirect, so that credentials reach only the server you named: enter the address the repository's Clone button shows (often ending in .git)."
		}
	},
	{
		// Said before "could not read from remote repository", which GitHub adds to both.
		pattern:
			/repository not found|does not appear to be a git repository|returned error: 404|no such repository|project you were looking for could not be found|repository '[^']*' (not found|does not exist)|not a git repository/,
		failure: {
			kind: 'repository-not-found',
			permanent: true,
			message:
				"The repository was not found: check the URL against the repository's Clone button. A private repository also looks missing when the credentials cannot read it."
		}
	},
	{
		pattern: /could not read username|could not read password|terminal prompts disabled/,
		failure: {
			kind: 'authentication-failed',
			permanent: true,
			message:
				'The server asks for credentials: choose “HTTPS username and token” (or an SSH key) and enter ones that can read this repository.'
		}
	},
	{
		pattern: /permission denied \(|permission denied, please try again|no supported authentication methods/,
		failure: {
			kind: 'authentication-failed',
			permanent: true,
			message:
				"The server refused the SSH key: register the key's public half with the server (as a deploy key or on a user that can read this repository), and check the user name in the URL (often git@)."
		}
	},
	{
		pattern: /authentication failed|http basic: access denied|returned error: 40[13]|invalid username or password|invalid credentials|access denied|unauthorized|forbidden/,
		failure: credentialsRefused
	},
	{
		pattern: /could not resolve host|could not resolve hostname|name or service not known|temporary failure in name resolution|no address associated with hostname|nodename nor servname/,
		failure: {
			kind: 'host-not-found',
			permanent: false,
			message: 'The server name could not be found (DNS): check the host in the URL, and that the Tributary worker can resolve it.'
		}
	},
	{
		pattern: /timed out|timeout|operation too slow/,
		failure: {
			kind: 'timed-out',
			permanent: false,
			message: 'The server did not answer in time: check that it is reachable from the Tributary worker, then try again.'
		}
	},
	{
		pattern: /connection refused|couldn't connect to server|failed to connect to|no route to host|network is unreachable|connection reset/,
		failure: {
			kind: 'connection-refused',
			permanent: false,
			message: 'The server refused the connection: check the host and port in the URL, and that no firewall stands between it and the Tributary worker.'
		}
	},
	{
		pattern: /certificate|ssl|gnutls|tls/,
		failure: {
			kind: 'tls-certificate',
			permanent: false,
			message:
				"The server's TLS certificate is not trusted (self-signed, expired, or from a private authority): fix the certificate, or give the worker the authority's certificate with SSL_CERT_FILE or GIT_SSL_CAINFO."
		}
	}
];

/**
 * Turns git's (already redacted) stderr and exit code into a kind and an actionable sentence.
 * With `sentCredentials`, a server still asking for credentials has in fact refused them.
 */
export function classifyGitError(stderr: string, code: number | null, sentCredentials = false): GitFailure {
	const text = stderr.toLowerCase();
	for (const rule of rules) {
		if (!rule.pattern.test(text)) continue;
		if (sentCredentials && rule.failure.kind === 'authentication-failed' && /could not read username|terminal prompts disabled/.test(text)) return credentialsRefused;
		return rule.failure;
	}
	return unclassifiedFailure(stderr, code);
}

/** A failure told in git's own last words (for commands on the local mirror, and the unknown). */
export function unclassifiedFailure(stderr: string, code: number | null): GitFailure {
	const lines = stderr
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	const last = lines.findLast((line) => /^(fatal|error):/i.test(line)) ?? lines.at(-1);
	return {
		kind: 'other',
		permanent: false,
		message: last ? `Git failed: ${last.replace(/^(fatal|error):\s*/i, '')}` : `Git failed (exit code ${code ?? 'unknown'}) without saying why.`
	};
}
