// An Azure DevOps integration end to end, through the real web and worker processes, Temporal and
// Postgres, against the simulator's Azure DevOps (a real process serving its REST API and git over
// HTTPS with its own CA). Added with a personal access token through the form, its first update
// discovers the organization's projects and repositories, clones every repository's commits and
// tags, and ingests pull requests with their votes (reviews), comments on files (review comments)
// and conversation comments; counts equal the simulator's, a second update writes nothing, changes
// made on Azure arrive with the next one, a worker killed mid-ingest resumes from its checkpoint, a
// spent quota pauses and resumes, service hooks are verified and deduplicated, the token appears
// on no page, and a token revoked later becomes the integration's status.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { getOperation } from '#core/operations/queries.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import {
	createTestSystem,
	demoUser,
	latestOperationEnd,
	signedInUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';
import { expectNoDuplicates, killWorkerMidIngest, forgetPullRequests, realCommits, rowVersions, startUpdate, update } from '../support/provider-ingest.ts';

const simulatorName = 'azure-devops-integration';
/** More than a page (100) per repository: a kill lands between pages. */
const pullRequestsPerRepository = 230;

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let globex: string;
let ca: string;
let orgUrl: string;
let organization: string;
let acme: string;


beforeAll(async () => {
	simulator = await startTestSimulator(simulatorName, { orgs: 1, reposPerOrg: 3, pullRequests: pullRequestsPerRepository, commits: 30 });
	ca = readFileSync(simulator.caFile, 'utf8');
	organization = simulator.azureDevOps.organizations[0]!;
	orgUrl = `${simulator.azureDevOps.https}/${organization}`;
	system = await createTestSystem({
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3'
	});
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	globex = await signIn(web.url, 'admin@globex.example', demoUser(demo, 'admin@globex.example').password);
}, 180_000);
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const db = () => system.database.db;

async function add(name: string, as = manager): Promise<string> {
	const fields = { name, authMethod: 'personal-access-token', baseUrl: orgUrl, caCertificate: ca, token: simulator.azureDevOps.tokens.full };
	const result = await submitAction(web.url, '/integrations/new/azure-devops', fields, as);
	expect(result.type, JSON.stringify(result)).toBe('redirect');
	return (await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

/** `acme/Acme Inc/api` → `Acme Inc/api`, as the integration names it. */
const ours = (repository: string) => repository.slice(repository.indexOf('/') + 1);

/** What git itself counts in the simulator's bare repository behind an Azure repository (the World's `<org>/<repo>`). */
function commitsIn(repository: string): number {
	const parts = repository.split('/');
	return realCommits(simulatorName, parts[0]!, parts[parts.length - 1]!);
}



/**
 * Per repository: pull requests, reviews (votes other than a reset one), and the threads the review
 * comments and comments were stored from (one row per comment; a thread on a file may hold replies).
 */
async function storedCounts(integrationId: string) {
	const repos = await db().selectFrom('repos').select(['id', 'name']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
	const result: Record<string, { pullRequests: number; reviews: number; reviewThreads: number; commentThreads: number }> = {};
	for (const repo of repos) {
		const count = async (table: 'pull_requests' | 'pull_request_reviews') =>
			(
				await db()
					.selectFrom(table)
					.select(sql<number>`count(*)::int`.as('n'))
					.where('repo_id', '=', repo.id)
					.$if(table === 'pull_request_reviews', (q) => q.where(sql<boolean>`state <> 'dismissed'`))
					.executeTakeFirstOrThrow()
			).n;
		// `<pull request>:<thread>:<comment>`: the threads are the first two parts.
		const threads = async (table: 'pull_request_review_comments' | 'pull_request_comments') =>
			(await sql<{ n: number }>`select count(distinct split_part(provider_id, ':', 1) || ':' || split_part(provider_id, ':', 2))::int as n from ${sql.table(table)} where repo_id = ${repo.id}`.execute(db())).rows[0]!.n;
		result[repo.name] = {
			pullRequests: await count('pull_requests'),
			reviews: await count('pull_request_reviews'),
			reviewThreads: await threads('pull_request_review_comments'),
			commentThreads: await threads('pull_request_comments')
		};
	}
	return result;
}

/** The simulator's, in the same shape, for the repositories `integrationId` holds. */
async function simulatorCounts(integrationId: string) {
	const names = new Set((await db().selectFrom('repos').select('name').where('integration_id', '=', integrationId).where('imported', '=', true).execute()).map((r) => r.name));
	const stats = await simulator.control.azureDevOps.stats();
	return Object.fromEntries(
		stats.repositories
			.filter((r) => names.has(ours(r.repository)))
			.map((r) => [
				ours(r.repository),
				{ pullRequests: r.pullRequests, reviews: r.approvals + r.waitingForAuthor + r.rejections, reviewThreads: r.reviewThreads, commentThreads: r.commentThreads }
			])
	);
}


const requestsOf = async (kind: string) => (await simulator.control.azureDevOps.stats()).requests.byKind[kind] ?? 0;
const activeTotal = async () => (await simulator.control.azureDevOps.stats()).repositories.filter((r) => !r.disabled).reduce((n, r) => n + r.active, 0);

describe('Azure DevOps integration', () => {
	it('added with a token, its first update discovers projects and repositories, and ingests real commits and every pull request', async () => {
		acme = await add('Acme Azure');
		const operation = await latestOperationEnd(system, acme, 'integration.update');
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		for (const stage of operation.stages) expect(stage.done, stage.key).toBe(stage.total);

		const stats = await simulator.control.azureDevOps.stats();
		const groups = await db().selectFrom('groups').select(['name', 'url']).where('integration_id', '=', acme).orderBy('name').execute();
		expect(groups.map((g) => g.name)).toEqual(stats.projects.map(ours).sort());
		expect(groups.map((g) => g.url)).toContain(`${orgUrl}/${encodeURIComponent(ours(stats.projects[0]!))}`);
		const repos = await db().selectFrom('repos').selectAll().where('integration_id', '=', acme).orderBy('name').execute();
		expect(repos.map((r) => r.name)).toEqual(stats.repositories.map((r) => ours(r.repository)).sort());
		for (const repository of stats.repositories) {
			const repo = repos.find((r) => r.name === ours(repository.repository))!;
			expect(repo.provider_id).toBe(repository.id.toLowerCase());
			expect(repo.archived).toBe(repository.disabled);
			// Azure's clone URL without the user name it writes in it, on the organization's origin.
			expect(repo.url.startsWith(`${orgUrl}/`)).toBe(true);
			expect(repo.url).not.toContain('@');
			if (repository.disabled) {
				// Azure refuses every read of a disabled repository: listed, not imported.
				expect(repo.imported, repo.name).toBe(false);
				expect(repo.data_status, repo.name).toBe('excluded');
				continue;
			}
			expect(repo.data_status, `${repo.name}: ${repo.status_detail}`).toBe('healthy');
			expect(repo.commits_count, repo.name).toBe(commitsIn(repository.repository));
		}
		expect(stats.repositories.some((r) => r.disabled)).toBe(true);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(acme));
		const readable = stats.repositories.filter((r) => !r.disabled);
		const total = readable.reduce((n, r) => n + r.pullRequests, 0);
		expect(total).toBeGreaterThanOrEqual(2 * pullRequestsPerRepository);
		// Each pull request keeps Azure's web URL; states as Azure says them.
		const rows = await db().selectFrom('pull_requests').select(['url', 'state', 'draft']).where('integration_id', '=', acme).execute();
		expect(rows.every((row) => row.url.startsWith(`${orgUrl}/`) && /\/_git\/[^/]+\/pullrequest\/\d+$/.test(row.url))).toBe(true);
		const states = Object.fromEntries(
			(await db().selectFrom('pull_requests').select(['state', sql<number>`count(*)::int`.as('n')]).where('integration_id', '=', acme).groupBy('state').execute()).map((s) => [s.state, s.n])
		);
		const sum = (key: 'active' | 'abandoned' | 'completed' | 'drafts') => readable.reduce((n, r) => n + r[key], 0);
		expect(states).toEqual({ open: sum('active'), closed: sum('abandoned'), merged: sum('completed') });
		expect(rows.filter((r) => r.draft).length).toBe(sum('drafts'));
		// A thread on a file holds replies too: more review comments than threads.
		const reviewComments = (await db().selectFrom('pull_request_review_comments').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', acme).executeTakeFirstOrThrow()).n;
		expect(reviewComments).toBeGreaterThan(readable.reduce((n, r) => n + r.reviewThreads, 0));
		const integration = await db().selectFrom('integrations').select(['data_status', 'credentials_expire_at']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(integration.data_status).toBe('healthy');
		// Azure's API does not tell a token's expiry.
		expect(integration.credentials_expire_at).toBeNull();
	}, 240_000);

	it('writes nothing on a second update, reading again only the open pull requests’ threads', async () => {
		const before = await rowVersions(db(), acme);
		await simulator.control.resetRequestCounters();
		await update(system, web.url, acme, manager);
		expect(await rowVersions(db(), acme)).toBe(before);
		expect(await requestsOf('threads.list')).toBe(await activeTotal());
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(acme));
	}, 240_000);

	it('brings in a comment, a vote and a completion made on Azure with the next update', async () => {
		const repository = simulator.azureDevOps.repositories.find((r) => r.endsWith('/api'))!;
		const open = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.number'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', ours(repository))
			.where('pull_requests.state', '=', 'open')
			.orderBy('pull_requests.number')
			.limit(2)
			.execute();
		expect(open).toHaveLength(2);
		const [first, second] = open.map((r) => r.number) as [number, number];
		await simulator.control.azureDevOps.addComment(repository, first, { body: 'One more thing.' });
		await simulator.control.azureDevOps.updatePullRequest(repository, first, { status: 'completed' });
		await simulator.control.azureDevOps.vote(repository, second, { vote: -10 });
		await update(system, web.url, acme, manager);
		const stored = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.number', 'pull_requests.state', 'pull_requests.merged_at', 'pull_requests.merge_commit_sha'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', ours(repository))
			.where('pull_requests.number', 'in', [first, second])
			.orderBy('pull_requests.number')
			.execute();
		expect(stored[0]).toMatchObject({ number: first, state: 'merged' });
		expect(stored[0]!.merged_at).not.toBeNull();
		expect(stored[0]!.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
		expect(stored[1]).toMatchObject({ number: second, state: 'open' });
		const rejected = await db()
			.selectFrom('pull_request_reviews')
			.innerJoin('repos', 'repos.id', 'pull_request_reviews.repo_id')
			.select(['pull_request_reviews.state'])
			.where('repos.integration_id', '=', acme)
			.where('pull_request_reviews.pull_request_provider_id', '=', String(second))
			.where('pull_request_reviews.state', '=', 'changes_requested')
			.execute();
		expect(rejected.length).toBeGreaterThan(0);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(acme));
	}, 240_000);

	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates', async () => {
		// Slow threads make the kill land in the middle of the first update, between pages.
		await simulator.control.addFault({ provider: 'azure-devops', kind: 'slow', path: `/${organization}/*/_apis/git/repositories/*/pullRequests/*/threads`, method: 'GET', delayMs: 40 });
		const other = await add('Globex Azure', globex);
		const { id: operationId } = await db().selectFrom('operations').select('id').where('scope', '=', `integration:${other}`).where('kind', '=', 'integration.update').executeTakeFirstOrThrow();
		const total = (await simulator.control.azureDevOps.stats()).repositories.filter((r) => !r.disabled).reduce((n, r) => n + r.pullRequests, 0);
		await killWorkerMidIngest(system, worker, other, operationId, total);
		await simulator.control.clearFaults();
		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts(other)).toEqual(await simulatorCounts(other));
		await expectNoDuplicates(db(), other);
	}, 300_000);

	it('pauses at a spent quota, says until when, and resumes by itself at the reset', async () => {
		await forgetPullRequests(db(), acme);
		// Enough for part of the work, then none until a reset 40 s ahead: a Retry-After the client does
		// not wait out in the call (at most 10 s), so the workflow's timer does.
		await simulator.control.setRateLimit({ token: simulator.azureDevOps.tokens.full, limit: 60, remaining: 60, resetInSeconds: 40 });
		const operationId = await startUpdate(system, web.url, acme, manager);
		const limited = await waitFor(
			'the integration to be rate limited',
			async () => {
				const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', acme).executeTakeFirstOrThrow();
				return row.data_status === 'rate-limited' ? row : undefined;
			},
			90_000
		);
		expect(limited.status_detail).toMatch(/Rate limited until \d\d:\d\d UTC/);
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(acme));
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
	}, 300_000);

	it('service hooks: a push updates that repository; a resend changes nothing; a wrong password gets 401', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, acme))!;
		const repository = simulator.azureDevOps.repositories.find((r) => r.endsWith('/web'))!;
		const project = repository.slice(0, repository.lastIndexOf('/'));
		const url = `${web.url}/webhooks/${endpoint}`;
		await simulator.control.azureDevOps.subscribe({ project, url, eventType: 'git.push', username: 'tributary', password: secret });
		const updates = () => db().selectFrom('operations').select('id').where('scope', '=', `integration:${acme}`).where('kind', '=', 'integration.update').execute();
		const before = (await updates()).length;
		const pushed = await simulator.control.azureDevOps.push(repository, { commits: 2 });
		expect(pushed.deliveries[0]).toMatchObject({ statusCode: 202 });
		const logged = await waitFor('the delivery logged', async () => (await db().selectFrom('webhook_deliveries').selectAll().where('integration_id', '=', acme).executeTakeFirst()) ?? undefined);
		expect(logged).toMatchObject({ event: 'git.push', delivery_id: pushed.deliveries[0]!.eventId });
		expect((await updates()).length).toBe(before + 1);
		const repo = await db().selectFrom('repos').select(['id', 'provider_id']).where('integration_id', '=', acme).where('name', '=', ours(repository)).executeTakeFirstOrThrow();
		await waitFor(
			'the pushed commits ingested',
			async () => {
				const now = await db().selectFrom('repos').select('commits_count').where('id', '=', repo.id).executeTakeFirstOrThrow();
				return now.commits_count === commitsIn(repository) ? true : undefined;
			},
			120_000
		);

		const again = await simulator.control.azureDevOps.redeliver(pushed.deliveries[0]!.id);
		expect(again.statusCode).toBe(200);
		expect((await updates()).length).toBe(before + 1);
		expect(await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute()).toHaveLength(1);

		const forged = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`tributary:${secret}x`).toString('base64')}` },
			body: JSON.stringify({ id: '0f8fad5b-d9cb-469f-a165-70867728950e', eventType: 'git.push', resource: { repository: { id: repo.provider_id } } })
		});
		expect(forged.status).toBe(401);
		const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(anonymous.status).toBe(401);
		expect(await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute()).toHaveLength(1);
		expect((await updates()).length).toBe(before + 1);
	}, 240_000);

	it('shows the token on no page, and keeps it out of every operation it wrote', async () => {
		const token = simulator.azureDevOps.tokens.full;
		for (const page of [`/integrations/${acme}`, `/integrations/${acme}/edit`, `/integrations/${acme}/webhooks`, '/integrations', '/operations', '/audit']) {
			const html = await (await fetch(`${web.url}${page}`, { headers: { cookie: manager } })).text();
			expect(html, page).not.toContain(token);
		}
		const operations = await db().selectFrom('operations').selectAll().where('scope', '=', `integration:${acme}`).execute();
		expect(JSON.stringify(operations)).not.toContain(token);
		const row = await db().selectFrom('integrations').selectAll().where('id', '=', acme).executeTakeFirstOrThrow();
		expect(JSON.stringify(row)).not.toContain(token);
	});

	it('a connection test names the token’s user; a token revoked later becomes the integration’s status at its next update, in Azure’s words', async () => {
		const tested = await submitAction(web.url, `/integrations/${acme}?/test`, {}, manager);
		expect(tested.type, JSON.stringify(tested)).toBe('success');
		const test = await latestOperationEnd(system, acme, 'integration.test');
		expect(test.state, test.error ?? '').toBe('succeeded');
		expect(test.result).toMatchObject({ account: expect.stringContaining('@'), failed: 0 });

		await simulator.control.revokeToken(simulator.azureDevOps.tokens.full);
		const operation = await waitForOperationEnd(system, await startUpdate(system, web.url, acme, manager), 120_000);
		expect(operation.state).toBe('failed');
		const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(row.data_status).toBe('failed-integration');
		expect(row.status_detail).toMatch(/refused the personal access token .*: it was revoked\. Create a new personal access token/);
	}, 240_000);
});
