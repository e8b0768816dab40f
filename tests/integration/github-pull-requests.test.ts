// GitHub pull requests end to end: a GitHub Enterprise Server integration on the simulator (a
// real process, reached by the product's own field client), updated by the real web, worker,
// Temporal and Postgres. Counts equal the simulator's, a second update writes nothing and stops
// at the cursor, changes made on the provider arrive with the next update, a worker killed with
// SIGKILL mid-ingest resumes from its checkpoint, and a spent quota pauses the work until its
// reset (a Temporal timer) and resumes it by itself.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOperation } from '#core/operations/queries.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { addSimulatedGitHub, startTestSimulator } from '../simulator/support.ts';
import {
	createTestSystem,
	demoUser,
	signedInUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

const pullRequestsPerRepo = 200;

let simulator: RunningSimulator;
let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
const cookies: Record<string, string> = {};
/** The repositories the first update's discovery imported (the token sees the same for every integration). */
let repositories: string[];
/** Their pull requests, as the simulator counts them. */
let total: number;

const activityTables = ['pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments'] as const;

beforeAll(async () => {
	simulator = await startTestSimulator('github-pull-requests', { orgs: 1, reposPerOrg: 3, pullRequests: pullRequestsPerRepo, commits: 20 });
	system = await createTestSystem({
		TRIBUTARY_GIT_SCHEMES: 'http,https,ssh',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3'
	});
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	for (const email of ['manager@acme.example', 'admin@globex.example']) cookies[email] = await signIn(web.url, email, demoUser(demo, email).password);
}, 180_000);

afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

/** A GitHub Enterprise Server integration of the simulator, `email`'s organisation's; its first update discovers the repositories. */
async function addIntegration(email: string, name: string): Promise<string> {
	const user = await signedInUser(system, email);
	return addSimulatedGitHub(system.database.db, user, simulator, { name, credentialSummary: 'Token of sim-user' });
}

/** Starts an update as the person would (the page's Update button) and returns its operation's id. */
async function startUpdate(email: string, integrationId: string): Promise<string> {
	const before = await latestUpdate(integrationId);
	const response = await submitAction(web.url, `/integrations/${integrationId}?/update`, {}, cookies[email]);
	expect(response.type, response.error).toBe('success');
	return waitFor('the update operation', async () => {
		const latest = await latestUpdate(integrationId);
		return latest && latest !== before ? latest : undefined;
	});
}

async function latestUpdate(integrationId: string): Promise<string | undefined> {
	const row = await system.database.db
		.selectFrom('operations')
		.select('id')
		.where('scope', '=', `integration:${integrationId}`)
		.where('kind', '=', 'integration.update')
		.orderBy('started_at', 'desc')
		.executeTakeFirst();
	return row?.id;
}

async function update(email: string, integrationId: string, timeoutMs = 120_000): Promise<Operation> {
	const operation = await waitForOperationEnd(system, await startUpdate(email, integrationId), timeoutMs);
	expect(operation.error).toBeNull();
	expect(operation.state).toBe('succeeded');
	return operation;
}

/** Per repository: pull requests, reviews, review comments and comments stored, by full name. */
async function storedCounts(integrationId: string) {
	const { db } = system.database;
	const repos = await db.selectFrom('repos').select(['id', 'name', 'pull_requests_count']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
	const result: Record<string, { pullRequests: number; reviews: number; reviewComments: number; comments: number; column: number }> = {};
	for (const repo of repos) {
		const count = async (table: 'pull_requests' | (typeof activityTables)[number]) =>
			(await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('repo_id', '=', repo.id).executeTakeFirstOrThrow()).n;
		result[repo.name] = {
			pullRequests: await count('pull_requests'),
			reviews: await count('pull_request_reviews'),
			reviewComments: await count('pull_request_review_comments'),
			comments: await count('pull_request_comments'),
			column: repo.pull_requests_count
		};
	}
	return result;
}

/** What the simulator holds, in the same shape. */
async function simulatorCounts() {
	const stats = await simulator.control.stats();
	return Object.fromEntries(
		stats.repositories
			.filter((r) => repositories.includes(r.repository))
			.map((r) => [r.repository, { pullRequests: r.pullRequests, reviews: r.reviews, reviewComments: r.reviewComments, comments: r.comments, column: r.pullRequests }])
	);
}

/** Every stored row's version (xmin changes whenever a row is written): equal means nothing was written. */
async function rowVersions(integrationId: string): Promise<string> {
	const parts: string[] = [];
	for (const table of ['pull_requests', ...activityTables] as const) {
		const row = await sql<{ v: string }>`select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by repo_id, provider_id), '') as v from ${sql.table(table)} where integration_id = ${integrationId}`.execute(
			system.database.db
		);
		parts.push(row.rows[0]!.v);
	}
	return parts.join('|');
}

const requestsOf = async (kind: string) => (await simulator.control.stats()).requests.byKind[kind] ?? 0;

describe('GitHub pull requests', () => {
	let acme: string;

	it('stores every pull request, review, review comment and comment the simulator has, with its own stage', async () => {
		acme = await addIntegration('manager@acme.example', 'Acme GitHub');
		const operation = await update('manager@acme.example', acme);
		repositories = Object.keys(await storedCounts(acme));
		expect(repositories).toEqual(expect.arrayContaining(['acme/api', 'acme/web']));
		total = Object.values(await simulatorCounts()).reduce((n, r) => n + r.pullRequests, 0);
		expect(total).toBeGreaterThanOrEqual(2 * pullRequestsPerRepo);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts());
		const stage = operation.stages.find((s) => s.key === 'pull-requests');
		expect(stage).toMatchObject({ label: 'Pull requests', done: total, total });
		expect(operation.result).toMatchObject({ pullRequests: total });

		// What the rows say matches what GitHub says about them.
		const { db } = system.database;
		const states = await db.selectFrom('pull_requests').select(['state', sql<number>`count(*)::int`.as('n')]).where('integration_id', '=', acme).groupBy('state').execute();
		const stats = (await simulator.control.stats()).repositories.filter((r) => repositories.includes(r.repository));
		const sum = (key: 'open' | 'closed' | 'merged') => stats.reduce((total, r) => total + (r as unknown as Record<string, number>)[key]!, 0);
		expect(Object.fromEntries(states.map((s) => [s.state, s.n]))).toEqual({ open: sum('open'), closed: sum('closed'), merged: sum('merged') });
		const missing = await db
			.selectFrom('pull_requests')
			.select(sql<number>`count(*)::int`.as('n'))
			.where('integration_id', '=', acme)
			.where((eb) => eb.or([eb('additions', 'is', null), eb('deletions', 'is', null)]))
			.executeTakeFirstOrThrow();
		expect(missing.n).toBe(0);
		const integration = await db.selectFrom('integrations').select(['data_status', 'quota']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(integration.data_status).toBe('healthy');
		expect(integration.quota).toMatchObject({ limit: 5000 });
	}, 240_000);

	it('writes nothing on a second update, and stops reading at the cursor', async () => {
		const before = await rowVersions(acme);
		await simulator.control.resetRequestCounters();
		await update('manager@acme.example', acme);
		expect(await rowVersions(acme)).toBe(before);
		// One page of the list per repository, then nothing per pull request.
		expect(await requestsOf('pulls.list')).toBe(repositories.length);
		expect(await requestsOf('pulls.get')).toBe(0);
		expect(await requestsOf('pulls.reviews')).toBe(0);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts());
	}, 240_000);

	it('brings in a pull request reviewed and merged on GitHub with the next update', async () => {
		const fullName = 'acme/api';
		const stats = (await simulator.control.stats()).repositories.find((r) => r.repository === fullName)!;
		// An open pull request without reviews, so its first review is the one made now.
		const { db } = system.database;
		const open = await db
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.number', 'pull_requests.provider_id'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', fullName)
			.where('pull_requests.state', '=', 'open')
			.where('pull_requests.draft', '=', false)
			.where('pull_requests.first_review_at', 'is', null)
			.orderBy('pull_requests.number')
			.executeTakeFirstOrThrow();
		const { review } = await simulator.control.addReview(fullName, open.number, { state: 'APPROVED' });
		await simulator.control.mergePull(fullName, open.number);
		await simulator.control.resetRequestCounters();

		await update('manager@acme.example', acme);
		const row = await db
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.state', 'pull_requests.merged_at', 'pull_requests.closed_at', 'pull_requests.first_review_at', 'pull_requests.merge_commit_sha'])
			.where('repos.integration_id', '=', acme)
			.where('pull_requests.provider_id', '=', open.provider_id)
			.where('repos.name', '=', fullName)
			.executeTakeFirstOrThrow();
		expect(row.state).toBe('merged');
		expect(row.merged_at).not.toBeNull();
		expect(row.closed_at).not.toBeNull();
		expect(row.merge_commit_sha).toBeTruthy();
		expect(row.first_review_at?.toISOString()).toBe(new Date(review.submitted_at!).toISOString());
		expect((await storedCounts(acme))[fullName]).toMatchObject({ pullRequests: stats.pullRequests, reviews: stats.reviews + 1 });
		expect(await storedCounts(acme)).toEqual(await simulatorCounts());
		// Only the changed pull request was read again.
		expect(await requestsOf('pulls.get')).toBe(1);
	}, 240_000);

	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates, less work than a restart', async () => {
		const globex = await addIntegration('admin@globex.example', 'Globex GitHub');
		// Each pull request's details take a while, so the kill lands in the middle of the ingest.
		await simulator.control.addFault({ kind: 'slow', path: '/repos/*/*/pulls/*', method: 'GET', delayMs: 60 });
		await simulator.control.resetRequestCounters();
		const operationId = await startUpdate('admin@globex.example', globex);
		const storedAtKill = await waitFor(
			'a good part of the pull requests stored',
			async () => {
				const { n } = await system.database.db.selectFrom('pull_requests').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', globex).executeTakeFirstOrThrow();
				return n >= total / 2 ? n : undefined;
			},
			120_000
		);
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		expect(storedAtKill).toBeLessThan(total);
		expect((await getOperation(system.database.db, operationId))!.state).toBe('running');
		await simulator.control.clearFaults();

		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 120_000);
		expect(operation.error).toBeNull();
		expect(operation.state).toBe('succeeded');
		expect(await storedCounts(globex)).toEqual(await simulatorCounts());
		for (const table of ['pull_requests', ...activityTables] as const) {
			const { rows } = await sql<{ all: number; distinct: number }>`select count(*)::int as all, count(distinct (repo_id, provider_id))::int as distinct from ${sql.table(table)} where integration_id = ${globex}`.execute(
				system.database.db
			);
			expect(rows[0]!.all).toBe(rows[0]!.distinct);
		}
		// A restart from zero would read the details of every pull request stored before the kill
		// again; the resume reads again at most the pages under way when it died.
		const detailsRead = await requestsOf('pulls.get');
		expect(detailsRead - total).toBeLessThan(storedAtKill);
	}, 240_000);

	it('pauses at a spent quota, says until when, and resumes by itself at the reset', async () => {
		// Forget Acme's pull requests so the next update reads them all again.
		const { db } = system.database;
		for (const table of ['pull_requests', ...activityTables] as const) await db.deleteFrom(table).where('integration_id', '=', acme).execute();
		await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', acme).execute();

		// Enough quota for part of the work, then none until a reset 15 s ahead.
		const limit = await simulator.control.setRateLimit({ token: simulator.tokens.classic, limit: 400, remaining: 400, resetInSeconds: 15 });
		const operationId = await startUpdate('manager@acme.example', acme);
		const limited = await waitFor(
			'the integration to be rate limited',
			async () => {
				const row = await db.selectFrom('integrations').select(['data_status', 'status_detail', 'quota']).where('id', '=', acme).executeTakeFirstOrThrow();
				return row.data_status === 'rate-limited' ? row : undefined;
			},
			60_000
		);
		const resetAt = new Date(limit.reset * 1000).toISOString();
		expect(limited.status_detail).toContain(`Rate limited until ${resetAt.slice(11, 16)} UTC`);
		expect(limited.status_detail).toContain('of 400 requests left');
		expect(limited.quota).toMatchObject({ limit: 400 });
		const stillRunning = await getOperation(db, operationId);
		expect(stillRunning!.state).toBe('running');
		// The integration's page says it too, with remaining / limit.
		const page = await (await fetch(`${web.url}/integrations/${acme}`, { headers: { cookie: cookies['manager@acme.example']! } })).text();
		expect(page).toContain('Rate limited until');
		expect(page).toMatch(/0 of 400 requests left/);

		const operation = await waitForOperationEnd(system, operationId, 120_000);
		expect(operation.error).toBeNull();
		expect(operation.state).toBe('succeeded');
		expect(await storedCounts(acme)).toEqual(await simulatorCounts());
		const after = await db.selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow();
		expect(after.data_status).toBe('healthy');
	}, 240_000);
});
