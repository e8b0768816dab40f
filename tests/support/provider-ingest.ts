// What the hosted providers' end-to-end tests share: starting an Update through the web action and
// waiting for it, the pull request rows an integration holds per repository, their row versions
// (equal: nothing written), duplicates, and what git itself counts in a simulated repository.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '#core/db/database.ts';
import { getOperation } from '#core/operations/queries.ts';
import { submitAction, waitFor, waitForOperationEnd, type RunningProcess, type TestSystem } from './system.ts';

export const activityTables = ['pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments'] as const;
export const pullRequestTables = ['pull_requests', ...activityTables] as const;

export type PullRequestCounts = { pullRequests: number; reviews: number; reviewComments: number; comments: number };

/** Where a test's simulator keeps its bare repositories (tests/simulator/support.ts names it so). */
export const simulatorGitDir = (simulatorName: string) => path.join(os.tmpdir(), 'tributary-simulator-tests', simulatorName, 'git');

/** What git itself counts in the simulator's bare repository of `owner`'s `repository`. */
export function realCommits(simulatorName: string, owner: string, repository: string): number {
	const gitDir = path.join(simulatorGitDir(simulatorName), owner, `${repository}.git`);
	return Number(execFileSync('git', ['--git-dir', gitDir, 'rev-list', '--all', '--count'], { encoding: 'utf8' }).trim());
}

/** Presses Update as `cookie`; the new update operation's id. */
export async function startUpdate(system: TestSystem, webUrl: string, integrationId: string, cookie: string): Promise<string> {
	const db = system.database.db;
	const latest = () =>
		db.selectFrom('operations').select('id').where('scope', '=', `integration:${integrationId}`).where('kind', '=', 'integration.update').orderBy('started_at', 'desc').executeTakeFirst();
	const before = (await latest())?.id;
	const response = await submitAction(webUrl, `/integrations/${integrationId}?/update`, {}, cookie);
	expect(response.type, JSON.stringify(response)).toBe('success');
	return waitFor('the update operation', async () => {
		const row = await latest();
		return row && row.id !== before ? row.id : undefined;
	});
}

/** An Update to its successful end. */
export async function update(system: TestSystem, webUrl: string, integrationId: string, cookie: string) {
	const operation = await waitForOperationEnd(system, await startUpdate(system, webUrl, integrationId, cookie), 180_000);
	expect(operation.error).toBeNull();
	expect(operation.state).toBe('succeeded');
	return operation;
}

/** Per imported repository (by name): pull requests, reviews, review comments and comments stored. */
export async function storedCounts(db: Kysely<Database>, integrationId: string): Promise<Record<string, PullRequestCounts>> {
	const repos = await db.selectFrom('repos').select(['id', 'name']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
	const result: Record<string, PullRequestCounts> = {};
	for (const repo of repos) {
		const count = async (table: (typeof pullRequestTables)[number]) => (await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('repo_id', '=', repo.id).executeTakeFirstOrThrow()).n;
		result[repo.name] = { pullRequests: await count('pull_requests'), reviews: await count('pull_request_reviews'), reviewComments: await count('pull_request_review_comments'), comments: await count('pull_request_comments') };
	}
	return result;
}

/** Every stored row's version (xmin changes whenever a row is written): equal means nothing was written. */
export async function rowVersions(db: Kysely<Database>, integrationId: string): Promise<string> {
	const parts: string[] = [];
	for (const table of pullRequestTables) {
		const row = await sql<{ v: string }>`select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by repo_id, provider_id), '') as v from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
		parts.push(row.rows[0]!.v);
	}
	return parts.join('|');
}

/** No pull request, review or comment is stored twice. */
export async function expectNoDuplicates(db: Kysely<Database>, integrationId: string): Promise<void> {
	for (const table of pullRequestTables) {
		const { rows } = await sql<{ all: number; distinct: number }>`select count(*)::int as all, count(distinct (repo_id, provider_id))::int as distinct from ${sql.table(table)} where integration_id = ${integrationId}`.execute(db);
		expect(rows[0]!.all, table).toBe(rows[0]!.distinct);
	}
}

/** Forgets an integration's pull requests and cursors: the next update reads everything again. */
export async function forgetPullRequests(db: Kysely<Database>, integrationId: string): Promise<void> {
	for (const table of pullRequestTables) await db.deleteFrom(table).where('integration_id', '=', integrationId).execute();
	await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', integrationId).execute();
}

/**
 * Kills the worker with SIGKILL once a third of `total` pull requests are stored (the ingest is
 * then between pages), and checks that the update was cut short: fewer stored, still running.
 */
export async function killWorkerMidIngest(system: TestSystem, worker: RunningProcess, integrationId: string, operationId: string, total: number): Promise<void> {
	const db = system.database.db;
	const storedAtKill = await waitFor(
		'part of the pull requests stored',
		async () => {
			const { n } = await db.selectFrom('pull_requests').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
			return n >= total / 3 ? n : undefined;
		},
		120_000
	);
	worker.child.kill('SIGKILL');
	await new Promise((resolve) => worker.child.once('exit', resolve));
	expect(storedAtKill).toBeLessThan(total);
	expect((await getOperation(db, operationId))!.state).toBe('running');
}
