// How an activity reports progress: the row in Postgres is the truth a page load reads, written
// on every report; the broadcast is the live path, at most once per window per operation
// (progress-coalescing.ts), and an operation's ending always goes out at once.
import type { Kysely } from 'kysely';
import type { Operation, OperationState } from '#core/domain/operations/operation.ts';
import type { Database } from '#core/db/database.ts';
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

export function createProgressReporter(
	db: Kysely<Database>,
	io: RealtimeServer,
	coalescing: { windowMs?: number; clock?: CoalescerClock } = {}
): ProgressReporter {
	const live = createProgressCoalescer((operation) => broadcastProgress(io, operation), coalescing);
	return {
		async report(operationId, update) {
			const operation = await recordProgress(db, operationId, update);
			if (operation) live.offer(operation);
			return operation;
		},
		async finish(operationId, outcome) {
			const operation = await finishOperation(db, operationId, outcome);
			live.drop(operationId);
			if (operation) broadcastFinished(io, operation);
			return operation;
		}
	};
}
