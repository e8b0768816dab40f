// Discovery and the Repos and Services tabs of a GitHub integration, through the real web and
// worker processes against the simulator: a fine-grained token sees one organisation's private
// repositories; with a classic token put in by editing, Refresh finds the rest and imports them
// as the group toggles say; services turn on and off with an audit entry each.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { describeOperation } from '../../src/lib/operations/describe.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { createTestSystem, demoUser, readPage, signIn, submitAction, latestOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let manager: string;
let viewer: string;
let ca: string;
let integrationId: string;

beforeAll(async () => {
	simulator = await startTestSimulator('github-discovery');
	ca = readFileSync(simulator.caFile, 'utf8');
	system = await createTestSystem({ TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, demoUser(demo, 'manager@acme.example').email, demoUser(demo, 'manager@acme.example').password);
	viewer = await signIn(web.url, demoUser(demo, 'viewer@acme.example').email, demoUser(demo, 'viewer@acme.example').password);
});
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const latestOperation = (kind: string) => latestOperationEnd(system, integrationId, kind);

/** Adds a GHES integration on the simulator through the add form, as a manager; returns its id. */
async function addThroughForm(name: string, token: string): Promise<string> {
	const added = await submitAction(
		web.url,
		'/integrations/new/github-enterprise',
		{ name, authMethod: 'personal-access-token', baseUrl: simulator.https, caCertificate: ca, token },
		manager
	);
	expect(added.type, JSON.stringify(added)).toBe('redirect');
	return (await system.database.db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

const repos = () => system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integrationId).orderBy('name').execute();
const groupId = async (name: string) => (await system.database.db.selectFrom('groups').select('id').where('integration_id', '=', integrationId).where('name', '=', name).executeTakeFirstOrThrow()).id;
const action = (name: string, fields: Record<string, string> = {}, as = manager) => submitAction(web.url, `/integrations/${integrationId}?/${name}`, fields, as);

describe('GitHub discovery, Repos and Services tabs', () => {
	it('a fine-grained token’s first update finds what it may see: one organisation’s private repositories, and public ones', async () => {
		integrationId = await addThroughForm('Fine', simulator.tokens.fineGrained);
		expect((await latestOperation('integration.update')).state).toBe('succeeded');
		const stats = await simulator.control.stats();
		const visible = stats.repositories.filter((r) => r.repository.startsWith(`${simulator.orgs[0]}/`) || !r.private).map((r) => r.repository);
		const found = await repos();
		expect(found.map((r) => r.name)).toEqual(visible.sort());
		expect(found.every((r) => r.imported && r.data_status === 'healthy')).toBe(true);
	});

	it('the Repos tab’s toggles change what the next refresh imports, and say so in the history', async () => {
		expect((await action('setGroup', { groupId: await groupId(simulator.orgs[1]!), toggle: 'autoImport', on: 'no' })).type).toBe('success');
		expect((await action('setGroup', { groupId: await groupId(simulator.orgs[1]!), toggle: 'showInRepos', on: 'no' })).type).toBe('success');
		expect((await action('autoImportAll', { on: 'no' })).type).toBe('success');
		// A viewer may look, not change.
		expect((await action('autoImportAll', { on: 'yes' }, viewer)).status).toBe(403);
		const html = await readPage(web.url, `/integrations/${integrationId}`, manager, 'Fine · Integrations · Tributary');
		expect(html).toContain('data-setting="auto-import-all">off');
		expect(html).toContain(`Changed Fine's repository settings: ${simulator.orgs[1]}.autoImport off`);

		// A classic token sees every repository: refresh finds the ones the fine-grained one could not.
		const version = (await system.database.db.selectFrom('integrations').select('version').where('id', '=', integrationId).executeTakeFirstOrThrow()).version;
		const edited = await submitAction(
			web.url,
			`/integrations/${integrationId}/edit`,
			{ name: 'Fine', authMethod: 'personal-access-token', baseUrl: simulator.https, caCertificate: ca, token: simulator.tokens.classic, version: String(version) },
			manager
		);
		expect(edited.type, JSON.stringify(edited)).toBe('redirect');
		expect((await action('refresh')).type).toBe('success');
		const refresh = await latestOperation('integration.refresh');
		expect(refresh.state, refresh.error ?? '').toBe('succeeded');
		const stats = await simulator.control.stats();
		const found = await repos();
		expect(found).toHaveLength(stats.repos);
		const hidden = found.filter((r) => r.name.startsWith(`${simulator.orgs[1]}/`) && stats.repositories.find((s) => s.repository === r.name)!.private);
		// New in a group whose auto-import is off: known, not imported.
		expect(hidden.length).toBeGreaterThan(0);
		expect(hidden.every((r) => !r.imported && r.data_status === 'excluded')).toBe(true);
		// New in a group whose auto-import is on (the user's own): imported.
		const own = found.filter((r) => r.name.startsWith('sim-user/'));
		expect(own.every((r) => r.imported)).toBe(true);
		expect(refresh.result).toMatchObject({ repositories: stats.repos, newRepositories: hidden.length + 1, imported: 1 });
	});

	it('services turn on and off, each change audited; an update with Repos off fetches no git data', async () => {
		expect((await action('setService', { service: 'pull-requests', on: 'no' })).type).toBe('success');
		expect((await system.database.db.selectFrom('integrations').select('services').where('id', '=', integrationId).executeTakeFirstOrThrow()).services).toEqual(['repos']);
		expect((await action('setService', { service: 'tickets', on: 'yes' })).status).toBe(404);
		expect((await action('setService', { service: 'repos', on: 'no' })).type).toBe('success');
		const audit = await system.database.db.selectFrom('audit_events').select(['action', 'after']).where('subject_id', '=', integrationId).where('action', '=', 'integration.services_changed').orderBy('created_at').execute();
		expect(audit.map((a) => a.after)).toEqual([
			{ services: ['repos'], kind: 'github-enterprise' },
			{ services: [], kind: 'github-enterprise' }
		]);

		const commitsBefore = await system.database.db.selectFrom('commits').select((eb) => eb.fn.countAll<string>().as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
		await simulator.control.push(`${simulator.orgs[0]}/api`, { commits: 2 });
		expect((await action('update')).type).toBe('success');
		const update = await latestOperation('integration.update');
		expect(update.state).toBe('succeeded');
		expect(update.result).toMatchObject({ repos: 0 });
		const commitsAfter = await system.database.db.selectFrom('commits').select((eb) => eb.fn.countAll<string>().as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
		expect(commitsAfter.n).toBe(commitsBefore.n);
	});

	it('edits in place: the form shows the server’s address, and keeps the stored token only for that address', async () => {
		const html = await readPage(web.url, `/integrations/${integrationId}/edit`, manager, 'Edit Fine · Tributary');
		expect(html).toContain(`value="${simulator.https}"`);
		expect(html).toContain('-----BEGIN CERTIFICATE-----');
		expect(html).not.toContain(simulator.tokens.classic);
		const version = async () => String((await system.database.db.selectFrom('integrations').select('version').where('id', '=', integrationId).executeTakeFirstOrThrow()).version);
		const moved = await submitAction(
			web.url,
			`/integrations/${integrationId}/edit`,
			{ name: 'Fine', authMethod: 'personal-access-token', baseUrl: 'https://elsewhere.example', caCertificate: ca, version: await version() },
			manager
		);
		expect(moved.type).toBe('failure');
		expect((moved.data?.errors as Record<string, string>).token).toMatch(/Enter the token again to change the server’s address/);
		const renamed = await submitAction(
			web.url,
			`/integrations/${integrationId}/edit`,
			{ name: 'Fine again', authMethod: 'personal-access-token', baseUrl: simulator.https, caCertificate: ca, version: await version() },
			manager
		);
		expect(renamed.type, JSON.stringify(renamed)).toBe('redirect');
		const row = await system.database.db.selectFrom('integrations').select(['name', 'base_url', 'credential_summary']).where('id', '=', integrationId).executeTakeFirstOrThrow();
		expect(row).toEqual({ name: 'Fine again', base_url: simulator.https, credential_summary: 'Classic personal access token of sim-user, entered by manager@acme.example' });
	});

	it('an account added again while its old integration is being deleted: its repositories stay there, and its update and refresh say why', async () => {
		const held = (await repos()).length;
		// The old integration's deletion under way: the status every check reads.
		await system.database.db.updateTable('integrations').set({ data_status: 'deleting' }).where('id', '=', integrationId).execute();
		const againId = await addThroughForm('Again', simulator.tokens.classic);
		const update = await latestOperationEnd(system, againId, 'integration.update');
		expect(update.state).toBe('succeeded');
		// Its first update (which discovers first) says so too.
		expect(update.result).toMatchObject({ heldBy: [{ integration: 'Fine again', deleting: true, repositories: held }], reAddCooldownHours: 24 });
		expect(describeOperation(update, 'Again').message).toContain(`${held} repositories belong to “Fine again”, which is being deleted;`);
		expect((await submitAction(web.url, `/integrations/${againId}?/refresh`, {}, manager)).type).toBe('success');
		const refresh = await latestOperationEnd(system, againId, 'integration.refresh');
		expect(refresh.result).toMatchObject({ heldElsewhere: held, heldBy: [{ integration: 'Fine again', deleting: true, repositories: held }], reAddCooldownHours: 24 });
		expect(describeOperation(refresh, 'Again').message).toContain(
			`${held} repositories belong to “Fine again”, which is being deleted; they can be added again 24 hours after that finishes.`
		);
		const again = await system.database.db.selectFrom('repos').select('id').where('integration_id', '=', againId).execute();
		expect(again).toHaveLength(0);
	});
});
