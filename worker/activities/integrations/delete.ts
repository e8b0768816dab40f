// Delete: batches per table with live counts, then the integration row and its mirrors.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { broadcastRemoved } from '#lib/server/integrations/broadcast.ts';
import { countIntegrationData } from '#lib/server/integrations/queries.ts';
import { deletionLabels, deletionTables, type DeletionTable } from '../../../workflows/integrations/contract.ts';
import { announceIntegration, type IntegrationDeps } from './context.ts';

const countKey: Record<DeletionTable, 'files' | 'commits' | 'tags' | 'deployments' | 'metrics' | 'repos'> = {
	commit_files: 'files',
	commits: 'commits',
	tags: 'tags',
	deployments: 'deployments',
	repo_daily_metrics: 'metrics',
	repos: 'repos'
};

export function createDeleteActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		/**
		 * Marks the integration deleting for everyone, blocks its accounts from being added again,
		 * removes its bare copies, and sets each stage's total to what is there now.
		 */
		async startDeletion(input: { operationId: string; integrationId: string }): Promise<void> {
			const integration = await db
				.updateTable('integrations')
				.set({ data_status: 'deleting', status_detail: null })
				.where('id', '=', input.integrationId)
				.returning(['organization_id', 'name'])
				.executeTakeFirst();
			if (!integration) return; // already gone: a retry after the last step
			const repos = await db.selectFrom('repos').select(['id', 'url']).where('integration_id', '=', input.integrationId).execute();
			for (const repo of repos) {
				await db
					.insertInto('removed_accounts')
					.values({ organization_id: integration.organization_id, account: repo.url, integration_id: input.integrationId, integration_name: integration.name })
					.onConflict((oc) =>
						oc.columns(['organization_id', 'account']).doUpdateSet({ integration_id: input.integrationId, integration_name: integration.name, removed_at: new Date() })
					)
					.execute();
				await rm(path.join(deps.settings.gitMirrorDir, `${repo.id}.git`), { recursive: true, force: true });
			}
			const counts = await countIntegrationData(db, integration.organization_id, [input.integrationId]);
			const operation = await db.selectFrom('operations').select('stages').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			// Totals are only set once: a retried start must not shrink them to what is left.
			if (operation.stages.every((s) => s.total === 0)) {
				await deps.progress.report(
					input.operationId,
					deletionTables.map((table) => ({ stage: table, done: 0, total: counts[countKey[table]] }))
				);
			}
			await announceIntegration(deps, input.integrationId);
		},

		/**
		 * Waits until no update of the integration runs. Updates see the "deleting" status and stop
		 * at their next batch; rows they wrote before that are then deleted with the rest.
		 */
		async waitForUpdatesToStop(input: { operationId: string; integrationId: string }): Promise<void> {
			const context = Context.current();
			for (;;) {
				const running = await db
					.selectFrom('operations')
					.select('id')
					.where('scope', '=', `integration:${input.integrationId}`)
					.where('kind', '=', 'integration.update')
					.where('state', '=', 'running')
					.execute();
				if (running.length === 0) return;
				context.heartbeat();
				await context.sleep(1_000);
			}
		},

		/** Deletes one table's rows of the integration, batch by batch; each batch commits alone. */
		async deleteIntegrationRows(input: { operationId: string; integrationId: string; table: DeletionTable }): Promise<number> {
			const context = Context.current();
			const operation = await db.selectFrom('operations').select('stages').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			const stage = operation.stages.find((s) => s.key === input.table);
			const total = stage?.total ?? 0;
			// Rows deleted by earlier attempts of this activity (a killed worker's share).
			let deleted = Number(context.info.heartbeatDetails ?? 0);
			for (;;) {
				const result = await sql`
					delete from ${sql.table(input.table)}
					where ctid = any(array(
						select ctid from ${sql.table(input.table)} where integration_id = ${input.integrationId} limit ${deps.settings.deletionBatchSize}
					))`.execute(db);
				const batch = Number(result.numAffectedRows ?? 0);
				deleted += batch;
				context.heartbeat(deleted);
				const finished = batch < deps.settings.deletionBatchSize;
				const done = finished ? total : Math.min(deleted, total);
				await deps.progress.report(input.operationId, {
					stage: input.table,
					done,
					currentItem: `${deletionLabels[input.table]}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} removed`
				});
				if (finished) return deleted;
			}
		},

		/** The integration row goes last; the re-add cooldown of its accounts starts now. */
		async finishDeletion(input: { operationId: string; integrationId: string }): Promise<void> {
			const removed = await db.transaction().execute(async (trx) => {
				const integration = await trx
					.deleteFrom('integrations')
					.where('id', '=', input.integrationId)
					.returning(['id', 'organization_id', 'name'])
					.executeTakeFirst();
				if (!integration) return undefined;
				await trx
					.updateTable('removed_accounts')
					.set({ removed_at: new Date() })
					.where('integration_id', '=', integration.id)
					.execute();
				return { id: integration.id, organizationId: integration.organization_id, name: integration.name };
			});
			if (removed) broadcastRemoved(deps.io, removed);
			await deps.progress.finish(input.operationId, { state: 'succeeded', result: { name: removed?.name ?? null } });
		},

		async failDeletion(input: { operationId: string; integrationId: string; state: 'failed' | 'cancelled'; message: string }): Promise<void> {
			await db
				.updateTable('integrations')
				.set({ data_status: 'failed-integration', status_detail: `Deletion stopped: ${input.message} Delete it again to finish.` })
				.where('id', '=', input.integrationId)
				.execute();
			await announceIntegration(deps, input.integrationId);
			await deps.progress.finish(input.operationId, { state: input.state, error: input.message });
		}
	};
}
