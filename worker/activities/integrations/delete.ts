// Delete: batches per table with live counts, then the integration row and its mirrors.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#lib/server/db/database.ts';
import { broadcastRemoved } from '#lib/server/integrations/broadcast.ts';

import { deletionLabels, deletionTables, type DeletionTable } from '../../../workflows/integrations/contract.ts';
import { announceIntegration, type IntegrationDeps } from './context.ts';


/** Heartbeat details: per table, rows deleted so far and whether it is empty. */
type DeletionCheckpoint = Partial<Record<DeletionTable, { deleted: number; finished: boolean }>>;

/** The planner's estimate of an integration's rows in a table: instant, and close after ANALYZE. */
async function estimateRows(db: Kysely<Database>, table: DeletionTable, integrationId: string): Promise<number> {
	const plan = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>`
		explain (format json) select 1 from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
	return Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

export function createDeleteActivities(deps: IntegrationDeps) {
	const { db } = deps;
	const steps = {
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
			const operation = await db.selectFrom('operations').select('stages').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			// Totals are only set once: a retried start must not shrink them to what is left. They are
			// the planner's estimates (counting a million rows exactly would cost a third of the
			// deletion itself); each stage's count becomes exact when its table is done.
			if (operation.stages.every((s) => s.total === 0)) {
				const totals = await Promise.all(deletionTables.map((table) => estimateRows(db, table, input.integrationId)));
				await deps.progress.report(
					input.operationId,
					deletionTables.map((table, index) => ({ stage: table, done: 0, total: totals[index]! }))
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

		/**
		 * Deletes every table's rows of the integration, batch by batch; each batch commits alone.
		 * Two tables at a time (the biggest two are independent), repositories last. One activity
		 * for all tables keeps the workflow's overhead small; its heartbeat says how far each table
		 * got, so a retry after a killed worker carries on from there.
		 */
		async deleteIntegrationData(input: { operationId: string; integrationId: string }): Promise<void> {
			const context = Context.current();
			const checkpoint: DeletionCheckpoint = { ...((context.info.heartbeatDetails as DeletionCheckpoint | undefined) ?? {}) };
			const batchSize = deps.settings.deletionBatchSize;
			let reported = 0;

			async function deleteTable(table: DeletionTable): Promise<void> {
				const state = (checkpoint[table] ??= { deleted: 0, finished: false });
				while (!state.finished) {
					const result = await sql`
						delete from ${sql.table(table)}
						where ctid = any(array(
							select ctid from ${sql.table(table)} where integration_id = ${input.integrationId} limit ${batchSize}
						))`.execute(db);
					const batch = Number(result.numAffectedRows ?? 0);
					state.deleted += batch;
					state.finished = batch < batchSize;
					context.heartbeat(checkpoint);
					// Viewers hear a few times a second, and always when a table is done (with its exact count).
					if (state.finished || Date.now() - reported >= 250) {
						reported = Date.now();
						await deps.progress.report(input.operationId, {
							stage: table,
							done: state.deleted,
							...(state.finished ? { total: state.deleted } : {}),
							currentItem: `${deletionLabels[table]}: ${state.deleted.toLocaleString('en')} removed`
						});
					}
				}
			}

			const data = deletionTables.filter((table) => table !== 'repos');
			let next = 0;
			const lane = async () => {
				while (next < data.length) await deleteTable(data[next++]!);
			};
			await Promise.all([lane(), lane()]);
			await deleteTable('repos');
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
	return {
		/**
		 * The whole deletion in one activity: each extra activity costs the workflow a round trip
		 * through Temporal, and every step below is safe to repeat, so a retry (a killed worker)
		 * simply runs them again, carrying on from the heartbeat's checkpoint.
		 */
		async deleteIntegration(input: { operationId: string; integrationId: string }): Promise<void> {
			await steps.startDeletion(input);
			await steps.waitForUpdatesToStop(input);
			await steps.deleteIntegrationData(input);
			await steps.finishDeletion(input);
		},
		failDeletion: steps.failDeletion
	};
}
