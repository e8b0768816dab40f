// A GitHub Enterprise Server integration end to end, through the real web and worker processes
// against the simulator (a real process serving GitHub's API and git over HTTPS with its own CA):
// added with a token and with an App, its first update discovers the organisations and
// repositories and ingests their commits over HTTPS, the secrets appear on no page, the connection
// test records the token's expiry, and a token revoked later becomes the integration's status.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { createTestSystem, demoUser, readPage, signIn, submitAction, waitFor, latestOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

const simulatorName = 'github-integration';
const simulatorDir = path.join(os.tmpdir(), 'tributary-simulator-tests', simulatorName);

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let manager: string;
/** An admin of another organisation: the same repositories may be integrated there too. */
let globex: string;
let ca: string;
let appKey: string;

beforeAll(async () => {
	simulator = await startTestSimulator(simulatorName);
	ca = readFileSync(simulator.caFile, 'utf8');
	appKey = readFileSync(simulator.appPrivateKeyFile, 'utf8');
	system = await createTestSystem({ TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
	const other = demoUser(demo, 'admin@globex.example');
	globex = await signIn(web.url, other.email, other.password);
});
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

/** What git itself counts in the simulator's bare repository. */
const realCommits = (fullName: string) => Number(execFileSync('git', ['--git-dir', path.join(simulatorDir, 'git', `${fullName}.git`), 'rev-list', '--all', '--count'], { encoding: 'utf8' }).trim());

const latestOperation = (integrationId: string, kind: string) => latestOperationEnd(system, integrationId, kind);

async function add(name: string, fields: Record<string, string>, as = manager): Promise<string> {
	const result = await submitAction(web.url, '/integrations/new/github-enterprise', { name, baseUrl: simulator.https, caCertificate: ca, ...fields }, as);
	expect(result.type, JSON.stringify(result)).toBe('redirect');
	return (await system.database.db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

const integration = (id: string) => system.database.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const repos = (id: string) => system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', id).orderBy('name').execute();
const groups = (id: string) => system.database.db.selectFrom('groups').selectAll().where('integration_id', '=', id).orderBy('name').execute();

let tokenIntegration: string;

describe('GitHub Enterprise Server integration', () => {
	it('added with a classic token, its first update discovers every organisation and repository and ingests their real commits', async () => {
		tokenIntegration = await add('Acme GitHub', { authMethod: 'personal-access-token', token: simulator.tokens.classic });
		const update = await latestOperation(tokenIntegration, 'integration.update');
		expect(update.state, update.error ?? '').toBe('succeeded');
		// Every bar ends full: each repository counts as done once its pull requests are in too.
		for (const stage of update.stages) expect(stage.done, stage.key).toBe(stage.total);

		const stats = await simulator.control.stats();
		const found = await repos(tokenIntegration);
		expect(found).toHaveLength(stats.repos);
		// Organisations, and the token owner's own repositories.
		expect((await groups(tokenIntegration)).map((g) => g.name)).toEqual([...simulator.orgs, 'sim-user'].sort());
		for (const listed of stats.repositories) {
			const repo = found.find((r) => r.name === listed.repository);
			expect(repo, listed.repository).toBeDefined();
			expect(repo!.archived).toBe(listed.archived);
			expect(repo!.imported).toBe(true);
			expect(repo!.data_status, `${repo!.name}: ${repo!.status_detail}`).toBe('healthy');
			expect(repo!.commits_count, repo!.name).toBe(realCommits(listed.repository));
			expect(repo!.url).toBe(`${simulator.https}/${listed.repository}.git`);
			expect(repo!.provider_id).toMatch(/^\d+$/);
		}
		expect(found.some((r) => r.fork)).toBe(true);
		const row = await integration(tokenIntegration);
		expect(row.data_status).toBe('healthy');
		const commits = await system.database.db.selectFrom('commits').select((eb) => eb.fn.countAll<string>().as('n')).where('integration_id', '=', tokenIntegration).executeTakeFirstOrThrow();
		expect(Number(commits.n)).toBe(stats.repositories.reduce((sum, r) => sum + realCommits(r.repository), 0));
	});

	let appIntegration: string;
	it('added with a GitHub App (in another organisation), ingests the installation’s repositories with installation tokens', async () => {
		const installation = simulator.app.installations[0]!;
		appIntegration = await add('Acme App', { authMethod: 'github-app', appId: String(simulator.app.id), installationId: String(installation.id), privateKey: appKey }, globex);
		const update = await latestOperation(appIntegration, 'integration.update');
		expect(update.state, update.error ?? '').toBe('succeeded');
		for (const stage of update.stages) expect(stage.done, stage.key).toBe(stage.total);
		expect((await integration(appIntegration)).credential_summary).toBe(`GitHub App ${simulator.app.id}, installation ${installation.id} on ${installation.account}, entered by admin@globex.example`);
		const stats = await simulator.control.stats();
		const installed = stats.repositories.filter((r) => r.repository.startsWith(`${installation.account}/`));
		const found = await repos(appIntegration);
		expect(found.map((r) => r.name)).toEqual(installed.map((r) => r.repository).sort());
		expect((await groups(appIntegration)).map((g) => g.name)).toEqual([installation.account]);
		for (const repo of found) {
			expect(repo.data_status, `${repo.name}: ${repo.status_detail}`).toBe('healthy');
			expect(repo.commits_count, repo.name).toBe(realCommits(repo.name));
		}
		expect((await integration(appIntegration)).data_status).toBe('healthy');
	});

	it('shows neither the token nor the App’s private key on any page', async () => {
		const keyLine = appKey.split('\n').find((line) => line.length > 40)!;
		const pages = [
			[manager, '/integrations', 'Integrations · Tributary'],
			[manager, `/integrations/${tokenIntegration}`, 'Acme GitHub · Integrations · Tributary'],
			[manager, `/integrations/${tokenIntegration}/edit`, 'Edit Acme GitHub · Tributary'],
			[manager, '/integrations/new/github-enterprise', 'Add GitHub Enterprise Server · Tributary'],
			[globex, '/integrations', 'Integrations · Tributary'],
			[globex, `/integrations/${appIntegration}`, 'Acme App · Integrations · Tributary'],
			[globex, `/integrations/${appIntegration}/edit`, 'Edit Acme App · Tributary']
		] as const;
		for (const [who, page, title] of pages) {
			const html = await readPage(web.url, page, who, title);
			expect(html, page).not.toContain(simulator.tokens.classic);
			expect(html, page).not.toContain(keyLine);
		}
	});

	it('a connection test names the account and records when the token expires', async () => {
		const id = await add('Expiring', { authMethod: 'personal-access-token', token: simulator.tokens.expiring });
		await latestOperation(id, 'integration.update');
		const started = await submitAction(web.url, `/integrations/${id}?/test`, {}, manager);
		expect(started.type).toBe('success');
		const test = await latestOperation(id, 'integration.test');
		expect(test.state, test.error ?? '').toBe('succeeded');
		expect(test.result?.account).toBe('sim-user');
		// Its bar counts GitHub's checks (not repositories), and ends full.
		const [checks] = test.stages;
		expect(checks).toMatchObject({ label: 'Checks made' });
		expect(checks!.done).toBeGreaterThanOrEqual(2);
		expect(checks!.total).toBe(checks!.done);
		const expiresAt = (await integration(id)).credentials_expire_at;
		expect(expiresAt).not.toBeNull();
		expect(String(test.result?.expiresAt)).toBe(expiresAt!.toISOString());
	});

	// Past the minute the field client waits out in the call itself: the workflow's timer takes over.
	it('an update that meets a spent rate limit says until when, and resumes by itself at the reset', async () => {
		const window = await simulator.control.setRateLimit({ token: simulator.tokens.classic, limit: 50, remaining: 0, resetInSeconds: 62 });
		const started = await submitAction(web.url, `/integrations/${tokenIntegration}?/update`, {}, manager);
		expect(started.type).toBe('success');
		const limited = await waitFor('the rate-limited status', async () => {
			const row = await integration(tokenIntegration);
			return row.data_status === 'rate-limited' ? row : undefined;
		});
		expect(limited.status_detail).toContain(`rate limit is spent until ${new Date(window.reset * 1000).toISOString().slice(11, 16)} UTC (0 of 50 requests left)`);
		const update = await latestOperation(tokenIntegration, 'integration.update');
		expect(update.state, update.error ?? '').toBe('succeeded');
		expect((await integration(tokenIntegration)).data_status).toBe('healthy');
	}, 180_000);

	it('a token revoked later becomes the integration’s status at its next update, in GitHub’s words', async () => {
		await simulator.control.revokeToken(simulator.tokens.classic);
		const started = await submitAction(web.url, `/integrations/${tokenIntegration}?/update`, {}, manager);
		expect(started.type).toBe('success');
		const update = await latestOperation(tokenIntegration, 'integration.update');
		expect(update.state).toBe('failed');
		const row = await integration(tokenIntegration);
		expect(row.data_status).toBe('failed-integration');
		expect(row.status_detail).toMatch(/refused the token \(“Bad credentials”\): it was revoked, has expired or was mistyped/);
		expect(update.error).toBe(row.status_detail);
	});
});
