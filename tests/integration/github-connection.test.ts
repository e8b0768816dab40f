// The GitHub connection test, as a person adding a GitHub Enterprise Server integration meets it:
// the add form reaches the simulator (a real process, over HTTPS with its own CA) with the typed
// credentials before anything is saved, and each way of failing answers with its own sentence.
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
	simulator = await startTestSimulator('github-connection');
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
/** Submits the add form for a GitHub Enterprise Server; the simulator is one. */
function addServer(fields: Record<string, string>) {
	return submitAction(
		web.url,
		'/integrations/new/github-enterprise',
		{ name: `Server ${++added}`, authMethod: 'personal-access-token', baseUrl: simulator.https, caCertificate: ca, token: simulator.tokens.classic, ...fields },
		manager
	);
}

/** The form's one failure sentence; nothing was saved. */
async function refusal(fields: Record<string, string>): Promise<string> {
	const before = await system.database.db.selectFrom('integrations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
	const result = await addServer(fields);
	expect(result.type, JSON.stringify(result)).toBe('failure');
	const after = await system.database.db.selectFrom('integrations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
	expect(after.n).toBe(before.n);
	const failures = (result.data?.failures ?? []) as string[];
	const errors = Object.values((result.data?.errors ?? {}) as Record<string, string>);
	expect(failures.length + errors.length, JSON.stringify(result.data)).toBeGreaterThan(0);
	return [...failures, ...errors].join(' ');
}

describe('GitHub connection test (before saving)', () => {
	it('saves a server it reaches, naming the token’s account and kind but never the token', async () => {
		const result = await addServer({ name: 'Reached' });
		expect(result.type, JSON.stringify(result)).toBe('redirect');
		const row = await system.database.db.selectFrom('integrations').selectAll().where('name', '=', 'Reached').executeTakeFirstOrThrow();
		expect(row.kind).toBe('github-enterprise');
		expect(row.base_url).toBe(simulator.https);
		expect(row.credential_summary).toBe('Classic personal access token of sim-user, entered by manager@acme.example');
		expect(row.settings.caCertificate).toBe(ca.trim() + '\n');
		expect(JSON.stringify(row)).not.toContain(simulator.tokens.classic);
	});

	it('refuses a token GitHub does not know', async () => {
		expect(await refusal({ token: 'ghp_0000000000000000000000000000000000zz' })).toMatch(/refused the token \(“Bad credentials”\): it was revoked, has expired or was mistyped/);
	});

	it('names the scopes a classic token lacks', async () => {
		expect(await refusal({ token: simulator.tokens.classicReadUser })).toMatch(/lacks the scopes “repo” and “read:org”/);
	});

	it('names the permission a fine-grained token lacks, found by trying it on a repository', async () => {
		expect(await refusal({ token: simulator.tokens.fineGrainedNoPulls })).toMatch(/cannot read the pull requests of [\w-]+\/[\w-]+: give it the permission “Pull requests: read”/);
		// The same token with every permission the services need is accepted.
		expect((await addServer({ name: 'Fine-grained', token: simulator.tokens.fineGrained })).type).toBe('redirect');
	});

	it('refuses a self-signed server without its CA, naming the CA field, and reaches it with it', async () => {
		expect(await refusal({ caCertificate: '' })).toMatch(/presented a certificate this server does not trust .*“CA certificate” field/);
		expect((await addServer({ name: 'With its CA' })).type).toBe('redirect');
	});

	it('says when the server’s name does not resolve', async () => {
		expect(await refusal({ baseUrl: 'https://github.tributary-test.invalid' })).toMatch(/\(github\.tributary-test\.invalid\) could not be found: its host name does not resolve/);
	});

	it('says when nothing listens at the address', async () => {
		const closed = await freePort();
		expect(await refusal({ baseUrl: `https://127.0.0.1:${closed}` })).toMatch(/refused the connection \(nothing listens at that address and port\)/);
	});

	it('says until when the rate limit is spent', async () => {
		const window = await simulator.control.setRateLimit({ token: simulator.tokens.expiring, limit: 50, remaining: 0, resetInSeconds: 900 });
		const reset = new Date(window.reset * 1000).toISOString().slice(11, 16);
		expect(await refusal({ token: simulator.tokens.expiring })).toContain(`rate limit is spent until ${reset} UTC (0 of 50 requests left): Tributary waits and tries again after the reset`);
	});

	it('says when the server keeps answering with errors', async () => {
		await simulator.control.addFault({ kind: 'status', status: 502, path: '/user', count: 10 });
		expect(await refusal({})).toMatch(/answered with server errors \(502\) several times in a row: it may be having an outage/);
	});

	it('says when the answer is not GitHub’s JSON', async () => {
		await simulator.control.addFault({ kind: 'malformed', path: '/user', count: 10 });
		expect(await refusal({})).toMatch(/sent an answer Tributary cannot read for who the token belongs to/);
	});

	it('checks the form’s fields before reaching anything', async () => {
		expect(await refusal({ baseUrl: 'ftp://github.example.com' })).toMatch(/must start with https:\/\//);
		expect(await refusal({ caCertificate: '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----' })).toMatch(/This is a private key/);
		expect(await refusal({ authMethod: 'github-app', token: '', appId: 'Iv1.abc', installationId: '', privateKey: 'nope' })).toMatch(
			/The App ID is a number.*installation ID is required.*does not look like a private key/
		);
	});
});
