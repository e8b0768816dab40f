// Bitbucket integrations end to end, Cloud and Data Center, through the real web and worker
// processes, Temporal and Postgres, against the simulator's Bitbucket (a real process serving
// both APIs and git; Data Center over HTTPS with its own CA). Each edition, added through the form:
// its first update discovers workspaces or projects, clones every repository's commits and tags,
// and ingests pull requests with approvals, change requests and comments; counts equal the
// simulator's, a second update writes nothing, a change made on Bitbucket arrives with the next,
// a worker killed mid-ingest resumes from its checkpoint, a spent quota pauses and resumes,
// webhooks are verified by their signature and deduplicated, and the secret appears on no page.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { getOperation } from '#core/operations/queries.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { expectNoDuplicates, killWorkerMidIngest, forgetPullRequests, realCommits, rowVersions, startUpdate, storedCounts, update, type PullRequestCounts } from '../support/provider-ingest.ts';
import { createTestSystem, demoUser, latestOperationEnd, signedInUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningProcess, type RunningWeb, type TestSystem } from '../support/system.ts';

const simulatorName = 'bitbucket-integration';
/** More than a page per repository (Cloud's 50, Data Center's 100): a kill lands between pages. */
const pullRequestsPerRepository = 150;

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let globex: string;
let ca: string;

type Counts = PullRequestCounts;

beforeAll(async () => {
	simulator = await startTestSimulator(simulatorName, { orgs: 1, reposPerOrg: 3, pullRequests: pullRequestsPerRepository, commits: 30 });
	ca = readFileSync(simulator.caFile, 'utf8');
	system = await createTestSystem({
		TRIBUTARY_GIT_SCHEMES: 'http,https',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3',
		// The Cloud kind reaches "api.bitbucket.org" here: the simulator's plain-HTTP Bitbucket Cloud.
		TRIBUTARY_BITBUCKET_CLOUD_API_URL: simulator.bitbucketCloud.api
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

/** What git itself counts in the simulator's bare repository behind `owner/name` (any edition's spelling). */
function commitsIn(name: string): number {
	const [owner, repo] = name.split('/') as [string, string];
	return realCommits(simulatorName, owner.replace(/^~/, '').toLowerCase(), repo);
}

interface Edition {
	name: string;
	kind: 'bitbucket-cloud' | 'bitbucket-data-center';
	form: () => Record<string, string>;
	/** The secret the form carries (never to appear on a page). */
	secret: () => string;
	/** The simulator's counts, in the stored shape, by repository name. */
	simulatorCounts: () => Promise<Record<string, Counts & { open: number; merged: number; declined: number }>>;
	groups: () => Promise<string[]>;
	/** Where pull request URLs point. */
	webPrefix: () => string;
	/** The activity requests of one pull request, as the simulator counts them by kind. */
	activityKinds: string[];
	requests: () => Promise<Record<string, number>>;
	/** A comment and a decline on an open pull request. */
	change: (repository: string, number: number) => Promise<void>;
	slowActivity: () => Promise<unknown>;
	setRateLimit: (limit: number, remaining: number, resetInSeconds: number) => Promise<unknown>;
	registerHook: (repository: string, url: string, secret: string) => Promise<unknown>;
	push: (repository: string) => Promise<{ deliveries: Array<{ id: number; statusCode: number | null; requestId: string }> }>;
	redeliver: (id: number) => Promise<{ statusCode: number | null }>;
	forged: (providerId: string) => { headers: Record<string, string>; body: string };
	pushEvent: string;
}

/** A signature of the right shape that no secret made. */
const forgedSignature = `sha256=${'0'.repeat(64)}`;

const cloud: Edition = {
	name: 'Bitbucket Cloud',
	kind: 'bitbucket-cloud',
	form: () => ({ authMethod: 'api-token', email: simulator.bitbucketCloud.email, token: simulator.bitbucketCloud.credentials.apiTokens.full }),
	secret: () => simulator.bitbucketCloud.credentials.apiTokens.full,
	simulatorCounts: async () =>
		Object.fromEntries(
			(await simulator.control.bitbucketCloud.stats()).repositories.map((r) => [
				r.repository,
				{ pullRequests: r.pullRequests, reviews: r.approvals + r.changesRequested, reviewComments: r.inlineComments, comments: r.comments, open: r.open, merged: r.merged, declined: r.declined }
			])
		),
	groups: async () => (await simulator.control.bitbucketCloud.stats()).workspaces,
	webPrefix: () => simulator.bitbucketCloud.web,
	activityKinds: ['pullrequests.comments', 'pullrequests.activity'],
	requests: async () => (await simulator.control.bitbucketCloud.stats()).requests.byKind,
	change: async (repository, number) => {
		await simulator.control.bitbucketCloud.addComment(repository, number, { body: 'One more thing.' });
		await simulator.control.bitbucketCloud.updatePullRequest(repository, number, { state: 'DECLINED' });
	},
	slowActivity: () => simulator.control.addFault({ provider: 'bitbucket-cloud', kind: 'slow', path: '/repositories/*/*/pullrequests/*/activity', method: 'GET', delayMs: 40 }),
	setRateLimit: (limit, remaining, resetInSeconds) => simulator.control.setRateLimit({ token: simulator.bitbucketCloud.credentials.apiTokens.full, limit, remaining, resetInSeconds }),
	registerHook: (repository, url, secret) => simulator.control.bitbucketCloud.registerHook({ repository, url, secret }),
	push: (repository) => simulator.control.bitbucketCloud.push(repository, { commits: 2 }),
	redeliver: (id) => simulator.control.bitbucketCloud.redeliver(id),
	forged: (providerId) => ({
		headers: { 'x-event-key': 'repo:push', 'x-request-uuid': 'forged-1', 'x-hub-signature': forgedSignature },
		body: JSON.stringify({ repository: { uuid: providerId } })
	}),
	pushEvent: 'repo'
};

const dataCenter: Edition = {
	name: 'Bitbucket Data Center',
	kind: 'bitbucket-data-center',
	form: () => ({ authMethod: 'personal-access-token', baseUrl: simulator.bitbucketDataCenter.https, caCertificate: ca, token: simulator.bitbucketDataCenter.tokens.full }),
	secret: () => simulator.bitbucketDataCenter.tokens.full,
	simulatorCounts: async () =>
		Object.fromEntries(
			(await simulator.control.bitbucketDataCenter.stats()).repositories.map((r) => [
				r.repository,
				{ pullRequests: r.pullRequests, reviews: r.approvals + r.needsWork, reviewComments: r.inlineComments, comments: r.comments, open: r.open, merged: r.merged, declined: r.declined }
			])
		),
	groups: async () => (await simulator.control.bitbucketDataCenter.stats()).projects,
	webPrefix: () => simulator.bitbucketDataCenter.https,
	activityKinds: ['pull-requests.activities'],
	requests: async () => (await simulator.control.bitbucketDataCenter.stats()).requests.byKind,
	change: async (repository, number) => {
		await simulator.control.bitbucketDataCenter.addComment(repository, number, { body: 'One more thing.' });
		await simulator.control.bitbucketDataCenter.updatePullRequest(repository, number, { state: 'DECLINED' });
	},
	slowActivity: () => simulator.control.addFault({ provider: 'bitbucket-dc', kind: 'slow', path: '/projects/*/repos/*/pull-requests/*/activities', method: 'GET', delayMs: 40 }),
	setRateLimit: (limit, remaining, resetInSeconds) => simulator.control.setRateLimit({ token: simulator.bitbucketDataCenter.tokens.full, limit, remaining, resetInSeconds }),
	registerHook: (repository, url, secret) => simulator.control.bitbucketDataCenter.registerHook({ repository, url, secret }),
	push: (repository) => simulator.control.bitbucketDataCenter.push(repository, { commits: 2 }),
	redeliver: (id) => simulator.control.bitbucketDataCenter.redeliver(id),
	forged: (providerId) => ({
		headers: { 'x-event-key': 'repo:refs_changed', 'x-request-id': 'forged-1', 'x-hub-signature': forgedSignature },
		body: JSON.stringify({ repository: { id: Number(providerId) } })
	}),
	pushEvent: 'repo'
};

describe.each([cloud, dataCenter])('$name integration', (edition) => {
	let acme: string;

	async function add(name: string, as = manager): Promise<string> {
		const result = await submitAction(web.url, `/integrations/new/${edition.kind}`, { name, ...edition.form() }, as);
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		return (await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
	}

	async function expectCountsEqual(integrationId: string) {
		const stored = await storedCounts(db(), integrationId);
		const expected = await edition.simulatorCounts();
		for (const [name, counts] of Object.entries(stored)) {
			const { open: _o, merged: _m, declined: _d, ...want } = expected[name] ?? { open: 0, merged: 0, declined: 0, pullRequests: -1, reviews: -1, reviewComments: -1, comments: -1 };
			expect(counts, name).toEqual(want);
		}
		return { stored, expected };
	}

	it('added with credentials, its first update discovers its groups and ingests real commits and every pull request', async () => {
		// Cloud's hourly budget (1,000) is less than two ingests of these repositories need.
		await edition.setRateLimit(1_000_000, 1_000_000, 3600);
		acme = await add(`Acme ${edition.name}`);
		const operation = await latestOperationEnd(system, acme, 'integration.update');
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		for (const stage of operation.stages) expect(stage.done, stage.key).toBe(stage.total);

		const groups = await db().selectFrom('groups').select('name').where('integration_id', '=', acme).orderBy('name').execute();
		expect(groups.map((g) => g.name)).toEqual([...(await edition.groups())].sort());
		const repos = await db().selectFrom('repos').selectAll().where('integration_id', '=', acme).orderBy('name').execute();
		const expected = await edition.simulatorCounts();
		expect(repos.map((r) => r.name)).toEqual(Object.keys(expected).sort());
		for (const repo of repos) {
			expect(repo.data_status, `${repo.name}: ${repo.status_detail}`).toBe('healthy');
			expect(repo.commits_count, repo.name).toBe(commitsIn(repo.name));
		}
		const { stored } = await expectCountsEqual(acme);
		const total = Object.values(stored).reduce((n, c) => n + c.pullRequests, 0);
		expect(total).toBeGreaterThanOrEqual(3 * pullRequestsPerRepository);
		expect(operation.result).toMatchObject({ pullRequests: total });
		const rows = await db().selectFrom('pull_requests').select(['url', 'state']).where('integration_id', '=', acme).execute();
		expect(rows.every((row) => row.url.startsWith(`${edition.webPrefix()}/`))).toBe(true);
		const states = Object.fromEntries(
			(await db().selectFrom('pull_requests').select(['state', sql<number>`count(*)::int`.as('n')]).where('integration_id', '=', acme).groupBy('state').execute()).map((s) => [s.state, s.n])
		);
		const sum = (key: 'open' | 'merged' | 'declined') => Object.values(expected).reduce((n, c) => n + c[key], 0);
		expect(states).toEqual({ open: sum('open'), closed: sum('declined'), merged: sum('merged') });
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
	}, 300_000);

	it('writes nothing on a second update, and reads no pull request’s activity again', async () => {
		const before = await rowVersions(db(), acme);
		await simulator.control.resetRequestCounters();
		await update(system, web.url, acme, manager);
		expect(await rowVersions(db(), acme)).toBe(before);
		const requests = await edition.requests();
		for (const kind of edition.activityKinds) expect(requests[kind] ?? 0, kind).toBe(0);
		await expectCountsEqual(acme);
	}, 240_000);

	it('brings in a pull request commented on and declined on Bitbucket with the next update, reading only its activity', async () => {
		const open = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.number', 'repos.name'])
			.where('repos.integration_id', '=', acme)
			.where('pull_requests.state', '=', 'open')
			.orderBy('pull_requests.number')
			.executeTakeFirstOrThrow();
		await edition.change(open.name, open.number);
		await simulator.control.resetRequestCounters();
		await update(system, web.url, acme, manager);
		const row = await db()
			.selectFrom('pull_requests')
			.innerJoin('repos', 'repos.id', 'pull_requests.repo_id')
			.select(['pull_requests.state', 'pull_requests.closed_at'])
			.where('repos.integration_id', '=', acme)
			.where('repos.name', '=', open.name)
			.where('pull_requests.number', '=', open.number)
			.executeTakeFirstOrThrow();
		expect(row.state).toBe('closed');
		expect(row.closed_at).not.toBeNull();
		await expectCountsEqual(acme);
		const requests = await edition.requests();
		expect(requests[edition.activityKinds.at(-1)!] ?? 0).toBe(1);
	}, 240_000);

	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates', async () => {
		await edition.slowActivity();
		const other = await add(`Globex ${edition.name}`, globex);
		const { id: operationId } = await db().selectFrom('operations').select('id').where('scope', '=', `integration:${other}`).where('kind', '=', 'integration.update').executeTakeFirstOrThrow();
		const total = Object.values(await edition.simulatorCounts()).reduce((n, c) => n + c.pullRequests, 0);
		await killWorkerMidIngest(system, worker, other, operationId, total);
		await simulator.control.clearFaults();
		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		await expectCountsEqual(other);
		await expectNoDuplicates(db(), other);
	}, 300_000);

	it('pauses at a spent quota, says until when, and resumes by itself when it refills', async () => {
		await forgetPullRequests(db(), acme);
		// Enough for part of the work, then none until a reset 40 s ahead: longer than the client
		// waits in the call (10 s), so the workflow's timer waits it out.
		await edition.setRateLimit(60, 60, 40);
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
		const operation = await waitForOperationEnd(system, operationId, 240_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		await expectCountsEqual(acme);
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
		await edition.setRateLimit(1_000_000, 1_000_000, 3600);
	}, 360_000);

	it('webhooks: a signed push updates that repository; a redelivery changes nothing; a bad signature gets 401', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, acme))!;
		const url = `${web.url}/webhooks/${endpoint}`;
		const repo = await db().selectFrom('repos').select(['id', 'name', 'provider_id']).where('integration_id', '=', acme).orderBy('name').executeTakeFirstOrThrow();
		await edition.registerHook(repo.name, url, secret);
		const updates = () => db().selectFrom('operations').select('id').where('scope', '=', `integration:${acme}`).where('kind', '=', 'integration.update').execute();
		const before = (await updates()).length;
		const pushed = await edition.push(repo.name);
		const delivery = pushed.deliveries[0]!;
		expect(delivery.statusCode).toBe(202);
		const logged = await waitFor('the delivery logged', async () => (await db().selectFrom('webhook_deliveries').selectAll().where('integration_id', '=', acme).executeTakeFirst()) ?? undefined);
		expect(logged).toMatchObject({ event: edition.pushEvent, delivery_id: delivery.requestId });
		expect((await updates()).length).toBe(before + 1);
		await waitFor(
			'the pushed commits ingested',
			async () => ((await db().selectFrom('repos').select('commits_count').where('id', '=', repo.id).executeTakeFirstOrThrow()).commits_count === commitsIn(repo.name) ? true : undefined),
			120_000
		);

		const again = await edition.redeliver(delivery.id);
		expect(again.statusCode).toBe(200);
		expect((await updates()).length).toBe(before + 1);
		expect(await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute()).toHaveLength(1);

		const forged = edition.forged(repo.provider_id);
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...forged.headers }, body: forged.body });
		expect(response.status).toBe(401);
		expect(await db().selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', acme).execute()).toHaveLength(1);
	}, 240_000);

	it('shows the secret on no page, and keeps it out of every operation it wrote', async () => {
		const secret = edition.secret();
		for (const page of [`/integrations/${acme}`, `/integrations/${acme}/edit`, '/integrations', '/operations', '/audit']) {
			const html = await (await fetch(`${web.url}${page}`, { headers: { cookie: manager } })).text();
			expect(html, page).not.toContain(secret);
		}
		const operations = await db().selectFrom('operations').selectAll().where('scope', '=', `integration:${acme}`).execute();
		expect(JSON.stringify(operations)).not.toContain(secret);
		expect(JSON.stringify(await db().selectFrom('integrations').selectAll().where('id', '=', acme).executeTakeFirstOrThrow())).not.toContain(secret);
	});
});
