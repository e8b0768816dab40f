// Component health, as `/health` and the System page report it. Each check is bounded in time so
// a hung component reads as down instead of hanging the page.
import { sql } from 'kysely';
import { readSettings } from '#core/config.ts';
import { isListening } from '#core/realtime/server.ts';
import { database, realtime, temporal } from './runtime.ts';

export const components = ['postgres', 'temporal', 'worker', 'realtime'] as const;
export type Component = (typeof components)[number];

export type ComponentHealth = { state: 'ok'; detail: string } | { state: 'down'; reason: string };
export type Health = Record<Component, ComponentHealth>;

/** Workers write their presence every 5 s; three missed beats mean gone. */
const workerSilenceLimitSeconds = 15;

function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
	});
	return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function checkPostgres(): Promise<ComponentHealth> {
	try {
		const { rows } = await within(2_000, 'PostgreSQL', sql<{ server_version: string }>`show server_version`.execute(database().db));
		return { state: 'ok', detail: `PostgreSQL ${rows[0]?.server_version ?? ''}`.trim() };
	} catch (error) {
		return { state: 'down', reason: `PostgreSQL is unreachable: ${reasonOf(error)}` };
	}
}

async function checkTemporal(): Promise<ComponentHealth> {
	try {
		const client = temporal();
		const info = await within(2_000, 'Temporal', client.connection.workflowService.getSystemInfo({}));
		return { state: 'ok', detail: `Temporal server ${info.serverVersion ?? ''}`.trim() };
	} catch (error) {
		return { state: 'down', reason: `Temporal is unreachable: ${reasonOf(error)}` };
	}
}

async function checkWorker(): Promise<ComponentHealth> {
	try {
		const taskQueue = readSettings().taskQueue;
		const rows = await within(
			2_000,
			'PostgreSQL',
			database()
				.db.selectFrom('workers')
				.select(['host', 'pid'])
				.where('task_queue', '=', taskQueue)
				.where('last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${workerSilenceLimitSeconds})`)
				.execute()
		);
		if (rows.length === 0) {
			return { state: 'down', reason: `No worker has reported in the last ${workerSilenceLimitSeconds} s: long work will wait.` };
		}
		return { state: 'ok', detail: `${rows.length} worker${rows.length === 1 ? '' : 's'} on task queue ${taskQueue}` };
	} catch (error) {
		return { state: 'down', reason: `Cannot tell: ${reasonOf(error)}` };
	}
}

function checkRealtime(): ComponentHealth {
	const io = realtime();
	if (!io) return { state: 'down', reason: 'Socket.IO is not attached to this web process.' };
	if (!isListening(io)) return { state: 'down', reason: 'Socket.IO lost its Postgres LISTEN connection; it is reconnecting.' };
	return { state: 'ok', detail: `${io.engine.clientsCount} browser connection${io.engine.clientsCount === 1 ? '' : 's'} on this process` };
}

export async function checkHealth(): Promise<Health> {
	const [postgres, temporalHealth, worker] = await Promise.all([checkPostgres(), checkTemporal(), checkWorker()]);
	return { postgres, temporal: temporalHealth, worker, realtime: checkRealtime() };
}

export function isHealthy(health: Health): boolean {
	return components.every((c) => health[c].state === 'ok');
}
