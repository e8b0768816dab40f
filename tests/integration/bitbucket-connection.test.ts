// Bitbucket's connection test before saving, Cloud and Data Center, through the real web process
// against the simulator's Bitbucket (a real process serving both APIs and git, Data Center over
// HTTPS with its own CA): credentials it knows are saved with their user named, and every failure
// is refused with a sentence that names what to change, and nothing saved.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/engines/ports.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { createTestSystem, demoUser, signIn, submitAction, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let manager: string;
let ca: string;

beforeAll(async () => {
	simulator = await startTestSimulator('bitbucket-connection', { orgs: 1, reposPerOrg: 2, pullRequests: 3, commits: 20 });
	ca = readFileSync(simulator.caFile, 'utf8');
	system = await createTestSystem({
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_GIT_SCHEMES: 'http,https',
		// The Cloud kind reaches "api.bitbucket.org" here: the simulator's plain-HTTP Bitbucket Cloud.
		TRIBUTARY_BITBUCKET_CLOUD_API_URL: simulator.bitbucketCloud.api
	});
	const demo = await system.seedDemo();
	web = await system.startWeb();
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
});
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});
afterEach(() => simulator.control.clearFaults());

let added = 0;
const count = async () => (await system.database.db.selectFrom('integrations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;

function addCloud(fields: Record<string, string>) {
	const { email, credentials } = simulator.bitbucketCloud;
	return submitAction(web.url, '/integrations/new/bitbucket-cloud', { name: `Cloud ${++added}`, authMethod: 'api-token', email, token: credentials.apiTokens.full, ...fields }, manager);
}

function addServer(fields: Record<string, string>) {
	const dc = simulator.bitbucketDataCenter;
	return submitAction(
		web.url,
		'/integrations/new/bitbucket-data-center',
		{ name: `Server ${++added}`, authMethod: 'personal-access-token', baseUrl: dc.https, caCertificate: ca, token: dc.tokens.full, ...fields },
		manager
	);
}

/** The form's failure sentences; nothing was saved. */
async function refusal(submit: Promise<Awaited<ReturnType<typeof submitAction>>>): Promise<string> {
	const before = await count();
	const result = await submit;
	expect(result.type, JSON.stringify(result)).toBe('failure');
	expect(await count()).toBe(before);
	const failures = (result.data?.failures ?? []) as string[];
	const errors = Object.values((result.data?.errors ?? {}) as Record<string, string>);
	expect(failures.length + errors.length, JSON.stringify(result.data)).toBeGreaterThan(0);
	return [...failures, ...errors].join(' ');
}

async function saved(name: string) {
	return system.database.db.selectFrom('integrations').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
}

describe('Bitbucket Cloud connection test (before saving)', () => {
	it('saves an API token it reaches, naming its user but never the token; an app password too', async () => {
		const result = await addCloud({ name: 'Cloud token' });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await saved('Cloud token');
		expect(row.kind).toBe('bitbucket-cloud');
		expect(row.auth_method).toBe('api-token');
		expect(row.credential_summary).toBe('API token of sim-user, entered by manager@acme.example');
		expect(JSON.stringify(row)).not.toContain(simulator.bitbucketCloud.credentials.apiTokens.full);

		const password = await addCloud({ name: 'Cloud app password', authMethod: 'app-password', username: 'sim-user', appPassword: simulator.bitbucketCloud.credentials.appPassword });
		expect(password.type, JSON.stringify(password)).toBe('redirect');
		expect((await saved('Cloud app password')).credential_summary).toBe('App password of sim-user, entered by manager@acme.example');
	});

	it('refuses a revoked token and a token given with the wrong email', async () => {
		expect(await refusal(addCloud({ token: simulator.bitbucketCloud.credentials.apiTokens.revoked }))).toMatch(/Bitbucket Cloud refused the credentials .*Create a new API token/);
		expect(await refusal(addCloud({ email: 'someone-else@example.com' }))).toMatch(/refused the credentials/);
	});

	it('names the scope a token lacks', async () => {
		expect(await refusal(addCloud({ token: simulator.bitbucketCloud.credentials.apiTokens.noPullRequests }))).toMatch(/pull requests of .*lack a scope this needs \(“read:pullrequest:bitbucket”\)/);
		expect(await refusal(addCloud({ token: simulator.bitbucketCloud.credentials.apiTokens.userOnly }))).toMatch(/lack a scope this needs \(“read:workspace:bitbucket”/);
	});

	it('says when Bitbucket keeps answering with errors, or answers what Tributary cannot read', async () => {
		await simulator.control.addFault({ provider: 'bitbucket-cloud', kind: 'status', status: 503, path: '/user', count: 10 });
		expect(await refusal(addCloud({}))).toMatch(/answered with server errors \(503\) several times in a row/);
		await simulator.control.clearFaults();
		await simulator.control.addFault({ provider: 'bitbucket-cloud', kind: 'malformed', path: '/user', count: 10 });
		expect(await refusal(addCloud({}))).toMatch(/sent an answer Tributary cannot read/);
	});

	it('checks the form’s fields before reaching anything', async () => {
		expect(await refusal(addCloud({ email: 'not an email' }))).toMatch(/email of the Atlassian account/);
		expect(await refusal(addCloud({ token: 'two words' }))).toMatch(/no spaces/);
		expect(await refusal(addCloud({ authMethod: 'app-password', username: 'me@example.com', appPassword: 'x' }))).toMatch(/not your email/);
	});
});

describe('Bitbucket Data Center connection test (before saving)', () => {
	it('saves a token it reaches, naming the token’s user (git clones as them), never the token', async () => {
		const result = await addServer({ name: 'Server token', baseUrl: `${simulator.bitbucketDataCenter.https}/rest/api/1.0/` });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await saved('Server token');
		expect(row.kind).toBe('bitbucket-data-center');
		// The API path pasted with the address is not kept: the product adds it.
		expect(row.base_url).toBe(simulator.bitbucketDataCenter.https);
		expect(row.credential_summary).toBe('HTTP access token of sim-user, entered by manager@acme.example');
		expect(JSON.stringify(row)).not.toContain(simulator.bitbucketDataCenter.tokens.full);
	});

	it('saves a username and password, and a project token (its service user)', async () => {
		const dc = simulator.bitbucketDataCenter;
		const basic = await addServer({ name: 'Server password', authMethod: 'basic', username: dc.username, password: dc.password });
		expect(basic.type, JSON.stringify(basic)).toBe('redirect');
		expect((await saved('Server password')).credential_summary).toBe('Password of sim-user, entered by manager@acme.example');
		const project = await addServer({ name: 'Server project token', token: dc.tokens.projectRead });
		expect(project.type, JSON.stringify(project)).toBe('redirect');
		expect((await saved('Server project token')).credential_summary).toMatch(/^HTTP access token of bot-acme-reader, /);
	});

	it('refuses an expired, a revoked and a mistyped credential, each in its words', async () => {
		const dc = simulator.bitbucketDataCenter;
		expect(await refusal(addServer({ token: dc.tokens.expired }))).toMatch(/refused the credentials .*: they have expired/);
		expect(await refusal(addServer({ token: dc.tokens.revoked }))).toMatch(/refused the credentials .*revoked, have expired or were mistyped/);
		expect(await refusal(addServer({ authMethod: 'basic', username: dc.username, password: 'wrong' }))).toMatch(/refused the credentials/);
	});

	it('refuses a self-signed server without its CA, naming the CA field', async () => {
		expect(await refusal(addServer({ caCertificate: '' }))).toMatch(/presented a certificate this server does not trust .*“CA certificate” field/);
	});

	it('says when the server’s name does not resolve, and when nothing listens there', async () => {
		expect(await refusal(addServer({ baseUrl: 'https://bitbucket.tributary-test.invalid' }))).toMatch(/\(bitbucket\.tributary-test\.invalid\) could not be found/);
		expect(await refusal(addServer({ baseUrl: `https://127.0.0.1:${await freePort()}` }))).toMatch(/refused the connection/);
	});

	it('says until when the rate limit is spent (a Retry-After too long to wait in the form)', async () => {
		await simulator.control.setRateLimit({ token: simulator.bitbucketDataCenter.tokens.full, limit: 50, remaining: 0, resetInSeconds: 900 });
		try {
			expect(await refusal(addServer({}))).toMatch(/rate limit is spent until about \d\d:\d\d UTC: Tributary waits and tries again then/);
		} finally {
			await simulator.control.setRateLimit({ token: simulator.bitbucketDataCenter.tokens.full, limit: 1000, remaining: 1000, resetInSeconds: 1 });
		}
	});

	it('checks the form’s fields before reaching anything', async () => {
		expect(await refusal(addServer({ baseUrl: 'ftp://bitbucket.example.com' }))).toMatch(/must start with https:\/\//);
		expect(await refusal(addServer({ token: 'with spaces' }))).toMatch(/no spaces/);
	});
});
