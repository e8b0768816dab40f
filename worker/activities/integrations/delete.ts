// Delete: batches per table with live counts, then the integration row and its mirrors.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { broadcastRemoved } from '#core/integrations/broadcast.ts';

import { integrationScope } from '#core/domain/integrations/integration.ts';
import { deletionByRepo } from '#core/domain/integrations/data-kinds.ts';
import { deletionLabels, deletionTables, operationKinds, type DeletionTable } from '../../../workflows/integrations/contract.ts';
import { announceIntegration, type IntegrationDeps } from './context.ts';


/**
 * Per table, rows deleted so far, whether it is done, and for a table deleted in heap slices the
 * first page not yet done: stored in deletion_checkpoints with each batch (a retry carries on from
 * there), and sent as heartbeat details so Temporal's UI shows it too.
 */
type TableState = { deleted: number; finished: boolean; nextPage?: number; afterRepo?: string };
type DeletionCheckpoint = Partial<Record<DeletionTable, TableState>>;

/**
 * The tables that hold any row of the integration, in one round trip (an index probe each): most
 * integrations have nothing in most of them (pull requests of a Generic Git integration, webhook
 * deliveries…), and those need no estimate, no plan and no batch. A probe through the
 * integration_id index, always: for "is there one?" the planner reckons a sequential scan finds a
 * match at once, but where the integration's rows lie after other integrations' it reads all of
 * those first (measured: 0.7 to 2 s before deleting a tenth of ten million rows).
 */
export async function tablesWithRows(db: Kysely<Database>, integrationId: string): Promise<Set<DeletionTable>> {
	const row = await db.transaction().execute(async (trx) => {
		await sql`set local enable_seqscan = off`.execute(trx);
		const result = await sql<Record<DeletionTable, boolean>>`select ${sql.join(
			deletionTables.map((table) => sql`exists (select 1 from ${sql.table(table)} where integration_id = ${integrationId}) as ${sql.ref(table)}`)
		)}`.execute(trx);
		return result.rows[0]!;
	});
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
 * are a small part, batches follow an index. In the tables keyed by repository, while its
 * repositories hold less than a batch each: a few repositories at a time, through the primary key
 * (each batch reads only its own entries; on a million rows among ten million, 1.2× one bare
 * DELETE, where listing every address first cost 1.7×). Otherwise the addresses are listed once
 * through the integration_id index (into a temporary table) and deleted batch after batch: taking
 * each batch from that index again would walk over the dead entries of every batch before it. No
 * more rows than about one batch (the planner's estimate) go in one statement.
 */
type BatchPlan =
	| { kind: 'whole' }
	| { kind: 'listed' }
	| { kind: 'by-repo'; reposPerBatch: number }
	| { kind: 'slices'; pagesPerSlice: number; pages: number };

async function relationPages(db: Kysely<Database>, table: DeletionTable): Promise<number> {
	const result = await sql<{ pages: string }>`
		select (pg_relation_size(${table}::regclass) / current_setting('block_size')::int)::text as pages`.execute(db);
	return Number(result.rows[0]!.pages);
}

export async function planBatches(
	db: Kysely<Database>,
	table: DeletionTable,
	integrationId: string,
	batchRows: number,
	wholeRows = batchRows
): Promise<BatchPlan> {
	const plan = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Node Type': string; 'Plan Rows': number } }> }>`
		explain (format json) select ctid from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
	const top = plan.rows[0]?.['QUERY PLAN'][0]?.Plan;
	if (top?.['Node Type'] !== 'Seq Scan') {
		const estimate = top?.['Plan Rows'] ?? Infinity;
		if (estimate <= wholeRows) return { kind: 'whole' };
		if (deletionByRepo.has(table)) {
			const { repos } = await db
				.selectFrom('repos')
				.select(sql<number>`count(*)::int`.as('repos'))
				.where('integration_id', '=', integrationId)
				.executeTakeFirstOrThrow();
			// Only where a repository holds no more than a batch on average: a batch stays about the size asked for.
			if (repos > 0 && estimate / repos <= batchRows) return { kind: 'by-repo', reposPerBatch: Math.max(1, Math.floor((batchRows * repos) / estimate)) };
		}
		return { kind: 'listed' };
	}
	// Slices start at the first page: a seq scan may begin anywhere (synchronised scans), so no
	// query can cheaply say where the integration's first row is.
	const shape = await sql<{ pages: number; tuples: number }>`
		select relpages as pages, reltuples::float8 as tuples from pg_class where oid = ${table}::regclass`.execute(db);
	const { pages, tuples } = shape.rows[0]!;
	const rowsPerPage = pages > 0 && tuples > 0 ? tuples / pages : 1;
	return { kind: 'slices', pagesPerSlice: Math.max(1, Math.ceil(batchRows / rowsPerPage)), pages: await relationPages(db, table) };
}

/**
 * Unless TRIBUTARY_DELETION_BATCH is set, a batch is this many times the default batch size:
 * about a tenth of a second for 200,000 rows, by address or as a slice of the heap, where each
 * batch also costs a commit, a checkpoint and a few round trips (measured: a million rows in
 * batches of 20,000 took 0.3 s longer than in batches of 200,000). A batch size that is set is
 * taken as it is (an operator who wants short locks gets them).
 */
const defaultBatchFactor = 10;

/**
 * Unless TRIBUTARY_DELETION_BATCH is set, a table's rows found through an index go in one
 * statement up to this many batches' worth (a million rows by default, well under a second): any
 * way of cutting them into batches costs a pass of its own (measured on a million rows among ten
 * million: 1.6 to 2.6× one bare DELETE by repository or by listed address, against 1.26× for the
 * whole deletion this way), while slices of the heap cost nothing extra and stay small.
 */
const wholeByIndexFactor = 5;

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
			// tries, with heartbeats between, so a long write does not look like a dead worker. Its
			// repositories' URLs are blocked from being added again in the same transaction.
			let integration;
			for (;;) {
				try {
					integration = await db.transaction().execute(async (trx) => {
						await sql`set local lock_timeout = '2s'`.execute(trx);
						const marked = await trx
							.updateTable('integrations')
							.set({ data_status: 'deleting', status_detail: null })
							.where('id', '=', input.integrationId)
							.returning(['organization_id', 'name'])
							.executeTakeFirst();
						if (!marked) return undefined;
						await trx
							.insertInto('removed_accounts')
							.columns(['organization_id', 'account', 'integration_id', 'integration_name'])
							.expression((eb) =>
								eb
									.selectFrom('repos')
									.select((eb) => [eb.val(marked.organization_id).as('organization_id'), 'url', eb.val(input.integrationId).as('integration_id'), eb.val(marked.name).as('integration_name')])
									.where('integration_id', '=', input.integrationId)
							)
							.onConflict((oc) =>
								oc.columns(['organization_id', 'account']).doUpdateSet((eb) => ({
									integration_id: eb.ref('excluded.integration_id'),
									integration_name: eb.ref('excluded.integration_name'),
									removed_at: new Date()
								}))
							)
							.execute();
						return marked;
					});
					break;
				} catch (error) {
					if ((error as { code?: string }).code !== lockNotAvailable) throw error;
					keepAlive();
				}
			}
			if (!integration) return; // already gone: a retry after the last step
			const operation = await db.selectFrom('operations').select('stages').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			// Totals are only set once: a retried start must not shrink them to what is left. They are
			// the planner's estimates (counting a million rows exactly would cost a third of the
			// deletion itself); each stage's count becomes exact when its table is done.
			if (operation.stages.every((s) => s.total === 0)) {
				const holding = await tablesWithRows(db, input.integrationId);
				// One connection, one table after another: a few milliseconds each, where asking in
				// parallel would first open a connection per table.
				const totals = await db.connection().execute(async (connection) => {
					const estimates: number[] = [];
					for (const table of deletionTables) estimates.push(holding.has(table) ? await estimateRows(connection, table, input.integrationId) : 0);
					return estimates;
				});
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
		 * workflow's overhead small. Each batch writes how far its table got (deletion_checkpoints)
		 * in its own transaction, so a retry after a killed worker, or a restarted Postgres, carries
		 * on from exactly there; that is what lets batches commit without waiting for the disk
		 * (each wait costs as much as a slice's deletes). The last step commits normally, and so
		 * makes every batch before it durable.
		 */
		async deleteIntegrationData(input: { operationId: string; integrationId: string }): Promise<void> {
			const context = Context.current();
			const checkpoint: DeletionCheckpoint = {};
			const stored = await db.selectFrom('deletion_checkpoints').selectAll().where('operation_id', '=', input.operationId).execute();
			for (const row of stored) {
				checkpoint[row.table_name as DeletionTable] = {
					deleted: Number(row.deleted),
					finished: row.finished,
					...(row.next_page === null ? {} : { nextPage: row.next_page }),
					...(row.after_repo === null ? {} : { afterRepo: row.after_repo })
				};
			}
			// A retry: what the attempt before got done is told again, since it may have stopped between a
			// batch and its report (a table finished and never shown as finished).
			if (stored.length > 0) {
				await deps.progress.report(
					input.operationId,
					stored.map((row) => ({ stage: row.table_name, done: Number(row.deleted), ...(row.finished ? { total: Number(row.deleted) } : {}) }))
				);
			}
			const batchRows = deps.settings.deletionBatchSizeSet ? deps.settings.deletionBatchSize : deps.settings.deletionBatchSize * defaultBatchFactor;
			const wholeRows = deps.settings.deletionBatchSizeSet ? batchRows : batchRows * wholeByIndexFactor;
			let reported = 0;

			/** In a transaction, after its deletes: commit without waiting for the disk, and record where these tables stand. */
			async function recordTables(trx: Kysely<Database>, tables: Array<{ table: DeletionTable; state: TableState }>): Promise<void> {
				await sql`set local synchronous_commit = off`.execute(trx);
				await trx
					.insertInto('deletion_checkpoints')
					.values(
						tables.map(({ table, state }) => ({
							operation_id: input.operationId,
							table_name: table,
							deleted: state.deleted,
							finished: state.finished,
							next_page: state.nextPage ?? null,
							after_repo: state.afterRepo ?? null
						}))
					)
					.onConflict((oc) =>
						oc.columns(['operation_id', 'table_name']).doUpdateSet((eb) => ({
							deleted: eb.ref('excluded.deleted'),
							finished: eb.ref('excluded.finished'),
							next_page: eb.ref('excluded.next_page'),
							after_repo: eb.ref('excluded.after_repo')
						}))
					)
					.execute();
			}

			/** A batch of `table`: its deletes, then its checkpoint, in one transaction. */
			function recordBatch(trx: Kysely<Database>, table: DeletionTable, state: TableState, deleted: number, finished: boolean): Promise<void> {
				return recordTables(trx, [{ table, state: { ...state, deleted: state.deleted + deleted, finished } }]);
			}

			/** After each batch has committed: the heartbeat, and viewers a few times a second and always when a table is done (with its exact count). */
			async function batchDone(table: DeletionTable, state: TableState, deleted: number, finished: boolean): Promise<void> {
				state.deleted += deleted;
				state.finished = finished;
				context.heartbeat(checkpoint);
				if (!finished && Date.now() - reported < 250) return;
				reported = Date.now();
				await deps.progress.report(input.operationId, {
					stage: table,
					done: state.deleted,
					...(finished ? { total: state.deleted } : {}),
					currentItem: `${deletionLabels[table]}: ${state.deleted.toLocaleString('en')} removed`
				});
			}

			/** One slice of the heap: deletes and commits the integration's rows in it, up to the table's end. */
			async function deleteSlice(table: DeletionTable, plan: Extract<BatchPlan, { kind: 'slices' }>, state: TableState): Promise<void> {
				const from = state.nextPage ?? 0;
				const to = from + plan.pagesPerSlice;
				const batch = await db.transaction().execute(async (trx) => {
					// "is true" keeps the planner off the integration_id index: the slice is read in heap order.
					const result = await sql`
						delete from ${sql.table(table)}
						where ctid >= ${`(${from},0)`}::tid and ctid < ${`(${to},0)`}::tid and (integration_id = ${input.integrationId}) is true`.execute(trx);
					const deleted = Number(result.numAffectedRows ?? 0);
					// Done at the table's end as it is now: it may have grown since the plan was made.
					const finished = to >= plan.pages && to >= (await relationPages(trx, table));
					await recordBatch(trx, table, { ...state, nextPage: to }, deleted, finished);
					return { deleted, finished };
				});
				state.nextPage = to;
				await batchDone(table, state, batch.deleted, batch.finished);
			}

			/**
			 * The listed plan, on one connection (its temporary table is that session's): where each
			 * row is, from one index scan, then batches of those addresses, each committing alone. A
			 * retry lists what is left. The integration_id check stays: an address freed by vacuum
			 * could meanwhile hold another integration's row.
			 */
			async function deleteListed(table: DeletionTable, state: TableState): Promise<void> {
				const rows = batchRows;
				await db.connection().execute(async (connection) => {
					await sql`create temp table if not exists doomed_rows (n bigint not null, tid tid not null)`.execute(connection);
					await sql`truncate doomed_rows`.execute(connection);
					try {
						const listed = await sql`
							insert into doomed_rows select row_number() over (), ctid from ${sql.table(table)} where integration_id = ${input.integrationId}`.execute(connection);
						const count = Number(listed.numAffectedRows ?? 0);
						if (count === 0) {
							await connection.transaction().execute((trx) => recordBatch(trx, table, state, 0, true));
							await batchDone(table, state, 0, true);
						}
						for (let from = 0; from < count; from += rows) {
							const finished = from + rows >= count;
							const deleted = await connection.transaction().execute(async (trx) => {
								const result = await sql`
									delete from ${sql.table(table)}
									where ctid = any(array(select tid from doomed_rows where n > ${from} and n <= ${from + rows}))
									and integration_id = ${input.integrationId}`.execute(trx);
								const deleted = Number(result.numAffectedRows ?? 0);
								await recordBatch(trx, table, state, deleted, finished);
								return deleted;
							});
							await batchDone(table, state, deleted, finished);
						}
					} finally {
						// The connection goes back to the pool: nothing of this table may stay on it.
						await sql`drop table if exists doomed_rows`.execute(connection).catch(() => {});
					}
				});
			}

			/**
			 * The by-repo plan: the integration's repositories in id order, as many in each batch as
			 * should hold one batch of rows (the estimate spread evenly), each batch committing alone
			 * with the last repository it finished.
			 */
			async function deleteByRepo(table: DeletionTable, plan: Extract<BatchPlan, { kind: 'by-repo' }>, state: TableState): Promise<void> {
				const repos = (await db.selectFrom('repos').select('id').where('integration_id', '=', input.integrationId).orderBy('id').execute()).map((r) => r.id);
				const perBatch = plan.reposPerBatch;
				// Postgres orders uuids as their lowercase hex text.
				const left = state.afterRepo ? repos.filter((id) => id > state.afterRepo!) : repos;
				if (left.length === 0) {
					await db.transaction().execute((trx) => recordBatch(trx, table, state, 0, true));
					return batchDone(table, state, 0, true);
				}
				for (let from = 0; from < left.length; from += perBatch) {
					const batch = left.slice(from, from + perBatch);
					const finished = from + perBatch >= left.length;
					const deleted = await db.transaction().execute(async (trx) => {
						// Through the primary key only: "is true" keeps the integration_id index out (ANDing it in
						// would read all of the integration's entries for every batch), and no sequential scan
						// (for most of the integration's repositories at once the planner may take one, and read
						// every other integration's rows too: measured 0.85 s where one bare DELETE took 0.2 s).
						await sql`set local enable_seqscan = off`.execute(trx);
						const result = await sql`
							delete from ${sql.table(table)}
							where repo_id = any(${batch}::uuid[]) and (integration_id = ${input.integrationId}) is true`.execute(trx);
						const deleted = Number(result.numAffectedRows ?? 0);
						await recordBatch(trx, table, { ...state, afterRepo: batch.at(-1)! }, deleted, finished);
						return deleted;
					});
					state.afterRepo = batch.at(-1)!;
					await batchDone(table, state, deleted, finished);
				}
			}

			async function deleteTable(table: DeletionTable): Promise<void> {
				const state = (checkpoint[table] ??= { deleted: 0, finished: false });
				if (state.finished) return;
				const plan = await planBatches(db, table, input.integrationId, batchRows, wholeRows);
				if (plan.kind === 'whole') {
					const deleted = await db.transaction().execute(async (trx) => {
						const result = await sql`delete from ${sql.table(table)} where integration_id = ${input.integrationId}`.execute(trx);
						const deleted = Number(result.numAffectedRows ?? 0);
						await recordBatch(trx, table, state, deleted, true);
						return deleted;
					});
					return batchDone(table, state, deleted, true);
				}
				if (plan.kind === 'listed') return deleteListed(table, state);
				if (plan.kind === 'by-repo') return deleteByRepo(table, plan, state);
				while (!state.finished) await deleteSlice(table, plan, state);
			}

			// Tables with nothing of the integration are done at once, all told in one report. Rows can
			// no longer appear in them: updates have stopped and later writes see the "deleting" mark.
			const holding = await tablesWithRows(db, input.integrationId);
			const empty = deletionTables.filter((table) => !holding.has(table) && !checkpoint[table]?.finished);
			if (empty.length > 0) {
				for (const table of empty) checkpoint[table] = { ...checkpoint[table], deleted: checkpoint[table]?.deleted ?? 0, finished: true };
				await db.transaction().execute((trx) => recordTables(trx, empty.map((table) => ({ table, state: checkpoint[table]! }))));
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
				await trx.deleteFrom('deletion_checkpoints').where('operation_id', '=', input.operationId).execute();
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
			await db.deleteFrom('deletion_checkpoints').where('operation_id', '=', input.operationId).execute();
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
