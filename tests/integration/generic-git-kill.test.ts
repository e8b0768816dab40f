// SIGKILL of the worker mid-ingest: the retried ingest resumes from its checkpoint, writing again
// only what was stored after it (a restart from zero would write every stored commit again).
// Then at random moments, five times during an Update and five times during a Delete: the Update
// ends with counts equal to the source; the Delete ends with nothing of the integration left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { getOperation } from '#core/operations/queries.ts';
import { ingestRepoWorkflowId } from '../../workflows/integrations/contract.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningProcess, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let globex: string;
let sources: string[];
let temporal: Client;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
	// Small deletion batches: many checkpoints, and a deletion long enough to be killed in.
	system = await createTestSystem({ TRIBUTARY_DELETION_BATCH: '100', TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	web = await system.startWeb();
	worker = await system.startWorker();
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	// The random kills run on Globex's copy of the same repositories (Acme's is the resume test's).
	globex = await signIn(web.url, 'admin@globex.example', demoUser(demo, 'admin@globex.example').password);
	temporal = new Client({ connection: await Connection.connect({ address: system.env.TEMPORAL_ADDRESS! }) });
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-kill-'));
	sources = [path.join(root, 'alpha'), path.join(root, 'beta'), path.join(root, 'gamma')];
	for (const [index, dir] of sources.entries()) await generateRepository(dir, { commits: 8_000, branches: 5, tags: 15, seed: 20 + index });
}, 300_000);
afterAll(async () => {
	await temporal?.connection.close();
	await system?.stop();
});

/** Kills the worker `times` times at random moments while `running()` holds, starting a new one after each. */
async function killRepeatedly(times: number, running: () => Promise<boolean>): Promise<number> {
	let kills = 0;
	while (kills < times && (await running())) {
		await new Promise((r) => setTimeout(r, 300 + Math.random() * 1_500));
		if (!(await running())) break;
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		kills++;
		worker = await system.startWorker();
	}
	return kills;
}

/**
 * Kills the worker `times` times, each time just after the operation's bars moved since the
 * worker (re)started: every kill lands in work under way, resumed from its checkpoint.
 */
/**
 * Kills the worker up to `times` times while the operation runs, each once the worker before has
 * moved the work on (so every kill lands in work under way). Returns how many kills it made: a
 * resumed deletion can finish between two polls on a busy machine (its totals are the planner's
 * estimates, so the work left cannot be told in advance).
 */
async function killWhileProgressing(times: number, operationId: string): Promise<number> {
	let kills = 0;
	let since: number | undefined;
	for (;;) {
		const operation = await getOperation(system.database.db, operationId);
		if (kills >= times || operation?.state !== 'running') return kills;
		const done = operation.stages.reduce((sum, stage) => sum + stage.done, 0);
		if (since === undefined) since = done;
		else if (done > since) {
			worker.child.kill('SIGKILL');
			await new Promise((resolve) => worker.child.once('exit', resolve));
			kills++;
			since = undefined;
			worker = await system.startWorker();
		}
		await new Promise((r) => setTimeout(r, 20));
	}
}

async function operationRunning(id: string): Promise<boolean> {
	return (await getOperation(system.database.db, id))?.state === 'running';
}

const waitForEnd = (id: string) => waitForOperationEnd(system, id, 600_000);

/** Where Temporal holds an ingest's checkpoint: commits written (its heartbeat details), if the ingest is still to finish. */
async function ingestCheckpoint(repoId: string, operationId: string): Promise<number | undefined> {
	const description = await temporal.workflow.getHandle(ingestRepoWorkflowId(repoId, operationId)).describe().catch(() => undefined);
	const activity = description?.raw.pendingActivities?.find((a) => a.activityType?.name === 'ingestRepo');
	if (!activity) return undefined;
	const details = activity.heartbeatDetails?.payloads?.[0];
	return details ? defaultPayloadConverter.fromPayload<{ written: number }>(details).written : 0;
}

async function storedCommits(repoId: string): Promise<number> {
	const { n } = await system.database.db.selectFrom('commits').select(sql<number>`count(*)::int`.as('n')).where('repo_id', '=', repoId).executeTakeFirstOrThrow();
	return n;
}

/** Counts every commit row offered again (by COPY or INSERT) while its sha is already stored, whether or not that write commits. */
async function countCommitsWrittenAgain(): Promise<{ count(): Promise<number>; stop(): Promise<void> }> {
	const { db } = system.database;
	await sql`create sequence commits_written_again`.execute(db);
	await sql`create function count_commit_written_again() returns trigger language plpgsql as $$
		begin
			if exists (select 1 from commits where repo_id = new.repo_id and sha = new.sha) then perform nextval('commits_written_again'); end if;
			return new;
		end $$`.execute(db);
	await sql`create trigger count_commit_written_again before insert on commits for each row execute function count_commit_written_again()`.execute(db);
	return {
		async count() {
			const { rows } = await sql<{ n: number }>`select case when is_called then last_value else 0 end::int as n from commits_written_again`.execute(db);
			return rows[0]!.n;
		},
		async stop() {
			await sql`drop trigger count_commit_written_again on commits`.execute(db);
			await sql`drop function count_commit_written_again()`.execute(db);
			await sql`drop sequence commits_written_again`.execute(db);
		}
	};
}

async function expectCountsOfSources(integrationId: string): Promise<void> {
	for (const source of sources) {
		const repo = await system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integrationId).where('url', '=', `file://${source}`).executeTakeFirstOrThrow();
		expect(await storedCommits(repo.id)).toBe(Number(git(source, 'rev-list', '--all', '--count')));
		expect(repo.commits_count).toBe(Number(git(source, 'rev-list', '--all', '--count')));
		expect(repo.tags_count).toBe(git(source, 'tag').split('\n').filter(Boolean).length);
	}
}

async function addIntegration(name: string, cookie: string): Promise<{ integrationId: string; operationId: string }> {
	const added = await submitAction(web.url, '/integrations/new/generic-git', { name, urls: sources.map((s) => `file://${s}`).join('\n'), authMethod: 'none' }, cookie);
	expect(added.type, JSON.stringify(added)).toBe('redirect');
	const { id } = await system.database.db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow();
	const op = await system.database.db.selectFrom('operations').select('id').where('scope', '=', `integration:${id}`).executeTakeFirstOrThrow();
	return { integrationId: id, operationId: op.id };
}

describe('a worker killed mid-ingest', () => {
	it('resumes from the checkpoint: what was stored before it is not written again', async () => {
		const writtenAgain = await countCommitsWrittenAgain();
		try {
			const { integrationId, operationId } = await addIntegration('Resumed', manager);
			const repos = await system.database.db.selectFrom('repos').select('id').where('integration_id', '=', integrationId).execute();
			// Kill once Temporal holds a checkpoint past the first commits of some repository.
			await waitFor('a checkpoint with commits written', async () => {
				for (const repo of repos) if (((await ingestCheckpoint(repo.id, operationId)) ?? 0) > 0) return true;
				return false;
			});
			worker.child.kill('SIGKILL');
			await new Promise((resolve) => worker.child.once('exit', resolve));
			// Per unfinished ingest: commits stored, and where its checkpoint says it got to.
			let stored = 0;
			let checkpointed = 0;
			for (const repo of repos) {
				const checkpoint = await ingestCheckpoint(repo.id, operationId);
				if (checkpoint === undefined) continue;
				stored += await storedCommits(repo.id);
				checkpointed += checkpoint;
			}
			expect(checkpointed).toBeGreaterThan(0);

			worker = await system.startWorker();
			const ended = await waitForEnd(operationId);
			expect(ended.state, ended.error ?? '').toBe('succeeded');
			await expectCountsOfSources(integrationId);
			// A restart from zero offers every stored commit again; a resume only those stored after
			// the checkpoint (each at most twice: a COPY that meets them, then the staging insert).
			const again = await writtenAgain.count();
			expect(again).toBeLessThan(stored);
			expect(again).toBeLessThanOrEqual(2 * (stored - checkpointed));
		} finally {
			await writtenAgain.stop();
		}
	}, 600_000);
});

let integrationId: string;

describe('a worker killed again and again', () => {
	it('still ends an Update with exact counts', async () => {
		const added = await addIntegration('Killed', globex);
		integrationId = added.integrationId;
		const kills = await killRepeatedly(5, () => operationRunning(added.operationId));
		const ended = await waitForEnd(added.operationId);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		expect(kills).toBe(5);
		await expectCountsOfSources(integrationId);
	}, 900_000);

	it('still ends a Delete with nothing of the integration left, and exact counts', async () => {
		const tables = ['repos', 'commits', 'commit_files', 'tags', 'deployments', 'repo_daily_metrics'] as const;
		const before: Record<string, number> = {};
		for (const table of tables) {
			const { n } = await system.database.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
			before[table] = n;
		}
		await submitAction(web.url, '/integrations?/remove', { id: integrationId, confirm: 'yes' }, globex);
		const op = await system.database.db
			.selectFrom('operations')
			.select('id')
			.where('scope', '=', `integration:${integrationId}`)
			.where('kind', '=', 'integration.delete')
			.executeTakeFirstOrThrow();
		// Deleting by listed addresses is quick even in batches of 100: each kill waits for the
		// resumed deletion to move on, so it lands in the middle of its work.
		const kills = await killWhileProgressing(3, op.id);
		const ended = await waitForEnd(op.id);
		// Killed again and again: at least twice in the middle of its work (a third kill is tried).
		expect(kills).toBeGreaterThanOrEqual(2);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		// Each table's count on the deletion's page is what it held: batches killed half-way were
		// neither lost nor counted twice (their checkpoints commit with their deletes).
		for (const table of tables) expect(ended.stages.find((stage) => stage.key === table), table).toMatchObject({ done: before[table], total: before[table] });
		const checkpoints = await system.database.db.selectFrom('deletion_checkpoints').select('table_name').where('operation_id', '=', op.id).execute();
		expect(checkpoints).toEqual([]);
		for (const table of ['repos', 'commits', 'commit_files', 'tags', 'deployments', 'repo_daily_metrics'] as const) {
			const { n } = await system.database.db
				.selectFrom(table)
				.select(sql<number>`count(*)::int`.as('n'))
				.where('integration_id', '=', integrationId)
				.executeTakeFirstOrThrow();
			expect(n, table).toBe(0);
		}
	}, 900_000);
});
