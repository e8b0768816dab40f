// A whole Tributary for one test file: its own database (from the migrated template), its own
// Temporal task queue, and real worker and web processes started from their real entry points.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'devalue';
import { io as connect, type Socket } from 'socket.io-client';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { findSignedInUser } from '../../src/lib/server/accounts/signed-in-user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { getOperation } from '#core/operations/queries.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#core/domain/realtime/events.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { freePort } from '../../scripts/engines/ports.ts';
import { generateSecretKey } from '#core/crypto/credentials.ts';
import { stopChild } from '../../scripts/engines/processes.ts';
import { seedDemo, type DemoSignIn } from '../../scripts/demo-data.ts';
import { createDatabase, databaseUrl, dropDatabase } from './engines.ts';

const root = path.resolve(import.meta.dirname, '../..');

export interface RunningProcess {
	child: ChildProcess;
	pid: number;
	output(): string;
	stop(): Promise<void>;
}

export interface RunningWeb extends RunningProcess {
	port: number;
	url: string;
}

export interface TestSystem {
	env: NodeJS.ProcessEnv;
	database: DatabaseHandle;
	/** The demo organisations and users, with their passwords. */
	seedDemo(): Promise<DemoSignIn[]>;
	/** `extraEnv`: for this worker only (a `PATH` with a git that holds or logs its commands). */
	startWorker(extraEnv?: NodeJS.ProcessEnv): Promise<RunningProcess>;
	startWeb(extraEnv?: NodeJS.ProcessEnv): Promise<RunningWeb>;
	stop(): Promise<void>;
}

export interface EngineAddresses {
	postgresUrl: string;
	templateDatabase: string;
	temporalAddress: string;
}

/** For Vitest files: the engines the global setup started. (Benchmarks call createSystem.) */
export async function createTestSystem(overrides: NodeJS.ProcessEnv = {}): Promise<TestSystem> {
	const { inject } = await import('vitest');
	return createSystem(
		{ postgresUrl: inject('postgresUrl'), templateDatabase: inject('templateDatabase'), temporalAddress: inject('temporalAddress') },
		overrides
	);
}

export async function createSystem(engines: EngineAddresses, overrides: NodeJS.ProcessEnv = {}): Promise<TestSystem> {
	const id = crypto.randomUUID().slice(0, 8);
	const postgresUrl = engines.postgresUrl;
	const name = `tributary_test_${id}`;
	await createDatabase(postgresUrl, name, engines.templateDatabase);
	const url = databaseUrl(postgresUrl, name);
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-system-'));
	const env: NodeJS.ProcessEnv = {
		...process.env,
		DATABASE_URL: url,
		TEMPORAL_ADDRESS: engines.temporalAddress,
		TEMPORAL_TASK_QUEUE: `test-${id}`,
		TRIBUTARY_DATA_DIR: dataDir,
		LOG_LEVEL: 'warn',
		NODE_ENV: 'production',
		TRIBUTARY_SECRET_KEY: generateSecretKey(),
		// The server's own rules: https and ssh only. A file that adds local repositories says so.
		TRIBUTARY_GIT_SCHEMES: 'https,ssh',
		TRIBUTARY_GIT_MIRRORS: path.join(dataDir, 'git'),
		...overrides
	};
	// Tests also call server modules in this process: they read the same settings.
	const shared = [
		'TRIBUTARY_SECRET_KEY',
		'TRIBUTARY_GIT_SCHEMES',
		'TRIBUTARY_GIT_LOCAL_REPOS',
		'TRIBUTARY_GIT_PRIVATE_NETWORKS',
		'TRIBUTARY_GIT_MIRRORS',
		'TRIBUTARY_URL_TESTS_PER_MINUTE',
		'TRIBUTARY_DATA_DIR'
	] as const;
	for (const key of shared) {
		if (env[key] === undefined) delete process.env[key];
		else process.env[key] = env[key];
	}
	const database = connectDatabase(url, { max: 4, name: 'tributary-test' });
	const running = new Set<RunningProcess>();

	async function launch(file: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningProcess> {
		const child = fork(path.join(root, file), [], {
			env: { ...env, ...extraEnv },
			stdio: ['ignore', 'pipe', 'pipe', 'ipc']
		});
		let output = '';
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		await new Promise<void>((resolve, reject) => {
			child.on('message', (message: { type?: string }) => message?.type === 'ready' && resolve());
			child.once('exit', (code, signal) => reject(new Error(`${file} exited while starting (${signal ?? code}):\n${output}`)));
		});
		const handle: RunningProcess = {
			child,
			pid: child.pid!,
			output: () => output,
			stop: async () => {
				running.delete(handle);
				await stopChild(child, 'SIGTERM', 10_000);
			}
		};
		running.add(handle);
		return handle;
	}

	return {
		env,
		database,
		seedDemo: () => seedDemo(database.db),
		startWorker: (extraEnv = {}) => launch('worker/index.ts', extraEnv),
		async startWeb(extraEnv = {}) {
			// A given PORT starts a web process where an earlier one stood (a restart).
			const port = extraEnv.PORT ? Number(extraEnv.PORT) : await freePort();
			const handle = await launch('web/index.ts', { HOST: '127.0.0.1', ...extraEnv, PORT: String(port) });
			return { ...handle, port, url: `http://127.0.0.1:${port}` };
		},
		async stop() {
			await Promise.all([...running].map((p) => p.stop()));
			await database.close();
			await dropDatabase(postgresUrl, name);
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** Submits a form action the way the browser's enhanced form does, from the page's own origin. */
export interface ActionResult {
	status: number;
	type: string;
	data: Record<string, unknown> | undefined;
	/** The message of an error result (401, 403, 500…). */
	error?: string;
}

/**
 * Submits a form action the way the browser's enhanced form does, from the page's own origin,
 * as whoever `cookie` signs in (or nobody).
 */
export async function submitAction(
	baseUrl: string,
	pathAndAction: string,
	fields: Record<string, string | readonly string[]> = {},
	cookie?: string,
	headers: Record<string, string> = {}
): Promise<ActionResult> {
	// A list is a field sent once per value, as checkboxes of the same name are.
	const form = new URLSearchParams(Object.entries(fields).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : value.map((v) => [name, v]))));
	const response = await fetch(baseUrl + pathAndAction, {
		method: 'POST',
		headers: { origin: baseUrl, accept: 'application/json', 'x-sveltekit-action': 'true', ...(cookie ? { cookie } : {}), ...headers },
		body: form,
		redirect: 'manual'
	});
	const text = await response.text();
	let body: { type?: string; status?: number; data?: string; error?: { message?: string }; message?: string };
	try {
		body = JSON.parse(text);
	} catch {
		return { status: response.status, type: 'unparsable', data: undefined, error: text.slice(0, 200) };
	}
	return {
		status: body.status ?? response.status,
		type: body.type ?? 'error',
		data: body.data ? parse(body.data) : undefined,
		error: body.error?.message ?? body.message
	};
}

/** Signs in through the real sign-in form; returns the Cookie header to send as that user. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
	const response = await fetch(`${baseUrl}/sign-in`, {
		method: 'POST',
		headers: { origin: baseUrl, accept: 'application/json', 'x-sveltekit-action': 'true' },
		body: new URLSearchParams({ email, password }),
		redirect: 'manual'
	});
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tributary_session='));
	if (!cookie) throw new Error(`Signing in as ${email} failed (${response.status}): ${await response.text()}`);
	return cookie.split(';')[0]!;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await probe();
		if (value) return value;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** The operation as stored once it has ended, whichever way. */
export function waitForOperationEnd(system: Pick<TestSystem, 'database'>, id: string, timeoutMs = 120_000): Promise<Operation> {
	return waitFor(
		`operation ${id} to end`,
		async () => {
			const op = await getOperation(system.database.db, id);
			return op && op.state !== 'running' ? op : undefined;
		},
		timeoutMs
	);
}

export function demoUser(signIns: DemoSignIn[], email: string): DemoSignIn {
	const found = signIns.find((s) => s.email === email);
	if (!found) throw new Error(`No demo user ${email}`);
	return found;
}

/**
 * A browser-like Socket.IO client, signed in by `cookie` (or not), on a page of `origin` (the
 * app's own unless told). Resolves once connected.
 */
export function connectSocket(baseUrl: string, cookie?: string, origin: string | null = baseUrl): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
	const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(baseUrl, {
		transports: ['websocket'],
		extraHeaders: { ...(origin ? { origin } : {}), ...(cookie ? { cookie } : {}) },
		reconnection: false
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (error) => {
			socket.close();
			reject(error);
		});
	});
}

/** A demo user as a signed-in request would see them (what the operation starters take). */
export async function signedInUser(system: Pick<TestSystem, 'database'>, email: string): Promise<SignedInUser> {
	const user = await findSignedInUser(system.database.db, email);
	if (!user) throw new Error(`No active user ${email}`);
	return user;
}

/**
 * A page's HTML as whoever `cookie` signs in sees it, once it is sure to be that page: answered
 * 200 with the expected title. (A test that looks for what a page must not contain is worthless
 * on a redirect or an error page.)
 */
export async function readPage(baseUrl: string, path: string, cookie: string | undefined, title: string): Promise<string> {
	const response = await fetch(baseUrl + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
	const html = await response.text();
	if (response.status !== 200) throw new Error(`${path} answered ${response.status}, not the page: ${html.slice(0, 300)}`);
	const shown = /<title>([^<]*)<\/title>/.exec(html)?.[1];
	if (shown !== title) throw new Error(`${path} is “${shown}”, not “${title}”`);
	return html;
}

/** An operation as the worker would broadcast it when it starts: for tests of who hears what. */
export function runningOperation(fields: Pick<Operation, 'organizationId' | 'kind'> & Partial<Operation>): Operation {
	return {
		id: crypto.randomUUID(),
		scope: 'system',
		state: 'running',
		stages: [],
		currentItem: null,
		startedBy: null,
		startedAt: new Date().toISOString(),
		endedAt: null,
		error: null,
		result: null,
		workflowId: fields.kind,
		revision: 1,
		subjectLabel: null,
		cancelledBy: null,
		retries: 0,
		restarts: 0,
		...fields
	};
}

/** Waits for the newest operation of `kind` on an integration to end, and answers how it ended. */
export async function latestOperationEnd(system: Pick<TestSystem, 'database'>, integrationId: string, kind: string, timeoutMs = 180_000) {
	const row = await system.database.db
		.selectFrom('operations')
		.select('id')
		.where('scope', '=', `integration:${integrationId}`)
		.where('kind', '=', kind)
		.orderBy('started_at', 'desc')
		.executeTakeFirstOrThrow();
	return waitForOperationEnd(system, row.id, timeoutMs);
}

/** The activities a workflow scheduled, in order, from its Temporal history. */
export async function activitiesOf(system: Pick<TestSystem, 'env'>, workflowId: string): Promise<string[]> {
	const connection = await Connection.connect({ address: system.env.TEMPORAL_ADDRESS! });
	try {
		const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
		return (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
	} finally {
		await connection.close();
	}
}
