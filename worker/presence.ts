// The worker announces itself in Postgres every few seconds; health and the System page read it.
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

export const workerPresenceIntervalMs = 5_000;

export function announceWorker(db: Kysely<Database>, taskQueue: string, onError: (error: unknown) => void) {
	const id = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
	const startedAt = new Date();
	const beat = async () => {
		const now = new Date();
		await db
			.insertInto('workers')
			.values({ id, host: os.hostname(), pid: process.pid, task_queue: taskQueue, started_at: startedAt, last_seen_at: now })
			.onConflict((oc) => oc.column('id').doUpdateSet({ last_seen_at: now }))
			.execute();
	};
	const timer = setInterval(() => beat().catch(onError), workerPresenceIntervalMs);
	return {
		id,
		first: beat(),
		async stop() {
			clearInterval(timer);
			// Gone means gone: health should not count a worker that stopped cleanly.
			await db.deleteFrom('workers').where('id', '=', id).execute().catch(onError);
		}
	};
}
