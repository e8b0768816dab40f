// GitHub webhooks end to end: the simulator delivers signed deliveries to a real web process; a
// push updates that repository only; a bad signature, a replay and an unknown endpoint change
// nothing.
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { github, startTestSimulator } from '../simulator/support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { createTestSystem, signedInUser, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let simulator: RunningSimulator;
let system: TestSystem;
let web: RunningWeb;
let admin: SignedInUser;
let integrationId: string;
let endpoint: string;
let secret: string;
const repoIds = new Map<string, string>();

const db = () => system.database.db;

async function deliveriesOf(integration: string) {
	return db().selectFrom('webhook_deliveries').selectAll().where('integration_id', '=', integration).orderBy('received_at').execute();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > until) throw new Error(`Gave up waiting for ${what}.`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

async function updates() {
	return db().selectFrom('operations').select(['id', 'state', 'started_by']).where('scope', '=', `integration:${integrationId}`).where('kind', '=', 'integration.update').orderBy('started_at').execute();
}

beforeAll(async () => {
	simulator = await startTestSimulator('github-webhooks', { orgs: 1, reposPerOrg: 2, pullRequests: 5, commits: 30 });
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'http,https', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8' });
	await system.seedDemo();
	admin = await signedInUser(system, 'admin@acme.example');
	await system.startWorker();
	web = await system.startWeb();

	// A GitHub Enterprise integration on the simulator, with the organisation's repositories.
	const client = github(`${simulator.http}/api/v3`, simulator.tokens.classic);
	const repos = await client.paginate(client.rest.repos.listForOrg, { org: simulator.orgs[0]!, per_page: 100 });
	const integration = await createIntegration(
		db(),
		admin,
		'github-enterprise',
		{
			name: 'Webhooks',
			authMethod: 'personal-access-token',
			credentials: { method: 'personal-access-token', token: simulator.tokens.classic },
			baseUrl: simulator.http,
			settings: {},
			repositories: repos
				.filter((r) => !r.archived)
				.map((r) => ({ providerId: String(r.id), url: r.clone_url!, display: r.full_name, name: r.name })),
			deploymentsFromTags: false
		},
		'Token of sim-user'
	);
	integrationId = integration.id;
	for (const row of await db().selectFrom('repos').select(['id', 'name']).where('integration_id', '=', integrationId).execute()) repoIds.set(row.name, row.id);
	({ endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, integrationId))!);
}, 180_000);

afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

describe('GitHub webhooks', () => {
	it('acknowledges the ping a new hook sends, and logs it', async () => {
		const { ping } = await simulator.control.registerHook({ owner: simulator.orgs[0]!, url: `${web.url}/webhooks/${endpoint}`, secret, events: ['*'] });
		expect(ping.statusCode).toBe(200);
		const logged = await deliveriesOf(integrationId);
		expect(logged.map((d) => [d.event, d.result])).toEqual([['ping', 'ping: the endpoint and its secret work']]);
	});

	it('updates the pushed repository, and only that one', async () => {
		const before = await db().selectFrom('repos').select(['name', 'commits_count', 'last_updated_at']).where('integration_id', '=', integrationId).execute();
		const pushed = await simulator.control.push(`${simulator.orgs[0]}/api`, { commits: 3 });
		expect(pushed.deliveries.map((d) => d.statusCode)).toEqual([202]);
		const [update] = await waitFor('the update a push starts', async () => ((await updates()).length > 0 ? await updates() : undefined));
		expect(update!.started_by).toBe('GitHub Enterprise Server webhook');
		const ended = await waitForOperationEnd(system, update!.id);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		// Its bars count its one repository, not every repository of the integration.
		expect(ended.stages.find((stage) => stage.key === 'repos')).toMatchObject({ done: 1, total: 1 });
		expect(before.length).toBeGreaterThan(1);
		const after = await db().selectFrom('repos').select(['name', 'commits_count', 'last_updated_at', 'data_status']).where('integration_id', '=', integrationId).execute();
		const api = after.find((r) => r.name === 'api')!;
		expect(api.data_status).toBe('healthy');
		// Every commit of the repository, the pushed ones included: the truth is git's.
		expect(api.commits_count).toBeGreaterThan(before.find((r) => r.name === 'api')!.commits_count);
		for (const other of after.filter((r) => r.name !== 'api')) {
			expect(other.last_updated_at, other.name).toEqual(before.find((r) => r.name === other.name)!.last_updated_at);
		}
		const logged = await deliveriesOf(integrationId);
		expect(logged.at(-1)!.result).toBe('new commits: update of api started');
	});

	it('changes nothing for a replayed delivery', async () => {
		const [first] = (await simulator.control.deliveries()).filter((d) => d.event === 'push');
		const operationsBefore = await updates();
		const logBefore = await deliveriesOf(integrationId);
		const again = await simulator.control.redeliver(first!.id);
		expect(again.statusCode).toBe(200);
		expect(await updates()).toEqual(operationsBefore);
		expect(await deliveriesOf(integrationId)).toEqual(logBefore);
	});

	it('refuses a bad signature with 401 and records nothing', async () => {
		const body = JSON.stringify({ repository: { id: 1 } });
		const logBefore = await deliveriesOf(integrationId);
		for (const signature of [await sign('another secret', body), 'sha256=00', undefined]) {
			const response = await fetch(`${web.url}/webhooks/${endpoint}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': crypto.randomUUID(), ...(signature ? { 'x-hub-signature-256': signature } : {}) },
				body
			});
			expect(response.status).toBe(401);
		}
		expect(await deliveriesOf(integrationId)).toEqual(logBefore);
	});

	it('answers 404 to an unknown endpoint, the same as to a malformed one', async () => {
		const body = JSON.stringify({ zen: 'hello' });
		const answers = [];
		for (const unknown of ['x'.repeat(32), 'not an endpoint', endpoint.slice(0, -1) + (endpoint.endsWith('A') ? 'B' : 'A')]) {
			const response = await fetch(`${web.url}/webhooks/${encodeURIComponent(unknown)}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': await sign(secret, body) },
				body
			});
			answers.push([response.status, await response.text()]);
		}
		expect(new Set(answers.map(([status]) => status))).toEqual(new Set([404]));
		expect(new Set(answers.map(([, text]) => text)).size).toBe(1);
	});

	it('accepts a signed delivery sent by hand once, and only once', async () => {
		const body = JSON.stringify({ action: 'created', repository: { id: 999_999 }, issue: { pull_request: {} } });
		const headers = { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': await sign(secret, body) };
		const first = await fetch(`${web.url}/webhooks/${endpoint}`, { method: 'POST', headers, body });
		expect(first.status).toBe(202);
		expect(((await first.json()) as { message: string }).message).toMatch(/does not import: nothing to do/);
		const second = await fetch(`${web.url}/webhooks/${endpoint}`, { method: 'POST', headers, body });
		expect(((await second.json()) as { duplicate?: boolean }).duplicate).toBe(true);
	});

	it('removes a comment GitHub says was deleted, at once, and only that one', async () => {
		const stored = await db()
			.selectFrom('pull_request_comments as c')
			.innerJoin('repos as r', 'r.id', 'c.repo_id')
			.select(['c.provider_id', 'r.provider_id as repository'])
			.where('c.integration_id', '=', integrationId)
			.execute();
		expect(stored.length).toBeGreaterThan(1);
		const [gone] = stored;
		const body = JSON.stringify({ action: 'deleted', comment: { id: Number(gone!.provider_id) }, issue: { number: 1, pull_request: {} }, repository: { id: Number(gone!.repository) } });
		const headers = { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': await sign(secret, body) };
		const response = await fetch(`${web.url}/webhooks/${endpoint}`, { method: 'POST', headers, body });
		expect(response.status).toBe(200);
		expect(((await response.json()) as { message: string }).message).toBe('a deleted comment: removed');
		const left = await db().selectFrom('pull_request_comments').select('provider_id').where('integration_id', '=', integrationId).execute();
		expect(left.map((c) => c.provider_id).sort()).toEqual(stored.slice(1).map((c) => c.provider_id).sort());
		expect((await deliveriesOf(integrationId)).at(-1)!.result).toBe('a deleted comment: removed');
	});

	it('npm start hands the demo simulator the same secret at every start (no new secret per start)', async () => {
		await db().updateTable('integrations').set({ name: 'Demo GitHub (simulator)' }).where('id', '=', integrationId).execute();
		// connectDemoWebhook uses the process-wide connections, as npm start does.
		const { closeRuntime } = await import('../../src/lib/server/runtime.ts');
		const { connectDemoWebhook } = await import('../../scripts/demo-data.ts');
		await closeRuntime();
		const setAt = async () => (await db().selectFrom('integrations').select('webhook_secret_set_at').where('id', '=', integrationId).executeTakeFirstOrThrow()).webhook_secret_set_at;
		const before = await setAt();
		const registered: Array<string | undefined> = [];
		const control = {
			registerHook: (hook: { owner: string; url: string; secret?: string; events?: string[] }) => {
				registered.push(hook.secret);
				return simulator.control.registerHook(hook);
			},
			// No demo GitLab, Bitbucket, Azure DevOps or Jira integration here: nothing is registered there.
			gitlab: simulator.control.gitlab,
			bitbucketDataCenter: simulator.control.bitbucketDataCenter,
			azureDevOps: simulator.control.azureDevOps,
			jira: simulator.control.jira
		};
		try {
			for (let start = 0; start < 2; start++) await connectDemoWebhook({ https: simulator.http, orgs: simulator.orgs, control, gitlab: simulator.gitlab, bitbucketDataCenter: simulator.bitbucketDataCenter, azureDevOps: simulator.azureDevOps, jiraDataCenter: simulator.jiraDataCenter }, web.url, system.env, () => {});
		} finally {
			await closeRuntime();
		}
		expect(registered).toEqual([secret, secret]);
		expect(await setAt()).toEqual(before);
	});
});
