// A second web process beside the one `npm start` runs for the e2e tests: the same database,
// Temporal, encryption key and data folder, on a port of its own. Browsers on it and on the first
// one reach each other only through Postgres (the Socket.IO adapter), as behind a load balancer.
//
// Started here rather than by `npm start`, so a test can stop it and start it again on the same
// port (a web process restarted under a page). Its environment is what scripts/start.ts gives its
// own web process, read back from the data folder that start wrote.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { demoRepositoryPaths } from '../../../scripts/demo-data.ts';
import { freePort } from '../../../scripts/engines/ports.ts';
import { embeddedPostgresUrl } from '../../../scripts/engines/postgres.ts';
import { stopChild } from '../../../scripts/engines/processes.ts';
import { e2eSystemEnv } from './system-env.ts';

const root = path.resolve(import.meta.dirname, '../../..');

export interface SecondWeb {
	/** Where browsers reach it: `http://localhost:<its port>`. */
	url: string;
	/** Stops it as a service manager would (SIGTERM): its pages lose their live connection. */
	stop(): Promise<void>;
	/** Starts it again on the same port; resolves once it is ready. */
	start(): Promise<void>;
}

/** The environment `npm start` gives its web process, but for the port. */
function webEnvironment(dataDir: string, port: number): NodeJS.ProcessEnv {
	// The embedded Temporal dev server's ports, as scripts/engines/temporal.ts remembers them.
	const temporal = JSON.parse(readFileSync(path.join(dataDir, 'temporal', 'ports.json'), 'utf8')) as { port: number; uiPort: number };
	return {
		...process.env,
		...e2eSystemEnv,
		DATABASE_URL: embeddedPostgresUrl(dataDir),
		TEMPORAL_ADDRESS: `127.0.0.1:${temporal.port}`,
		TEMPORAL_UI_URL: `http://localhost:${temporal.uiPort}`,
		// The development key start.ts generated into the data folder (scripts/secret-key.ts).
		TRIBUTARY_SECRET_KEY: readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim(),
		TRIBUTARY_GIT_LOCAL_REPOS: demoRepositoryPaths(root, dataDir).join(path.delimiter),
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1/32',
		TRIBUTARY_DATA_DIR: dataDir,
		PORT: String(port),
		NODE_ENV: 'production'
	};
}

async function startSecondWeb(dataDir: string): Promise<SecondWeb> {
	const port = await freePort();
	const logFile = path.join(dataDir, 'logs', 'second-web.log');
	mkdirSync(path.dirname(logFile), { recursive: true });
	let child: ChildProcess | undefined;

	async function start(): Promise<void> {
		if (child) return;
		const started = fork(path.join(root, 'web/index.ts'), [], { env: webEnvironment(dataDir, port), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
		const log = createWriteStream(logFile, { flags: 'a' });
		started.stdout!.pipe(log);
		started.stderr!.pipe(log);
		await new Promise<void>((resolve, reject) => {
			started.on('message', (message: { type?: string }) => message?.type === 'ready' && resolve());
			started.once('exit', (code, signal) => reject(new Error(`The second web process stopped while starting (${signal ?? `exit ${code}`}); see ${logFile}.`)));
		});
		child = started;
	}

	await start();
	return {
		url: `http://localhost:${port}`,
		async stop() {
			if (child) await stopChild(child, 'SIGTERM', 15_000);
			child = undefined;
		},
		start
	};
}

/**
 * Playwright's `test` with `secondWeb`: one second web process for the whole test worker, started
 * by the first test that asks for it. (It ends with the worker, or sooner with its IPC channel.)
 */
export const test = base.extend<object, { secondWeb: SecondWeb }>({
	secondWeb: [
		// Playwright reads a fixture's needs from its first parameter, which must be a pattern.
		// eslint-disable-next-line no-empty-pattern
		async ({}, use) => {
			const web = await startSecondWeb(process.env.TRIBUTARY_E2E_DATA_DIR!);
			await use(web);
			await web.stop();
		},
		{ scope: 'worker' }
	]
});

export { expect } from '@playwright/test';
