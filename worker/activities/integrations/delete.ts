// Delete: batches per table with live counts, then the integration row and its mirrors.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { broadcastRemoved } from '#core/integrations/broadcast.ts';

import { integrationScope } from '#core/domain/integrations/integration.ts';
import { deletionLabels, deletionTables, operationKinds, type DeletionTable } from '../../../workflows/integrations/contract.ts';
import { announceIntegration, type IntegrationDeps } from './context.ts';


/**
 * Heartbeat details: per table, rows deleted so far, whether it is empty, and for a table deleted
 * in heap slices the first page not yet done (a retry carries on from there).
 */
type DeletionCheckpoint = Partial<Record<DeletionTable, { deleted: number; finished: boolean; nextPage?: number }>>;

/**
 * The tables that hold any row of the integration, in one round trip (an index probe each): most
 * integrations have nothing in most of them (pull requests of a Generic Git integration, webhook
 * deliveries…), and those need no estimate, no plan and no batch.
 */
export async function tablesWithRows(db: Kysely<Database>, integrationId: string): Promise<Set<DeletionTable>> {
	const result = await sql<Record<DeletionTable, boolean>>`select ${sql.join(
		deletionTables.map((table) => sql`exists (select 1 from ${sql.table(table)} where integration_id = ${integrationId}) as ${sql.ref(table)}`)
	)}`.execute(db);
	const row = result.rows[0]!;
	return new Set(deletionTables.filter((table) => row[table]));
}

/** The planner's estimate of an integration's rows in a table: instant, and close after ANALYZE. */
async function estimateRows(db: Kysely<Database>, table: DeletionTable, integrationId: string): Promise<number> {
	const plan = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>`
		explain (format json) select 1 from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
	return Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

/**
 * How a table's rows of the integration are found, batch by batch. Where the planner would read
 * the whole table for them anyway (they are most of it), batches are consecutive slices of the
 * heap, each read once, in order: a batch costs what its part of one bare DELETE costs. Where they
 * are a small part, each batch takes the next rows from the integration_id index.
 */
type BatchPlan = { kind: 'index' } | { kind: 'slices'; pagesPerSlice: number; pages: number };

async function relationPages(db: Kysely<Database>, table: DeletionTable): Promise<number> {
	const result = await sql<{ pages: string }>`
		select (pg_relation_size(${table}::regclass) / current_setting('block_size')::int)::text as pages`.execute(db);
	return Number(result.rows[0]!.pages);
}

export async function planBatches(db: Kysely<Database>, table: DeletionTable, integrationId: string, batchSize: number): Promise<BatchPlan> {
	const plan = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Node Type': string } }> }>`
		explain (format json) select ctid from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
	if (plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Node Type'] !== 'Seq Scan') return { kind: 'index' };
	// Slices start at the first page: a seq scan may begin anywhere (synchronised scans), so no
	// query can cheaply say where the integration's first row is.
	const shape = await sql<{ pages: number; tuples: number }>`
		select relpages as pages, reltuples::float8 as tuples from pg_class where oid = ${table}::regclass`.execute(db);
	const { pages, tuples } = shape.rows[0]!;
	const rowsPerPage = pages > 0 && tuples > 0 ? tuples / pages : 1;
	return { kind: 'slices', pagesPerSlice: Math.max(1, Math.ceil(batchSize / rowsPerPage)), pages: await relationPages(db, table) };
}

/**
 * Batches through the index are this many times the batch size: each one walks again over the
 * index entries of the batches before it (their rows are dead but not yet vacuumed), so the same
 * rows in smaller batches cost more; measured with the default size, five times larger batches
 * delete one integration among ten about as fast as one bare DELETE. A batch size set by
 * TRIBUTARY_DELETION_BATCH is taken as it is (an operator who wants short locks gets them).
 */
const indexBatchFactor = 5;

/** Postgres's error for a lock wait that ran past lock_timeout. */
const lockNotAvailable = '55P03';

/** A heartbeat while waiting: it repeats the checkpoint this attempt began with, so none is lost. */
function keepAlive(): void {
	const context = Context.current();
	context.heartbeat(context.info.heartbeatDetails);
}

export function createDeleteActivities(deps: IntegrationDeps) {
	const { db } = deps;
	const steps = {
		/**
		 * Marks the integration deleting for everyone, blocks its accounts from being added again,
		 * and sets each stage's total to what is there now.
		 */
		async startDeletion(input: { operationId: string; integrationId: string }): Promise<void> {
			// Marking it "deleting" waits for writes to its data already under way (they hold its row,
			// see holdForWriting); later ones see the mark and write nothing. The wait is in short
			// tries, with heartbeats between, so a long write does not look like a dead worker.
			let integration;
			for (;;) {
				try {
					integration = await db.transaction().execute(async (trx) => {
						await sql`set local lock_timeout = '2s'`.execute(trx);
						return trx
							.updateTable('integrations')
							.set({ data_status: 'deleting', status_detail: null })
							.where('id', '=', input.integrationId)
							.returning(['organization_id', 'name'])
							.executeTakeFirst();
					});
					break;
				} catch (error) {
					if ((error as { code?: string }).code !== lockNotAvailable) throw error;
					keepAlive();
				}
			}
			if (!integration) return; // already gone: a retry after the last step
			const repos = await db.selectFrom('repos').select(['id', 'url']).where('integration_id', '=', input.integrationId).execute();
			if (repos.length > 0) {
				await db
					.insertInto('removed_accounts')
					.values(
						repos.map((repo) => ({
							organization_id: integration.organization_id,
							account: repo.url,
							integration_id: input.integrationId,
							integration_name: integration.name
						}))
					)
					.onConflict((oc) =>
						oc.columns(['organization_id', 'account']).doUpdateSet((eb) => ({
							integration_id: eb.ref('excluded.integration_id'),
							integration_name: eb.ref('excluded.integration_name'),
							removed_at: new Date()
						}))
					)
					.execute();
			}
			const operation = await db.selectFrom('operations').select('stages').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			// Totals are only set once: a retried start must not shrink them to what is left. They are
			// the planner's estimates (counting a million rows exactly would cost a third of the
			// deletion itself); each stage's count becomes exact when its table is done.
			if (operation.stages.every((s) => s.total === 0)) {
				const holding = await tablesWithRows(db, input.integrationId);
				const totals = await Promise.all(deletionTables.map((table) => (holding.has(table) ? estimateRows(db, table, input.integrationId) : 0)));
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
					.where('scope', '=', integrationScope(input.integrationId))
					.where('kind', '=', operationKinds.update)
					.where('state', '=', 'running')
					.execute();
				if (running.length === 0) return;
				keepAlive();
				await context.sleep(1_000);
			}
		},

		/**
		 * Removes the bare copies of its repositories. Only once no update runs: a fetch under way
		 * would write into a copy removed beneath it, and a retry of it would clone it anew.
		 */
		async removeMirrors(input: { integrationId: string }): Promise<void> {
			const repos = await db.selectFrom('repos').select('id').where('integration_id', '=', input.integrationId).execute();
			await Promise.all(
				repos.flatMap((repo) => {
					const mirror = path.join(deps.settings.gitMirrorDir, `${repo.id}.git`);
					return [mirror, `${mirror}.partial`].map((dir) => rm(dir, { recursive: true, force: true }));
				})
			);
		},

		/**
		 * Deletes every table's rows of the integration, batch by batch; each batch commits alone.
		 * One table at a time, repositories last (measured: two at once finish no sooner on two
		 * cores, and leave page loads no core of their own). One activity for all tables keeps the
		 * workflow's overhead small; its heartbeat says how far each table got, so a retry after a
		 * killed worker carries on from there.
		 */
		async deleteIntegrationData(input: { operationId: string; integrationId: string }): Promise<void> {
			const context = Context.current();
			const checkpoint: DeletionCheckpoint = { ...((context.info.heartbeatDetails as DeletionCheckpoint | undefined) ?? {}) };
			const batchSize = deps.settings.deletionBatchSize;
			let reported = 0;

			/** One batch: deletes and commits some of the table's rows; says how many, and whether any can be left. */
			async function deleteBatch(table: DeletionTable, plan: BatchPlan, state: NonNullable<DeletionCheckpoint[DeletionTable]>) {
				if (plan.kind === 'index') {
					const rows = deps.settings.deletionBatchSizeSet ? batchSize : batchSize * indexBatchFactor;
					const result = await sql`
						delete from ${sql.table(table)}
						where ctid = any(array(
							select ctid from ${sql.table(table)} where integration_id = ${input.integrationId} limit ${rows}
						))`.execute(db);
					const deleted = Number(result.numAffectedRows ?? 0);
					return { deleted, finished: deleted < rows };
				}
				const from = state.nextPage ?? 0;
				const to = from + plan.pagesPerSlice;
				// "is true" keeps the planner off the integration_id index: the slice is read in heap order.
				const result = await sql`
					delete from ${sql.table(table)}
					where ctid >= ${`(${from},0)`}::tid and ctid < ${`(${to},0)`}::tid and (integration_id = ${input.integrationId}) is true`.execute(db);
				state.nextPage = to;
				// Done at the table's end as it is now: it may have grown since the plan was made.
				const finished = to >= plan.pages && to >= (await relationPages(db, table));
				return { deleted: Number(result.numAffectedRows ?? 0), finished };
			}

			async function deleteTable(table: DeletionTable): Promise<void> {
				const state = (checkpoint[table] ??= { deleted: 0, finished: false });
				if (state.finished) return;
				const plan = await planBatches(db, table, input.integrationId, batchSize);
				while (!state.finished) {
					const batch = await deleteBatch(table, plan, state);
					state.deleted += batch.deleted;
					state.finished = batch.finished;
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

			// Tables with nothing of the integration are done at once, all told in one report. Rows can
			// no longer appear in them: updates have stopped and later writes see the "deleting" mark.
			const holding = await tablesWithRows(db, input.integrationId);
			const empty = deletionTables.filter((table) => !holding.has(table) && !checkpoint[table]?.finished);
			if (empty.length > 0) {
				for (const table of empty) checkpoint[table] = { deleted: checkpoint[table]?.deleted ?? 0, finished: true };
				context.heartbeat(checkpoint);
				await deps.progress.report(
					input.operationId,
					empty.map((table) => ({ stage: table, done: checkpoint[table]!.deleted, total: checkpoint[table]!.deleted }))
				);
			}
			// deletionTables ends with repos: the other rows point at them.
			for (const table of deletionTables) await deleteTable(table);
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
			await steps.removeMirrors(input);
			await steps.deleteIntegrationData(input);
			await steps.finishDeletion(input);
		},
		failDeletion: steps.failDeletion
	};
}
