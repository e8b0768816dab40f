// All activities, built from the worker's connections. Workflows import only this file's type.
import type { Kysely } from 'kysely';
import type { OperationState } from '#lib/operations/operation.ts';
import type { Database } from '#lib/server/db/database.ts';
import type { RealtimeServer } from '#lib/server/realtime/server.ts';
import { createProgressReporter } from './progress.ts';
import { createSelfCheckActivities } from './self-check.ts';

export interface ActivityDependencies {
	db: Kysely<Database>;
	io: RealtimeServer;
}

export function createActivities({ db, io }: ActivityDependencies) {
	const progress = createProgressReporter(db, io);
	return {
		...createSelfCheckActivities({ db, io, progress }),

		/** Records how an operation ended and tells every viewer. Safe to retry. */
		async finishOperation(input: {
			operationId: string;
			state: Exclude<OperationState, 'running'>;
			error?: string | null;
			result?: Record<string, unknown> | null;
		}): Promise<void> {
			await progress.finish(input.operationId, input);
		}
	};
}
