// A GitLab integration end to end, through the real web and worker processes, Temporal and
// Postgres, against the simulator's GitLab (a real process serving GitLab's API and git over
// HTTPS with its own CA). Added with a token through the form, its first update discovers groups,
// subgroups and the personal namespace, clones every project's commits and tags, and ingests
// merge requests with their approvals and notes; counts equal the simulator's, a second update
// writes nothing, changes made on GitLab arrive with the next one, a worker killed mid-ingest
// resumes from its checkpoint, a spent quota pauses and resumes, webhooks are verified and
// deduplicated, the token appears on no page, and the gitlab.com kind works where it is set.
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
import { expectNoDuplicates, killWorkerMidIngest, forgetPullRequests, realCommits, rowVersions, startUpdate, storedCounts, update } from '../support/provider-ingest.ts';

const simulatorName = 'gitlab-integration';
/** More than a page (100) per project: a kill lands between pages. */
const mergeRequestsPerProject = 230;

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let globex: string;
let ca: string;
let acme: string;


beforeAll(async () => {
	simulator = await startTestSimulator(simulatorName, { orgs: 1, reposPerOrg: 3, pullRequests: mergeRequestsPerProject, commits: 30 });
	ca = readFileSync(simulator.caFile, 'utf8');
	system = await createTestSystem({
		TRIBUTARY_GIT_SCHEMES: 'http,https',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3',
		// The gitlab.com kind reaches "gitlab.com" here: the simulator's plain-HTTP GitLab.
		TRIBUTARY_GITLAB_URL: simulator.gitlab.http
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

async function add(name: string, fields: Record<string, string>, as = manager, kind = 'gitlab-self-managed'): Promise<string> {
	const server: Record<string, string> = kind === 'gitlab-self-managed' ? { baseUrl: simulator.gitlab.https, caCertificate: ca } : {};
	const result = await submitAction(web.url, `/integrations/new/${kind}`, { name, authMethod: 'personal-access-token', ...server, ...fields }, as);
	expect(result.type, JSON.stringify(result)).toBe('redirect');
	return (await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

/** What git itself counts in the simulator's bare repository behind a project (subgroups share the organisation's folder). */
function commitsIn(project: string): number {
	const [owner, ...rest] = project.split('/');
	return realCommits(simulatorName, owner!, rest[rest.length - 1]!);
}




/** The simulator's, in the same shape, for the projects `integrationId` holds. */
async function simulatorCounts(integrationId: string) {
	const names = new Set((await db().selectFrom('repos').select('name').where('integration_id', '=', integrationId).where('imported', '=', true).execute()).map((r) => r.name));
	const stats = await simulator.control.gitlab.stats();
	return Object.fromEntries(
		stats.projects
			.filter((p) => names.has(p.project))
			.map((p) => [p.project, { pullRequests: p.mergeRequests, reviews: p.approvals + p.changesRequested, reviewComments: p.diffNotes, comments: p.notes }])
	);
}


const requestsOf = async (kind: string) => (await simulator.control.gitlab.stats()).requests.byKind[kind] ?? 0;

describe('GitLab integration', () => {
	it('added with a token, its first update discovers groups, subgroups and the personal namespace, and ingests real commits and every merge request', async () => {
		acme = await add('Acme GitLab', { token: simulator.gitlab.tokens.full });
		const operation = await latestOperationEnd(system, acme, 'integration.update');
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		for (const stage of operation.stages) expect(stage.done, stage.key).toBe(stage.total);
		// The stage is named in GitLab's words.
		expect(operation.stages.map((stage) => stage.label)).toContain('Merge requests');

		const stats = await simulator.control.gitlab.stats();
		const groups = await db().selectFrom('groups').select('name').where('integration_id', '=', acme).orderBy('name').execute();
		expect(groups.map((g) => g.name)).toEqual([...stats.groups, 'sim-user'].sort());
		const repos = await db().selectFrom('repos').selectAll().where('integration_id', '=', acme).orderBy('name').execute();
		expect(repos.map((r) => r.name)).toEqual(stats.projects.map((p) => p.project).sort());
		expect(repos.map((r) => r.name)).toContain(`${simulator.orgs[0]}/platform/worker`);
		for (const project of stats.projects) {
			const repo = repos.find((r) => r.name === project.project)!;
			expect(repo.provider_id).toBe(String(project.id));
			expect(repo.archived).toBe(project.archived);
			expect(repo.data_status, `${repo.name}: ${repo.status_detail}`).toBe('healthy');
			expect(repo.commits_count, repo.name).toBe(commitsIn(project.project));
		}
		expect(await storedCounts(db(), acme)).toEqual(await simulatorCounts(acme));
		const total = stats.projects.reduce((n, p) => n + p.mergeRequests, 0);
		expect(total).toBeGreaterThanOrEqual(2 * mergeRequestsPerProject);
		expect(operation.result).toMatchObject({ pullRequests: total });
		// Each merge request keeps GitLab's own URL; states as GitLab says them.
		const sample = await db().selectFrom('pull_requests').select(['url', 'state']).where('integration_id', '=', acme).execute();
		expect(sample.every((row) => row.url.startsWith(`${simulator.gitlab.https}/`) && row.url.includes('/-/merge_requests/'))).toBe(true);
		const states = Object.fromEntries(
			(await db().selectFrom('pull_requests').select(['state', sql<number>`count(*)::int`.as('n')]).where('integration_id', '=', acme).groupBy('state').execute()).map((s) => [s.state, s.n])
		);
		const sum = (key: 'opened' | 'closed' | 'merged') => stats.projects.reduce((n, p) => n + p[key], 0);
		expect(states).toEqual({ open: sum('opened'), closed: sum('closed'), merged: sum('merged') });
		const integration = await db().selectFrom('integrations').select(['data_status', 'quota', 'credentials_expire_at']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(integration.data_status).toBe('healthy');
		expect(integration.quota).toMatchObject({ limit: expect.any(Number) });
		expect(integration.credentials_expire_at).not.toBeNull();
	}, 240_000);

	it('writes nothing on a second update, and reads no merge request’s notes again', async () => {
		const before = await rowVersions(db(), acme);
		await simulator.control.resetRequestCounters();
		await update(system, web.url, acme, manager);
		expect(await rowVersions(db(), acme)).toBe(before);
		expect(await requestsOf('merge_requests.notes')).toBe(0);
		expect(await storedCounts(db(), acme)).toEqual(await simulatorCounts(acme));
	}, 240_000);

	it('brings in a merge request commented on and closed on GitLab with the next update, reading only its notes', async () => {
		const project = `${simulator.orgs[0]}/api`;
		const open = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.number'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', project)
			.where('pull_requests.state', '=', 'open')
			.orderBy('pull_requests.number')
			.executeTakeFirstOrThrow();
		await simulator.control.gitlab.addNote(project, open.number, { body: 'One more thing.' });
		await simulator.control.gitlab.updateMergeRequest(project, open.number, { state_event: 'close' });
		await simulator.control.resetRequestCounters();
		await update(system, web.url, acme, manager);
		const row = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.state', 'pull_requests.closed_at'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', project)
			.where('pull_requests.number', '=', open.number)
			.executeTakeFirstOrThrow();
		expect(row.state).toBe('closed');
		expect(row.closed_at).not.toBeNull();
		expect(await storedCounts(db(), acme)).toEqual(await simulatorCounts(acme));
		expect(await requestsOf('merge_requests.notes')).toBe(1);
	}, 240_000);

	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates', async () => {
		// Slow notes make the kill land in the middle of the first update, between pages.
		await simulator.control.addFault({ provider: 'gitlab', kind: 'slow', path: '/projects/*/merge_requests/*/notes', method: 'GET', delayMs: 40 });
		const other = await add('Globex GitLab', { token: simulator.gitlab.tokens.full }, globex);
		const { id: operationId } = await db().selectFrom('operations').select('id').where('scope', '=', `integration:${other}`).where('kind', '=', 'integration.update').executeTakeFirstOrThrow();
		const total = (await simulator.control.gitlab.stats()).projects.reduce((n, p) => n + p.mergeRequests, 0);
		await killWorkerMidIngest(system, worker, other, operationId, total);
		await simulator.control.clearFaults();
		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts(db(), other)).toEqual(await simulatorCounts(other));
		await expectNoDuplicates(db(), other);
	}, 300_000);

	it('pauses at a spent quota, says until when, and resumes by itself at the reset', async () => {
		await forgetPullRequests(db(), acme);
		// Enough for part of the work, then none until a reset 40 s ahead: a Retry-After the client does
		// not wait out in the call (at most 10 s), so the workflow's timer does.
		await simulator.control.setRateLimit({ token: simulator.gitlab.tokens.full, limit: 60, remaining: 60, resetInSeconds: 40 });
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
		expect(await storedCounts(db(), acme)).toEqual(await simulatorCounts(acme));
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
	}, 300_000);

	it('webhooks: a push updates that project; a resend changes nothing; a wrong secret token gets 401', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, acme))!;
		const project = `${simulator.orgs[0]}/web`;
		const url = `${web.url}/webhooks/${endpoint}`;
		await simulator.control.gitlab.registerHook({ project, url, token: secret, events: ['push', 'merge_requests', 'note', 'tag_push'] });
		const updates = () => db().selectFrom('operations').select('id').where('scope', '=', `integration:${acme}`).where('kind', '=', 'integration.update').execute();
		const before = (await updates()).length;
		const pushed = await simulator.control.gitlab.push(project, { commits: 2 });
		expect(pushed.deliveries[0]).toMatchObject({ statusCode: 202 });
		const logged = await waitFor('the delivery logged', async () => (await db().selectFrom('webhook_deliveries').selectAll().where('integration_id', '=', acme).executeTakeFirst()) ?? undefined);
		expect(logged).toMatchObject({ event: 'Push Hook' });
		expect((await updates()).length).toBe(before + 1);
		const repo = await db().selectFrom('repos').select(['id', 'provider_id', 'commits_count']).where('integration_id', '=', acme).where('name', '=', project).executeTakeFirstOrThrow();
		await waitFor('the pushed commits ingested', async () => {
			const now = await db().selectFrom('repos').select('commits_count').where('id', '=', repo.id).executeTakeFirstOrThrow();
			return now.commits_count === commitsIn(project) ? true : undefined;
		}, 120_000);

		const again = await simulator.control.gitlab.redeliver(pushed.deliveries[0]!.id);
		expect(again.statusCode).toBe(200);
		expect((await updates()).length).toBe(before + 1);
		const deliveries = await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute();
		expect(deliveries).toHaveLength(1);

		const forged = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'forged-1', 'x-gitlab-token': `${secret}x` },
			body: JSON.stringify({ object_kind: 'push', project: { id: Number(repo.provider_id) } })
		});
		expect(forged.status).toBe(401);
		expect(await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute()).toHaveLength(1);
	}, 240_000);

	it('shows the token on no page, and keeps it out of every operation and Temporal payload it wrote', async () => {
		const token = simulator.gitlab.tokens.full;
		for (const page of [`/integrations/${acme}`, `/integrations/${acme}/edit`, '/integrations', '/operations', '/audit']) {
			const html = await (await fetch(`${web.url}${page}`, { headers: { cookie: manager } })).text();
			expect(html, page).not.toContain(token);
		}
		const operations = await db().selectFrom('operations').selectAll().where('scope', '=', `integration:${acme}`).execute();
		expect(JSON.stringify(operations)).not.toContain(token);
		const row = await db().selectFrom('integrations').selectAll().where('id', '=', acme).executeTakeFirstOrThrow();
		expect(JSON.stringify(row)).not.toContain(token);
	});

	it('the gitlab.com kind reaches GitLab where TRIBUTARY_GITLAB_URL says, with no address on its form', async () => {
		const cloud = await add('GitLab.com', { token: simulator.gitlab.tokens.projectBot }, manager, 'gitlab');
		const operation = await latestOperationEnd(system, cloud, 'integration.update');
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		const repos = await db().selectFrom('repos').select(['name', 'url', 'data_status']).where('integration_id', '=', cloud).execute();
		// A project token sees its own project only.
		expect(repos.map((r) => r.name)).toEqual([`${simulator.orgs[0]}/api`]);
		expect(repos[0]!.url.startsWith(`${simulator.gitlab.http}/`)).toBe(true);
		expect(repos[0]!.data_status).toBe('healthy');
	}, 240_000);

	it('a connection test records the token’s expiry; a token revoked later becomes the integration’s status at its next update, in GitLab’s words', async () => {
		const tested = await submitAction(web.url, `/integrations/${acme}?/test`, {}, manager);
		expect(tested.type, JSON.stringify(tested)).toBe('success');
		const test = await latestOperationEnd(system, acme, 'integration.test');
		expect(test.state, test.error ?? '').toBe('succeeded');
		expect(test.result).toMatchObject({ account: 'sim-user' });
		const expiry = (await db().selectFrom('integrations').select('credentials_expire_at').where('id', '=', acme).executeTakeFirstOrThrow()).credentials_expire_at;
		// The full token expires in 90 days, at the end of its day.
		expect(expiry!.getTime() - Date.now()).toBeGreaterThan(88 * 86_400_000);

		await simulator.control.revokeToken(simulator.gitlab.tokens.full);
		const operation = await waitForOperationEnd(system, await startUpdate(system, web.url, acme, manager), 120_000);
		expect(operation.state).toBe('failed');
		const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(row.data_status).toBe('failed-integration');
		expect(row.status_detail).toMatch(/refused the token .*: it was revoked\. Create a new token, then edit the integration/);
	}, 240_000);
});
