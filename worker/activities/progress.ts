// How an activity reports progress: the row in Postgres is the truth a page load reads, the
// broadcast is the live path. Both happen for every report.
import type { Kysely } from 'kysely';
import type { Operation, OperationState } from '#core/domain/operations/operation.ts';
import type { Database } from '#core/db/database.ts';
import { broadcastFinished, broadcastProgress } from '#core/operations/broadcast.ts';
import { finishOperation, recordProgress, type ProgressUpdate } from '#core/operations/queries.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';

export interface ProgressReporter {
	report(operationId: string, update: ProgressUpdate | ProgressUpdate[]): Promise<Operation | undefined>;
	finish(
		operationId: string,
		outcome: { state: Exclude<OperationState, 'running'>; error?: string | null; result?: Record<string, unknown> | null }
	): Promise<Operation | undefined>;
}

export function createProgressReporter(db: Kysely<Database>, io: RealtimeServer): ProgressReporter {
	return {
		async report(operationId, update) {
			const operation = await recordProgress(db, operationId, update);
			if (operation) broadcastProgress(io, operation);
			return operation;
		},
		async finish(operationId, outcome) {
			const operation = await finishOperation(db, operationId, outcome);
			if (operation) broadcastFinished(io, operation);
			return operation;
		}
	};
}
