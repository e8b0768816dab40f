// Azure DevOps's connection test before saving, through the real web process against the
// simulator's Azure DevOps (a real process serving its REST API and git over HTTPS with its own
// CA): a token it knows is saved with its user named, and every failure is refused with a sentence
// that names what to change, and nothing saved.
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
let orgUrl: string;
let organization: string;

beforeAll(async () => {
	simulator = await startTestSimulator('azure-devops-connection', { orgs: 1, reposPerOrg: 3, pullRequests: 3, commits: 20 });
	ca = readFileSync(simulator.caFile, 'utf8');
	organization = simulator.azureDevOps.organizations[0]!;
	orgUrl = `${simulator.azureDevOps.https}/${organization}`;
	system = await createTestSystem({ TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8' });
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
function addOrganization(fields: Record<string, string>) {
	return submitAction(
		web.url,
		'/integrations/new/azure-devops',
		{ name: `Azure ${++added}`, authMethod: 'personal-access-token', baseUrl: orgUrl, caCertificate: ca, token: simulator.azureDevOps.tokens.full, ...fields },
		manager
	);
}

const count = async () => (await system.database.db.selectFrom('integrations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;

/** The form's failure sentences; nothing was saved. */
async function refusal(fields: Record<string, string>): Promise<string> {
	const before = await count();
	const result = await addOrganization(fields);
	expect(result.type, JSON.stringify(result)).toBe('failure');
	expect(await count()).toBe(before);
	const failures = (result.data?.failures ?? []) as string[];
	const errors = Object.values((result.data?.errors ?? {}) as Record<string, string>);
	expect(failures.length + errors.length, JSON.stringify(result.data)).toBeGreaterThan(0);
	return [...failures, ...errors].join(' ');
}

describe('Azure DevOps connection test (before saving)', () => {
	it('saves an organization it reaches, naming the token’s user but never the token', async () => {
		const result = await addOrganization({ name: 'Reached', baseUrl: `${orgUrl}/_apis/` });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await system.database.db.selectFrom('integrations').selectAll().where('name', '=', 'Reached').executeTakeFirstOrThrow();
		expect(row.kind).toBe('azure-devops');
		// The API path pasted with the address is not kept: the product adds it.
		expect(row.base_url).toBe(orgUrl);
		expect(row.credential_summary).toMatch(/^Personal access token of \S+@\S+, entered by manager@acme\.example$/);
		expect(JSON.stringify(row)).not.toContain(simulator.azureDevOps.tokens.full);
	});

	it('refuses a token Azure does not know, an expired one and a revoked one, each in its words', async () => {
		expect(await refusal({ token: 'a'.repeat(52) })).toMatch(/refused the personal access token \(“TF400813.*”\): it was revoked, has expired, was mistyped or belongs to another organization\. Create a new personal access token/);
		expect(await refusal({ token: simulator.azureDevOps.tokens.expired })).toMatch(/refused the personal access token .*: it has expired\./);
		expect(await refusal({ token: simulator.azureDevOps.tokens.revoked })).toMatch(/refused the personal access token .*: it was revoked\./);
	});

	it('names the scope a token lacks: vso.code for repositories and pull requests', async () => {
		expect(await refusal({ token: simulator.azureDevOps.tokens.noCode })).toMatch(/cannot list the repositories: .*lacks the scope “vso\.code”/);
	});

	it('says when the organization does not exist', async () => {
		expect(await refusal({ baseUrl: `${simulator.azureDevOps.https}/no-such-organization` })).toMatch(/there is no such organization .*check the organization URL/);
	});

	it('refuses a self-signed server without its CA, naming the CA field', async () => {
		expect(await refusal({ caCertificate: '' })).toMatch(/presented a certificate this server does not trust .*“CA certificate” field/);
	});

	it('says when the server’s name does not resolve, and when nothing listens there', async () => {
		expect(await refusal({ baseUrl: 'https://azure.tributary-test.invalid/acme' })).toMatch(/\(azure\.tributary-test\.invalid\/acme\) could not be found: its host name does not resolve/);
		expect(await refusal({ baseUrl: `https://127.0.0.1:${await freePort()}/acme` })).toMatch(/refused the connection \(nothing listens at that address and port\)/);
	});

	it('says when Azure keeps answering with errors, and when the answer is not Azure’s', async () => {
		await simulator.control.addFault({ provider: 'azure-devops', kind: 'status', status: 503, path: `/${organization}/_apis/connectionData`, count: 10 });
		expect(await refusal({})).toMatch(/answered with server errors \(503\) several times in a row/);
		await simulator.control.clearFaults();
		await simulator.control.addFault({ provider: 'azure-devops', kind: 'malformed', path: `/${organization}/_apis/connectionData`, count: 10 });
		expect(await refusal({})).toMatch(/sent an answer Tributary cannot read for who the token belongs to/);
	});

	it('says until when the rate limit is spent (a Retry-After too long to wait in the form)', async () => {
		const token = simulator.azureDevOps.tokens.full;
		await simulator.control.setRateLimit({ token, limit: 50, remaining: 0, resetInSeconds: 900 });
		try {
			expect(await refusal({})).toMatch(/rate limit is spent until about \d\d:\d\d UTC: Tributary waits and tries again then/);
		} finally {
			await simulator.control.setRateLimit({ token, limit: 20_000, remaining: 20_000, resetInSeconds: 1 });
		}
	});

	it('checks the form’s fields before reaching anything', async () => {
		expect(await refusal({ baseUrl: 'ftp://dev.azure.com/contoso' })).toMatch(/must start with https:\/\//);
		expect(await refusal({ baseUrl: 'https://dev.azure.com' })).toMatch(/Add your organization/);
		expect(await refusal({ baseUrl: 'https://me:pw@dev.azure.com/contoso' })).toMatch(/Leave credentials out of the address/);
		expect(await refusal({ token: 'two words' })).toMatch(/no spaces/);
	});
});
