import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

// Timestamps leave Postgres as Date objects and jsonb as parsed values (pg's defaults); bigint
// counts come back as strings, so queries cast counts to int where they need numbers.

export interface DatabaseHandle {
	db: Kysely<Database>;
	pool: pg.Pool;
	close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number; name?: string } = {}): DatabaseHandle {
	const pool = createPool({
		connectionString: url,
		max: Math.max(options.max ?? 10, 3),
		application_name: options.name ?? 'tributary',
		connectionTimeoutMillis: 5_000
	});
	const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	return {
		db,
		pool,
		async close() {
			await db.destroy();
			// The pools made beside this one end with it (those not ended already by their owner).
			await Promise.all([...(companions.get(pool) ?? [])].filter((companion) => !companion.ended).map((companion) => companion.end()));
			companions.delete(pool);
		}
	};
}

/** The async-commit pools made like each pool: a handle's close() ends them too. */
const companions = new WeakMap<pg.Pool, Set<pg.Pool>>();

/**
 * A few connections to the same database whose commits do not wait for the disk
 * (`synchronous_commit = off`), for what is on the live path and worthless after a crash:
 * - the Socket.IO adapter: each of its messages is a NOTIFY, and a transaction that notifies takes
 *   a transaction id, so every broadcast otherwise waited for a WAL flush — on this machine kind
 *   up to half a second now and then (P5: p99 537 ms against 140 ms). A notification is never
 *   kept across a crash anyway;
 * - progress reports (recordProgress): the next report rewrites a lost one.
 * Visibility is not delayed, only durability: a later durable commit flushes these too.
 */
export function createAsyncCommitPool(like: pg.Pool, name: string, max = 3): pg.Pool {
	const pool = createPool({
		...like.options,
		// The adapter holds one connection for LISTEN for good, and sends on the others.
		max,
		application_name: name,
		options: '-c synchronous_commit=off'
	});
	const siblings = companions.get(like) ?? new Set<pg.Pool>();
	siblings.add(pool);
	companions.set(like, siblings);
	return pool;
}

function createPool(config: pg.PoolConfig): pg.Pool {
	const pool = new pg.Pool(config);
	// An idle client that loses its server (Postgres restarted) must not crash the process.
	pool.on('error', () => {});
	// Nor may one that is checked out: the pool listens only to idle clients, and a client that
	// loses its server emits 'error' even when its queries are told, so the Socket.IO adapter's
	// LISTEN client (checked out for good) or a transaction under way would kill the web or worker
	// process on every restart of Postgres. Its queries fail on their own, the pool drops it when
	// it is released, and the adapter connects again on its 'end'.
	pool.on('connect', (client) => client.on('error', () => {}));
	return pool;
}
