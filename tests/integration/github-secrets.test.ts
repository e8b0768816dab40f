// Hosted providers' secrets — GitHub's token, an App's private key, GitLab's, Bitbucket's and Azure DevOps's credentials, webhook
// secrets — appear in no page, action answer (but the one that shows a new webhook secret, once),
// socket event, log line or Temporal workflow history, after a whole life: added, discovered,
// ingested with pull or merge requests, tested, webhook made, deliveries received.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	readPage,
	signIn,
	submitAction,
	latestOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
const events: unknown[] = [];

beforeAll(async () => {
	simulator = await startTestSimulator('github-secrets', { orgs: 2, reposPerOrg: 2, pullRequests: 8, commits: 40 });
	system = await createTestSystem({
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_GIT_SCHEMES: 'http,https',
		TRIBUTARY_BITBUCKET_CLOUD_API_URL: simulator.bitbucketCloud.api,
		LOG_LEVEL: 'trace'
	});
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
	const socket = await connectSocket(web.url, manager);
	socket.onAny((name: string, payload: unknown) => events.push({ name, payload }));
}, 180_000);
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const idOf = async (name: string) => (await system.database.db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

const finished = (integrationId: string, kind: string) => latestOperationEnd(system, integrationId, kind);

describe('GitHub secrets', () => {
	it('stay in the database, sealed, and nowhere else', async () => {
		const ca = readFileSync(simulator.caFile, 'utf8');
		const privateKey = readFileSync(simulator.appPrivateKeyFile, 'utf8');
		const token = simulator.tokens.classic;
		const answers: unknown[] = [];

		// With a token, and with an App (another organisation, so each holds its own repositories).
		const withToken = await submitAction(web.url, '/integrations/new/github-enterprise', { name: 'Token', baseUrl: simulator.https, caCertificate: ca, authMethod: 'personal-access-token', token }, manager);
		expect(withToken.type, JSON.stringify(withToken)).toBe('redirect');
		answers.push(withToken);
		const tokenId = await idOf('Token');
		expect((await finished(tokenId, 'integration.update')).state).toBe('succeeded');

		const installation = simulator.app.installations.at(-1)!;
		const withApp = await submitAction(
			web.url,
			'/integrations/new/github-enterprise',
			{ name: 'App', baseUrl: simulator.https, caCertificate: ca, authMethod: 'github-app', appId: String(simulator.app.id), installationId: String(installation.id), privateKey },
			manager
		);
		answers.push(withApp);
		const appId = await idOf('App');
		expect((await finished(appId, 'integration.update')).state).toBe('succeeded');

		// A connection test of each, and a webhook whose secret is shown once.
		for (const id of [tokenId, appId]) {
			answers.push(await submitAction(web.url, `/integrations/${id}?/test`, {}, manager));
			await finished(id, 'integration.test');
		}
		const made = await submitAction(web.url, `/integrations/${tokenId}/webhooks?/rotate`, {}, manager);
		const { secret, endpointUrl } = made.data as { secret: string; endpointUrl: string };
		expect(secret.length).toBeGreaterThan(30);
		const { ping } = await simulator.control.registerHook({ owner: simulator.orgs[0]!, url: endpointUrl.replace(/^http:\/\/[^/]+/, web.url), secret, events: ['*'] });
		expect(ping.statusCode).toBe(200);
		await simulator.control.push(`${simulator.orgs[0]}/api`, { commits: 1 });
		await finished(tokenId, 'integration.update');

		const rows = await system.database.db.selectFrom('integrations').select(['credentials', 'webhook_secret']).execute();
		for (const row of rows) {
			for (const sealed of [row.credentials, row.webhook_secret]) {
				if (!sealed) continue;
				for (const value of [token, privateKey.split('\n')[1]!, secret]) expect(Buffer.from(sealed).includes(Buffer.from(value))).toBe(false);
			}
		}

		const pages = [];
		for (const id of [tokenId, appId]) {
			const name = id === tokenId ? 'Token' : 'App';
			pages.push(await readPage(web.url, `/integrations/${id}`, manager, `${name} · Integrations · Tributary`));
			pages.push(await readPage(web.url, `/integrations/${id}/edit`, manager, `Edit ${name} · Tributary`));
			pages.push(await readPage(web.url, `/integrations/${id}/webhooks`, manager, `Webhooks · ${name} · Tributary`));
		}
		pages.push(await readPage(web.url, '/integrations', manager, 'Integrations · Tributary'));

		const histories: string[] = [];
		const connection = await Connection.connect({ address: inject('temporalAddress') });
		const client = new Client({ connection });
		for await (const execution of client.workflow.list({ query: `TaskQueue = '${system.env.TEMPORAL_TASK_QUEUE}'` })) {
			histories.push(JSON.stringify(await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()));
		}
		await connection.close();
		// Updates, their children per repository, tests: many histories were read.
		expect(histories.length).toBeGreaterThan(6);

		const everything = [...pages, JSON.stringify(answers), JSON.stringify(events), web.output(), worker.output(), ...histories];
		const keyBody = privateKey.split('\n').filter((line) => line && !line.startsWith('-----'));
		for (const text of everything) {
			expect(text).not.toContain(token);
			for (const line of keyBody.slice(0, 3)) expect(text).not.toContain(line);
			expect(text).not.toContain(secret);
		}
	});

	interface Hosted {
		name: string;
		kind: string;
		form: () => Record<string, string>;
		secret: () => string;
		/** A repository's hook with the webhook secret, and one delivery through it: its HTTP status. */
		deliver: (url: string, secret: string) => Promise<number | null>;
	}
	const ca = () => readFileSync(simulator.caFile, 'utf8');
	const hosted: Hosted[] = [
		{
			name: 'GitLab',
			kind: 'gitlab-self-managed',
			form: () => ({ baseUrl: simulator.gitlab.https, caCertificate: ca(), authMethod: 'personal-access-token', token: simulator.gitlab.tokens.full }),
			secret: () => simulator.gitlab.tokens.full,
			deliver: async (url, secret) => {
				const project = `${simulator.orgs[0]}/api`;
				await simulator.control.gitlab.registerHook({ project, url, token: secret, events: ['push'] });
				return (await simulator.control.gitlab.push(project, { commits: 1 })).deliveries[0]!.statusCode;
			}
		},
		{
			name: 'Bitbucket Cloud',
			kind: 'bitbucket-cloud',
			form: () => ({ authMethod: 'api-token', email: simulator.bitbucketCloud.email, token: simulator.bitbucketCloud.credentials.apiTokens.full }),
			secret: () => simulator.bitbucketCloud.credentials.apiTokens.full,
			deliver: async (url, secret) => {
				const repository = `${simulator.orgs[1]}/api`;
				await simulator.control.bitbucketCloud.registerHook({ repository, url, secret });
				return (await simulator.control.bitbucketCloud.push(repository, { commits: 1 })).deliveries[0]!.statusCode;
			}
		},
		{
			name: 'Bitbucket Data Center',
			kind: 'bitbucket-data-center',
			form: () => ({ authMethod: 'basic', baseUrl: simulator.bitbucketDataCenter.https, caCertificate: ca(), username: simulator.bitbucketDataCenter.username, password: simulator.bitbucketDataCenter.password }),
			secret: () => simulator.bitbucketDataCenter.password,
			deliver: async (url, secret) => {
				const repository = `${simulator.orgs[1]!.toUpperCase()}/web`;
				await simulator.control.bitbucketDataCenter.registerHook({ repository, url, secret });
				return (await simulator.control.bitbucketDataCenter.push(repository, { commits: 1 })).deliveries[0]!.statusCode;
			}
		},
		{
			name: 'Azure DevOps',
			kind: 'azure-devops',
			form: () => ({ authMethod: 'personal-access-token', baseUrl: `${simulator.azureDevOps.https}/${simulator.azureDevOps.organizations[1]}`, caCertificate: ca(), token: simulator.azureDevOps.tokens.full }),
			secret: () => simulator.azureDevOps.tokens.full,
			deliver: async (url, secret) => {
				const repository = simulator.azureDevOps.repositories.find((r) => r.startsWith(`${simulator.azureDevOps.organizations[1]}/`) && r.endsWith('/api'))!;
				await simulator.control.azureDevOps.subscribe({ project: repository.slice(0, repository.lastIndexOf('/')), url, eventType: 'git.push', username: 'tributary', password: secret });
				return (await simulator.control.azureDevOps.push(repository, { commits: 1 })).deliveries[0]!.statusCode;
			}
		}
	];

	it.each(hosted)('$name: the credentials and the webhook secret, the same way', async (provider) => {
		const token = provider.secret();
		const answers: unknown[] = [];
		const added = await submitAction(web.url, `/integrations/new/${provider.kind}`, { name: provider.name, ...provider.form() }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		answers.push(added);
		const id = await idOf(provider.name);
		expect((await finished(id, 'integration.update')).state).toBe('succeeded');
		answers.push(await submitAction(web.url, `/integrations/${id}?/test`, {}, manager));
		expect((await finished(id, 'integration.test')).state).toBe('succeeded');
		const made = await submitAction(web.url, `/integrations/${id}/webhooks?/rotate`, {}, manager);
		const { secret, endpointUrl } = made.data as { secret: string; endpointUrl: string };
		expect(await provider.deliver(endpointUrl.replace(/^http:\/\/[^/]+/, web.url), secret)).toBe(202);
		await finished(id, 'integration.update');

		const row = await system.database.db.selectFrom('integrations').select(['credentials', 'webhook_secret']).where('id', '=', id).executeTakeFirstOrThrow();
		for (const sealed of [row.credentials, row.webhook_secret]) for (const value of [token, secret]) expect(Buffer.from(sealed!).includes(Buffer.from(value))).toBe(false);
		const pages = [
			await readPage(web.url, `/integrations/${id}`, manager, `${provider.name} · Integrations · Tributary`),
			await readPage(web.url, `/integrations/${id}/edit`, manager, `Edit ${provider.name} · Tributary`),
			await readPage(web.url, `/integrations/${id}/webhooks`, manager, `Webhooks · ${provider.name} · Tributary`)
		];
		const histories: string[] = [];
		const connection = await Connection.connect({ address: inject('temporalAddress') });
		const client = new Client({ connection });
		for await (const execution of client.workflow.list({ query: `TaskQueue = '${system.env.TEMPORAL_TASK_QUEUE}'` })) {
			histories.push(JSON.stringify(await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()));
		}
		await connection.close();
		for (const text of [...pages, JSON.stringify(answers), JSON.stringify(events), web.output(), worker.output(), ...histories]) {
			expect(text).not.toContain(token);
			expect(text).not.toContain(secret);
		}
	});
});
