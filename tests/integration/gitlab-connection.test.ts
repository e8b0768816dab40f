// GitLab's connection test before saving, through the real web process against the simulator's
// GitLab (a real process serving GitLab's API and git over HTTPS with its own CA): a token it
// knows is saved with its user named, and every failure is refused with a sentence that names
// what to change, and nothing saved.
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
	simulator = await startTestSimulator('gitlab-connection', { orgs: 1, reposPerOrg: 3, pullRequests: 3, commits: 20 });
	ca = readFileSync(simulator.caFile, 'utf8');
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
/** Submits the add form for a self-managed GitLab; the simulator is one. */
function addServer(fields: Record<string, string>) {
	return submitAction(
		web.url,
		'/integrations/new/gitlab-self-managed',
		{ name: `GitLab ${++added}`, authMethod: 'personal-access-token', baseUrl: simulator.gitlab.https, caCertificate: ca, token: simulator.gitlab.tokens.full, ...fields },
		manager
	);
}

/** The form's failure sentences; nothing was saved. */
async function refusal(fields: Record<string, string>): Promise<string> {
	const count = async () => (await system.database.db.selectFrom('integrations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
	const before = await count();
	const result = await addServer(fields);
	expect(result.type, JSON.stringify(result)).toBe('failure');
	expect(await count()).toBe(before);
	const failures = (result.data?.failures ?? []) as string[];
	const errors = Object.values((result.data?.errors ?? {}) as Record<string, string>);
	expect(failures.length + errors.length, JSON.stringify(result.data)).toBeGreaterThan(0);
	return [...failures, ...errors].join(' ');
}

describe('GitLab connection test (before saving)', () => {
	it('saves a server it reaches, naming the token’s user but never the token', async () => {
		const result = await addServer({ name: 'Reached', baseUrl: `${simulator.gitlab.https}/api/v4/` });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await system.database.db.selectFrom('integrations').selectAll().where('name', '=', 'Reached').executeTakeFirstOrThrow();
		expect(row.kind).toBe('gitlab-self-managed');
		// The API path pasted with the address is not kept: the product adds it.
		expect(row.base_url).toBe(simulator.gitlab.https);
		expect(row.credential_summary).toBe('Personal access token of sim-user, entered by manager@acme.example');
		expect(JSON.stringify(row)).not.toContain(simulator.gitlab.tokens.full);
	});

	it('names a project access token as such, by its bot user', async () => {
		const result = await addServer({ name: 'Project token', token: simulator.gitlab.tokens.projectBot });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await system.database.db.selectFrom('integrations').select('credential_summary').where('name', '=', 'Project token').executeTakeFirstOrThrow();
		expect(row.credential_summary).toMatch(/^Group or project access token of \S*bot\S*, entered by manager@acme\.example$/);
	});

	it('refuses a token GitLab does not know, an expired one and a revoked one, each in its words', async () => {
		expect(await refusal({ token: 'glpat-00000000000000000000' })).toMatch(/refused the token .*: it was revoked, has expired or was mistyped/);
		expect(await refusal({ token: simulator.gitlab.tokens.expired })).toMatch(/refused the token .*: it has expired/);
		expect(await refusal({ token: simulator.gitlab.tokens.revoked })).toMatch(/refused the token/);
	});

	it('names the scopes a token lacks: read_repository for git, read_api for the rest', async () => {
		expect(await refusal({ token: simulator.gitlab.tokens.readApiOnly })).toMatch(/lacks the scope “read_repository”: git cannot clone with it/);
		expect(await refusal({ token: simulator.gitlab.tokens.readUserOnly })).toMatch(/lacks the scopes “read_api” and “read_repository”/);
	});

	it('refuses a self-signed server without its CA, naming the CA field', async () => {
		expect(await refusal({ caCertificate: '' })).toMatch(/presented a certificate this server does not trust .*“CA certificate” field/);
	});

	it('says when the server’s name does not resolve, and when nothing listens there', async () => {
		expect(await refusal({ baseUrl: 'https://gitlab.tributary-test.invalid' })).toMatch(/\(gitlab\.tributary-test\.invalid\) could not be found: its host name does not resolve/);
		expect(await refusal({ baseUrl: `https://127.0.0.1:${await freePort()}` })).toMatch(/refused the connection \(nothing listens at that address and port\)/);
	});

	it('says until when the rate limit is spent (a Retry-After too long to wait in the form)', async () => {
		await simulator.control.setRateLimit({ token: simulator.gitlab.tokens.expiring, limit: 50, remaining: 0, resetInSeconds: 900 });
		expect(await refusal({ token: simulator.gitlab.tokens.expiring })).toMatch(/rate limit is spent until \d\d:\d\d UTC.*: Tributary waits and tries again after the reset/);
	});

	it('says when the server keeps answering with errors, and when the answer is not GitLab’s', async () => {
		await simulator.control.addFault({ provider: 'gitlab', kind: 'status', status: 502, path: '/user', count: 10 });
		expect(await refusal({})).toMatch(/answered with server errors \(502\) several times in a row/);
		await simulator.control.clearFaults();
		await simulator.control.addFault({ provider: 'gitlab', kind: 'malformed', path: '/user', count: 10 });
		expect(await refusal({})).toMatch(/sent an answer Tributary cannot read/);
	});

	it('checks the form’s fields before reaching anything', async () => {
		expect(await refusal({ baseUrl: 'ftp://gitlab.example.com' })).toMatch(/must start with https:\/\//);
		expect(await refusal({ baseUrl: 'https://me:pw@gitlab.example.com' })).toMatch(/Leave credentials out of the address/);
		expect(await refusal({ token: 'glpat with spaces' })).toMatch(/no spaces/);
	});
});
