// How an activity reports progress: the row in Postgres is the truth a page load reads, written
// on every report; the broadcast is the live path, at most once per window per operation
// (progress-coalescing.ts), and an operation's ending always goes out at once.
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { createAsyncCommitPool } from '#core/db/connect.ts';
import type { Operation, OperationState } from '#core/domain/operations/operation.ts';
import type { Database } from '#core/db/database.ts';
import type { OperationRow } from '#core/db/tables/operations.ts';
import { broadcastFinished, broadcastProgress } from '#core/operations/broadcast.ts';
import { finishOperation, recordProgress, type ProgressUpdate } from '#core/operations/queries.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { createProgressCoalescer, type CoalescerClock } from './progress-coalescing.ts';

export interface ProgressReporter {
	report(operationId: string, update: ProgressUpdate | ProgressUpdate[]): Promise<Operation | undefined>;
	finish(
		operationId: string,
		outcome: { state: Exclude<OperationState, 'running'>; error?: string | null; result?: Record<string, unknown> | null }
	): Promise<Operation | undefined>;
}

/**
 * `db` for the operation's end, which commits durably; reports go through connections of `pool`'s
 * database that do not wait for the disk (see recordProgress).
 */
export function createProgressReporter(
	db: Kysely<Database>,
	pool: pg.Pool,
	io: RealtimeServer,
	coalescing: { windowMs?: number; clock?: CoalescerClock } = {}
): ProgressReporter {
	const reports = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createAsyncCommitPool(pool, 'tributary-progress', 4) }) });
	const live = createProgressCoalescer((operation) => broadcastProgress(io, operation), coalescing);
	// The row each running operation's last report here wrote: the next report starts from it. An
	// operation that ends elsewhere leaves its row behind, so the map is emptied now and then.
	const known = new Map<string, OperationRow>();
	return {
		async report(operationId, update) {
			if (known.size > 1_000) known.clear();
			const operation = await recordProgress(reports, operationId, update, known);
			if (operation) live.offer(operation);
			return operation;
		},
		async finish(operationId, outcome) {
			const operation = await finishOperation(db, operationId, outcome);
			known.delete(operationId);
			live.drop(operationId);
			if (operation) broadcastFinished(io, operation);
			return operation;
		}
	};
}
