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
	const pool = new pg.Pool({
		connectionString: url,
		// The Socket.IO adapter holds one connection for LISTEN for good: keep room for queries.
		max: Math.max(options.max ?? 10, 3),
		application_name: options.name ?? 'tributary',
		connectionTimeoutMillis: 5_000
	});
	// An idle client that loses its server (Postgres restarted) must not crash the process.
	pool.on('error', () => {});
	// Nor may one that is checked out: the pool listens only to idle clients, and a client that
	// loses its server emits 'error' even when its queries are told, so the Socket.IO adapter's
	// LISTEN client (checked out for good) or a transaction under way would kill the web or worker
	// process on every restart of Postgres. Its queries fail on their own, the pool drops it when
	// it is released, and the adapter connects again on its 'end'.
	pool.on('connect', (client) => client.on('error', () => {}));
	const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	return {
		db,
		pool,
		async close() {
			await db.destroy();
		}
	};
}
