// Deleting an integration beside other integrations' data in the same tables and pages: only its
// rows go, whichever way the batches find them (slices of the heap where its rows are most of a
// table; where they are few, a few repositories at a time through the primary key, or addresses
// listed from the integration_id index); and a write to its data that was under way
// when the deletion began finishes first and is deleted with the rest.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import { holdForWriting } from '#core/integrations/queries.ts';
import { planBatches, tablesWithRows } from '../../worker/activities/integrations/delete.ts';
import { recomputeDailyMetrics } from '../../worker/activities/integrations/deployments.ts';
import { deletionTables } from '../../workflows/integrations/contract.ts';
import { countIntegrationRows, fillIntegrationData } from '../support/integration-data.ts';
import { createTestSystem, demoUser, signedInUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

// Small batches: many slices and many index batches even on a modest table.
const batchSize = 500;

let system: TestSystem;
let web: RunningWeb;
const cookies: Record<string, string> = {};
const integrations: Record<'big' | 'small' | 'medium' | 'spread' | 'globex', string> = { big: '', small: '', medium: '', spread: '', globex: '' };

async function addIntegration(user: SignedInUser, label: string, repos: number, commitsPerRepo: number): Promise<string> {
	const repositories = Array.from({ length: repos }, (_, i) => ({
		url: `file:///deletion-test/${label}/repo-${i}`,
		display: `/deletion-test/${label}/repo-${i}`,
		name: `repo-${i}`
	}));
	const integration = await createGenericGitIntegration(system.database.db, user, {
		name: `Deletion ${label}`,
		repositories,
		credentials: { method: 'none' },
		deploymentsFromTags: false
	});
	await fillIntegrationData(system.database.db, integration.id, { repos, commitsPerRepo });
	return integration.id;
}

const rowsOf = (integrationId: string) => countIntegrationRows(system.database.db, integrationId);

const nothing = Object.fromEntries(deletionTables.map((table) => [table, 0]));

/** Asks for the deletion as a person would (confirmed); returns its operation's id. */
async function requestDeletion(cookie: string, integrationId: string): Promise<string> {
	const confirmed = await submitAction(web.url, '/integrations?/remove', { id: integrationId, confirm: 'yes' }, cookie);
	expect(confirmed.type).toBe('success');
	const operation = await system.database.db
		.selectFrom('operations')
		.select('id')
		.where('scope', '=', `integration:${integrationId}`)
		.where('kind', '=', 'integration.delete')
		.executeTakeFirstOrThrow();
	return operation.id;
}

async function expectSuccess(operationId: string): Promise<void> {
	const ended = await waitForOperationEnd(system, operationId);
	expect(ended.state, ended.error ?? '').toBe('succeeded');
}

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_DELETION_BATCH: String(batchSize) });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	for (const email of ['deleter@acme.example', 'admin@globex.example']) {
		cookies[email] = await signIn(web.url, email, demoUser(demo, email).password);
	}
	const acme = await signedInUser(system, 'admin@acme.example');
	const globex = await signedInUser(system, 'admin@globex.example');
	// Filled one after another: where one ends and the next begins, pages hold both.
	integrations.big = await addIntegration(acme, 'big', 4, 3_000);
	integrations.small = await addIntegration(acme, 'small', 1, 60);
	integrations.medium = await addIntegration(acme, 'medium', 1, 400);
	integrations.spread = await addIntegration(acme, 'spread', 4, 100);
	integrations.globex = await addIntegration(globex, 'globex', 2, 400);
	for (const table of [...deletionTables, 'integrations']) await sql.raw(`analyze ${table}`).execute(system.database.db);
}, 300_000);
afterAll(() => system?.stop());

describe('deleting an integration among others', () => {
	it('knows at once which tables hold nothing of the integration (they need no plan and no batch)', async () => {
		const holding = await tablesWithRows(system.database.db, integrations.small);
		expect([...holding].sort()).toEqual(['commit_files', 'commits', 'repo_daily_metrics', 'repos', 'tags']);
		expect(await tablesWithRows(system.database.db, '00000000-0000-0000-0000-000000000000')).toEqual(new Set());
	});

	it('finds a few rows through the index and leaves every other row where it was', async () => {
		// Fewer rows than a batch: one statement. More (Globex's, deleted below): listed once, then batches by address.
		expect(await planBatches(system.database.db, 'commit_files', integrations.small, batchSize)).toEqual({ kind: 'whole' });

		const big = await rowsOf(integrations.big);
		const globex = await rowsOf(integrations.globex);
		expect((await rowsOf(integrations.small)).commit_files).toBe(210);

		await expectSuccess(await requestDeletion(cookies['deleter@acme.example']!, integrations.small));

		expect(await rowsOf(integrations.small)).toEqual(nothing);
		expect(await rowsOf(integrations.big)).toEqual(big);
		expect(await rowsOf(integrations.globex)).toEqual(globex);
	});

	it('deletes a few repositories at a time through the primary key where each holds less than a batch, with exact counts', async () => {
		// 1,400 file changes in four repositories of 350: a repository a batch.
		const plan = await planBatches(system.database.db, 'commit_files', integrations.spread, batchSize);
		expect(plan).toEqual({ kind: 'by-repo', reposPerBatch: 1 });
		const before = await rowsOf(integrations.spread);
		expect(before.commit_files).toBe(1_400);
		const others = await Promise.all([integrations.big, integrations.medium, integrations.globex].map(rowsOf));

		const operationId = await requestDeletion(cookies['deleter@acme.example']!, integrations.spread);
		// Batch by batch: a viewer sees the file changes go a repository at a time (each batch
		// reports its count), never all at once and never more than there were.
		const seen = new Set<number>();
		await waitFor('the deletion to end', async () => {
			const operation = await system.database.db.selectFrom('operations').select(['state', 'stages']).where('id', '=', operationId).executeTakeFirstOrThrow();
			const done = operation.stages.find((stage) => stage.key === 'commit_files')?.done;
			if (done !== undefined) seen.add(done);
			return operation.state !== 'running';
		});
		await expectSuccess(operationId);

		expect(await rowsOf(integrations.spread)).toEqual(nothing);
		expect(await Promise.all([integrations.big, integrations.medium, integrations.globex].map(rowsOf))).toEqual(others);
		const { stages } = await system.database.db.selectFrom('operations').select('stages').where('id', '=', operationId).executeTakeFirstOrThrow();
		expect(stages.find((stage) => stage.key === 'commit_files')).toMatchObject({ done: 1_400, total: 1_400 });
		expect([...seen].every((done) => done % 350 === 0 && done <= 1_400)).toBe(true);
	});

	it('deletes more rows than a batch through the index: listed once, then batch by batch, with exact counts', async () => {
		// One repository larger than a batch: its addresses are listed.
		expect(await planBatches(system.database.db, 'commit_files', integrations.medium, batchSize)).toEqual({ kind: 'listed' });
		const before = await rowsOf(integrations.medium);
		expect(before.commit_files).toBeGreaterThan(2 * batchSize);
		const big = await rowsOf(integrations.big);
		const globex = await rowsOf(integrations.globex);

		const operationId = await requestDeletion(cookies['deleter@acme.example']!, integrations.medium);
		await expectSuccess(operationId);

		expect(await rowsOf(integrations.medium)).toEqual(nothing);
		expect(await rowsOf(integrations.big)).toEqual(big);
		expect(await rowsOf(integrations.globex)).toEqual(globex);
		const { stages } = await system.database.db.selectFrom('operations').select('stages').where('id', '=', operationId).executeTakeFirstOrThrow();
		const files = stages.find((stage) => stage.key === 'commit_files');
		expect(files).toMatchObject({ done: before.commit_files, total: before.commit_files });
		// Nothing of the listing is left on the pooled connections.
		const leftover = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = 'doomed_rows'`.execute(system.database.db);
		expect(leftover.rows[0]!.n).toBe(0);
	});

	it('reads most of a table in slices of the heap, and still takes only its own rows', async () => {
		const plan = await planBatches(system.database.db, 'commit_files', integrations.big, batchSize);
		expect(plan.kind).toBe('slices');
		// Many slices: the checkpoint moves page by page, not once for the whole table.
		expect(plan.kind === 'slices' && plan.pages / plan.pagesPerSlice).toBeGreaterThan(10);
		const globex = await rowsOf(integrations.globex);

		await expectSuccess(await requestDeletion(cookies['deleter@acme.example']!, integrations.big));

		expect(await rowsOf(integrations.big)).toEqual(nothing);
		expect(await rowsOf(integrations.globex)).toEqual(globex);
		const gone = await system.database.db.selectFrom('integrations').select('id').where('id', 'in', [integrations.big, integrations.small]).execute();
		expect(gone).toEqual([]);
	});

	it('lets a write already under way finish first, deletes what it wrote, and refuses writes after', async () => {
		const { pool, db } = system.database;
		const repos = await db.selectFrom('repos').select(['id', 'organization_id']).where('integration_id', '=', integrations.globex).execute();
		expect(repos.length).toBeGreaterThan(0);
		const writer = await pool.connect();
		let deletion: string;
		try {
			// A write under way: it holds the integration's row, as holdForWriting does, and has not written yet.
			await writer.query('begin');
			const status = await writer.query<{ data_status: string }>(`select data_status from integrations where id = $1 for share`, [integrations.globex]);
			expect(status.rows[0]!.data_status).not.toBe('deleting');

			const writerPid = (await writer.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

			deletion = await requestDeletion(cookies['admin@globex.example']!, integrations.globex);
			// The deletion waits for the write: Postgres shows its marking of the integration blocked by
			// the writer, and the integration is not marked deleting meanwhile.
			await waitFor('the deletion to wait for the write under way', async () => {
				const blocked = await sql<{ n: number }>`
					select count(*)::int as n from pg_stat_activity
					where ${writerPid}::int = any(pg_blocking_pids(pid)) and query like 'update "integrations" set "data_status"%'`.execute(db);
				return blocked.rows[0]!.n > 0;
			});
			const during = await db.selectFrom('integrations').select('data_status').where('id', '=', integrations.globex).executeTakeFirstOrThrow();
			expect(during.data_status).not.toBe('deleting');

			// Written for the repositories it knew when it began, whatever the deletion did meanwhile.
			const written = await writer.query(
				`insert into repo_daily_metrics (organization_id, integration_id, repo_id, day, commits, additions, deletions, deployments)
				select $1, $2, repo_id, date '1999-12-31', 1, 1, 1, 0 from unnest($3::uuid[]) as repo_id`,
				[repos[0]!.organization_id, integrations.globex, repos.map((r) => r.id)]
			);
			expect(written.rowCount).toBe(repos.length);
			await writer.query('commit');
		} finally {
			writer.release();
		}
		await expectSuccess(deletion);
		expect(await rowsOf(integrations.globex)).toEqual(nothing);

		// A write that comes after finds nothing to write to.
		expect(await db.transaction().execute((trx) => holdForWriting(trx, integrations.globex))).toBe(false);
		expect(await recomputeDailyMetrics(db, integrations.globex)).toBe(0);
		expect(await rowsOf(integrations.globex)).toEqual(nothing);
	});
});
