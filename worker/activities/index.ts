// All activities, built from the worker's connections. Workflows import only this file's type.
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { OperationState } from '#core/domain/operations/operation.ts';
import type { Settings } from '#core/config.ts';
import type { Database } from '#core/db/database.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { createBulkActivities } from './integrations/bulk.ts';
import { createDeleteActivities } from './integrations/delete.ts';
import { createDiscoverActivities } from './integrations/discover.ts';
import { createPullRequestActivities } from './integrations/pull-requests.ts';
import { createTestConnectionActivities } from './integrations/test-connection.ts';
import { createTicketActivities } from './integrations/tickets.ts';
import { createUpdateActivities } from './integrations/update.ts';
import { createProgressReporter } from './progress.ts';
import { createSelfCheckActivities } from './self-check.ts';

export interface ActivityDependencies {
	db: Kysely<Database>;
	pool: pg.Pool;
	io: RealtimeServer;
	settings: Settings;
}

export function createActivities({ db, pool, io, settings }: ActivityDependencies) {
	const progress = createProgressReporter(db, pool, io);
	const integrationDeps = { db, pool, io, settings, progress };
	return {
		...createSelfCheckActivities({ db, io, progress }),
		...createUpdateActivities(integrationDeps),
		...createPullRequestActivities(integrationDeps),
		...createTicketActivities(integrationDeps),
		...createTestConnectionActivities(integrationDeps),
		...createDeleteActivities(integrationDeps),
		...createDiscoverActivities(integrationDeps),
		...createBulkActivities(integrationDeps),

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
