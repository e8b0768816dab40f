// The Temporal dev server (`temporal server start-dev`), used when TEMPORAL_ADDRESS is unset.
// The CLI is found in this order: TEMPORAL_CLI_PATH; `temporal` on PATH; our cached build; a Go
// build into that cache (minutes, once); else the SDK's own download (needs internet).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { choosePort } from './ports.ts';
import { run, stopChild, stopLeftover, writePidFile } from './processes.ts';

export const temporalCliVersion = 'v1.5.1';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tributary');
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(cacheDir(env), 'temporal', temporalCliVersion, 'temporal');
}

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

function onPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
	for (const dir of searchPath.split(path.delimiter)) {
		const candidate = path.join(dir, name);
		if (dir && executable(candidate)) return candidate;
	}
	return undefined;
}

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go build';

/** Where the CLI is, without building anything; undefined when it must be built or downloaded. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): { path: string; source: CliSource } | undefined {
	if (env.TEMPORAL_CLI_PATH) {
		if (!executable(env.TEMPORAL_CLI_PATH)) throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file.`);
		return { path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' };
	}
	const fromPath = onPath('temporal', env.PATH ?? '');
	if (fromPath) return { path: fromPath, source: 'PATH' };
	if (executable(cachedCliPath(env))) return { path: cachedCliPath(env), source: 'cache' };
	return undefined;
}

/** Builds the CLI with Go into the cache. Later tags carry a `replace` directive `go install` refuses. */
export async function buildTemporalCli(say: (line: string) => void): Promise<string | undefined> {
	const go = onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
	if (!go) return undefined;
	say(`building the Temporal dev server, one time, about 3 minutes (go install temporal@${temporalCliVersion})`);
	const target = path.dirname(cachedCliPath());
	mkdirSync(target, { recursive: true });
	await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`], {
		env: { ...process.env, GOBIN: target }
	});
	say(`Temporal CLI built: ${cachedCliPath()}`);
	return cachedCliPath();
}

export interface RunningTemporal {
	address: string;
	uiUrl: string | undefined;
	stop(): Promise<void>;
}

export async function startTemporalDevServer(stateDir: string, say: (line: string) => void): Promise<RunningTemporal> {
	const home = path.join(stateDir, 'temporal');
	mkdirSync(home, { recursive: true });
	const cli = findTemporalCli()?.path ?? (await buildTemporalCli(say));
	if (!cli) return startWithSdkDownload(home, say);

	const pidFile = path.join(home, 'server.pid');
	await stopLeftover(pidFile);
	const portsFile = path.join(home, 'ports.json');
	const remembered = existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, 'utf8')) as Record<string, number>) : {};
	const port = await choosePort(remembered.port, 7233);
	const uiPort = await choosePort(remembered.uiPort, 8233);
	const httpPort = await choosePort(remembered.httpPort, 7243);
	const metricsPort = await choosePort(remembered.metricsPort, 7253);
	writeFileSync(portsFile, JSON.stringify({ port, uiPort, httpPort, metricsPort }));

	const logFd = openSync(path.join(home, 'server.log'), 'a');
	const server = spawn(
		cli,
		[
			'server', 'start-dev',
			'--db-filename', path.join(home, 'temporal.db'),
			'--ip', '127.0.0.1',
			'--port', String(port),
			'--ui-port', String(uiPort),
			'--http-port', String(httpPort),
			'--metrics-port', String(metricsPort),
			'--log-level', 'warn',
			// Every workflow step is a write to this file. Written ahead and synced lazily, a step
			// costs ~5 ms less (two to four per operation), and a killed server loses nothing
			// (tests/integration/temporal-restart.test.ts); only a crash of the machine could lose
			// its last moments.
			'--sqlite-pragma', 'journal_mode=wal',
			'--sqlite-pragma', 'synchronous=normal',
			// An activity a workflow task schedules starts on the worker that ran the task, in the
			// task's reply, instead of waiting for that worker's next poll.
			'--dynamic-config-value', 'system.enableActivityEagerExecution=true'
		],
		{ stdio: ['ignore', logFd, logFd], detached: true }
	);
	closeSync(logFd);
	writePidFile(pidFile, server.pid);
	const address = `127.0.0.1:${port}`;
	await waitForTemporal(address, server, path.join(home, 'server.log'));
	return {
		address,
		uiUrl: `http://localhost:${uiPort}`,
		stop: () => stopChild(server, 'SIGTERM', 15_000)
	};
}

async function waitForTemporal(address: string, server: ChildProcess, logFile: string): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (server.exitCode !== null) {
			const log = readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
			throw new Error(`The Temporal dev server stopped while starting. The end of ${logFile}:\n${log}`);
		}
		try {
			const connection = await Connection.connect({ address, connectTimeout: 1_000 });
			await connection.workflowService.getSystemInfo({});
			await connection.close();
			return;
		} catch {
			await new Promise((r) => setTimeout(r, 250));
		}
	}
	throw new Error(`The Temporal dev server did not answer on ${address} within 60 s; see ${logFile}.`);
}

/** Last resort on a machine with internet but neither the CLI nor Go: the SDK downloads it. */
async function startWithSdkDownload(home: string, say: (line: string) => void): Promise<RunningTemporal> {
	say('no Temporal CLI and no Go: downloading the Temporal dev server through @temporalio/testing');
	const { TestWorkflowEnvironment } = await import('@temporalio/testing');
	const env = await TestWorkflowEnvironment.createLocal({
		server: { dbFilename: path.join(home, 'temporal.db'), ip: '127.0.0.1' }
	});
	const address = env.address;
	return { address, uiUrl: undefined, stop: () => env.teardown() };
}
