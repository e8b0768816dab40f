// What the integration activities share: connections, settings, and how to read an
// integration's credentials (decrypted here, inside the worker, and nowhere else).
import type { Kysely, Updateable } from 'kysely';
import type pg from 'pg';
import type { Settings } from '#core/config.ts';
import { credentialsBinding, decryptCredentials } from '#core/crypto/credentials.ts';
import type { Database } from '#core/db/database.ts';
import type { RepoRow } from '#core/db/tables/integrations.ts';
import { broadcastIntegration, broadcastRepo } from '#core/integrations/broadcast.ts';
import { getIntegrationById, toRepoSummary } from '#core/integrations/queries.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { IntegrationProvider, ProviderContext } from '#core/providers/provider.ts';
import { requireProvider } from '#core/providers/registry.ts';
import { throttledHeartbeat } from '../heartbeat.ts';
import type { ProgressReporter } from '../progress.ts';

export interface IntegrationDeps {
	db: Kysely<Database>;
	pool: pg.Pool;
	io: RealtimeServer;
	settings: Settings;
	progress: ProgressReporter;
}

/**
 * An integration's provider and what the provider needs to work on it: its row, its credentials
 * (opened here, in the worker, and nowhere else), a heartbeat and the activity's cancellation.
 */
export async function openIntegration(deps: IntegrationDeps, integrationId: string): Promise<{ provider: IntegrationProvider; context: ProviderContext }> {
	const row = await deps.db
		.selectFrom('integrations')
		.select(['id', 'organization_id', 'kind', 'name', 'auth_method', 'base_url', 'settings', 'credentials'])
		.where('id', '=', integrationId)
		.executeTakeFirst();
	if (!row) throw ApplicationFailure.nonRetryable('The integration is gone.', 'IntegrationGone');
	const activity = Context.current();
	return {
		provider: requireProvider(row.kind),
		context: {
			db: deps.db,
			pool: deps.pool,
			settings: deps.settings,
			integration: { id: row.id, organizationId: row.organization_id, name: row.name, authMethod: row.auth_method, baseUrl: row.base_url, settings: row.settings },
			credentials: row.credentials ? decryptCredentials(row.credentials, credentialsBinding(row.id)) : null,
			heartbeat: throttledHeartbeat(() => activity.info.heartbeatDetails),
			signal: activity.cancellationSignal
		}
	};
}

/** Tells every viewer how the integration stands now. */
export async function announceIntegration(deps: IntegrationDeps, integrationId: string): Promise<void> {
	const integration = await getIntegrationById(deps.db, integrationId);
	if (integration) broadcastIntegration(deps.io, integration);
}

/** Changes a repository's row and tells every viewer how it stands now, in one round trip. */
export async function updateRepo(deps: IntegrationDeps, repoId: string, changes: Updateable<Database['repos']>): Promise<RepoRow | undefined> {
	const row = await deps.db.updateTable('repos').set(changes).where('id', '=', repoId).returningAll().executeTakeFirst();
	if (row) broadcastRepo(deps.io, toRepoSummary(row));
	return row;
}

/** The update's two bars, from the repositories' own counters (absolute, so retries cannot double-count). */
export async function reportUpdateProgress(deps: IntegrationDeps, operationId: string, integrationId: string, currentItem?: string): Promise<void> {
	const row = await deps.db
		.selectFrom('repos')
		.select((eb) => [
			eb.fn.countAll<number>().as('total'),
			eb.fn.count<number>('id').filterWhere('data_status', 'not in', ['queued', 'fetching', 'processing']).as('finished'),
			// A fetching repository's counters are git's objects, not commits.
			eb.fn.coalesce(eb.fn.sum<number>('progress_done').filterWhere('data_status', '<>', 'fetching'), eb.lit(0)).as('done'),
			eb.fn.coalesce(eb.fn.sum<number>('progress_total').filterWhere('data_status', '<>', 'fetching'), eb.lit(0)).as('commits')
		])
		.where('integration_id', '=', integrationId)
		.where('imported', '=', true)
		.where('update_operation_id', '=', operationId)
		.executeTakeFirstOrThrow();
	await deps.progress.report(operationId, [
		{ stage: 'repos', done: Number(row.finished), total: Number(row.total) },
		{ stage: 'commits', done: Number(row.done), total: Number(row.commits), ...(currentItem ? { currentItem } : {}) }
	]);
}
