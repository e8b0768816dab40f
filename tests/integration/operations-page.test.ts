// Support's view (SPEC B2, B3): the organisation's operations page, each operation's own page and
// the audit log, run
// against real work (an integration added, updated, tested, deleted through the web and the
// worker). Each page lists only its own organisation's operations, filters by kind, state,
// subject and person, keeps a deleted integration's name, and shows a timeline written as the
// work went (started, stages done, ended).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { operationKinds } from '../../workflows/integrations/contract.ts';
import { createTestSystem, demoUser, readPage, signIn, submitAction, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
const cookies: Record<'admin' | 'manager' | 'deleter' | 'viewer' | 'none' | 'globex', string> = { admin: '', manager: '', deleter: '', viewer: '', none: '', globex: '' };
const ids = { kept: '', deleted: '', globex: '' };
const updates = { kept: '', deleted: '', globex: '' };
let deletion = '';

const db = () => system.database.db;
const page = (pathAndQuery: string, who: keyof typeof cookies = 'viewer') => readPage(web.url, pathAndQuery, cookies[who], 'Operations · Tributary');
/** The operation ids a list page shows, in order. */
const listed = (html: string) => [...html.matchAll(/data-operation-id="([^"]+)"/g)].map((match) => match[1]!);

async function add(name: string, source: string, cookie: string): Promise<{ id: string; update: string }> {
	const added = await submitAction(web.url, '/integrations/new/generic-git', { name, urls: `file://${source}`, authMethod: 'none' }, cookie);
	expect(added.type, JSON.stringify(added)).toBe('redirect');
	const { id } = await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow();
	const update = await db().selectFrom('operations').select('id').where('scope', '=', `integration:${id}`).where('kind', '=', operationKinds.update).executeTakeFirstOrThrow();
	const ended = await waitForOperationEnd(system, update.id);
	expect(ended.state, ended.error ?? '').toBe('succeeded');
	return { id, update: update.id };
}

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	const emails = { admin: 'admin@acme.example', manager: 'manager@acme.example', deleter: 'deleter@acme.example', viewer: 'viewer@acme.example', none: 'none@acme.example', globex: 'admin@globex.example' };
	for (const [who, email] of Object.entries(emails)) cookies[who as keyof typeof cookies] = await signIn(web.url, email, demoUser(demo, email).password);

	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-operations-'));
	await generateRepository(path.join(root, 'one'), { commits: 150, branches: 2, tags: 3, seed: 91 });
	await generateRepository(path.join(root, 'two'), { commits: 120, branches: 1, tags: 2, seed: 92 });
	const kept = await add('Kept Service', path.join(root, 'one'), cookies.manager);
	const deleted = await add('Short-lived Service', path.join(root, 'two'), cookies.manager);
	const globex = await add('Globex Secret Service', path.join(root, 'one'), cookies.globex);
	Object.assign(ids, { kept: kept.id, deleted: deleted.id, globex: globex.id });
	Object.assign(updates, { kept: kept.update, deleted: deleted.update, globex: globex.update });

	const removed = await submitAction(web.url, '/integrations?/remove', { id: ids.deleted, confirm: 'yes' }, cookies.deleter);
	expect(removed.type, JSON.stringify(removed)).toBe('success');
	deletion = (await db().selectFrom('operations').select('id').where('kind', '=', operationKinds.delete).where('scope', '=', `integration:${ids.deleted}`).executeTakeFirstOrThrow()).id;
	expect((await waitForOperationEnd(system, deletion)).state).toBe('succeeded');
}, 240_000);
afterAll(() => system?.stop());

describe('the operations page', () => {
	it("lists the organisation's operations newest first, and only its own", async () => {
		const html = await page('/operations');
		expect(listed(html)).toEqual([deletion, updates.deleted, updates.kept]);
		expect(html).not.toContain('Globex Secret Service');
		expect(html).not.toContain(updates.globex);
		// Globex sees its own and nothing of Acme's.
		const theirs = await page('/operations', 'globex');
		expect(listed(theirs)).toEqual([updates.globex]);
		expect(theirs).not.toContain('Kept Service');
	});

	it('keeps the name of an integration deleted since, without a link to it', async () => {
		const html = await page('/operations');
		const row = html.slice(html.indexOf(`data-operation-id="${deletion}"`));
		expect(row.slice(0, 2_000)).toContain('Short-lived Service');
		expect(row.slice(0, 2_000)).toContain('deleted since');
		// Links are relative (SvelteKit's default): ./integrations/<id>.
		expect(html).not.toContain(`integrations/${ids.deleted}"`);
		expect(html).toContain(`integrations/${ids.kept}"`);
	});

	it('filters by kind, state, subject and person', async () => {
		expect(listed(await page(`/operations?kind=${operationKinds.delete}`))).toEqual([deletion]);
		expect(listed(await page(`/operations?kind=${operationKinds.update}`))).toEqual([updates.deleted, updates.kept]);
		expect(listed(await page(`/operations?scope=${encodeURIComponent(`integration:${ids.kept}`)}`))).toEqual([updates.kept]);
		expect(listed(await page('/operations?by=deleter%40acme.example'))).toEqual([deletion]);
		expect(listed(await page('/operations?state=succeeded'))).toHaveLength(3);
		const none = await page('/operations?state=failed');
		expect(listed(none)).toEqual([]);
		expect(none).toContain('No operation matches');
		// A filter value that is not one is ignored, never an error.
		expect(listed(await page('/operations?state=bogus&page=-4'))).toHaveLength(3);
	});

	it('is for the view level and above', async () => {
		const response = await fetch(`${web.url}/operations`, { headers: { cookie: cookies.none }, redirect: 'manual' });
		expect(response.status).not.toBe(200);
		const anonymous = await fetch(`${web.url}/operations`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
	});
});

describe("an operation's own page", () => {
	it('shows its timeline: started by whom, each stage done, how it ended', async () => {
		const html = await readPage(web.url, `/operations/${updates.kept}`, cookies.viewer, 'Update of Kept Service · Operations · Tributary');
		const kinds = [...html.matchAll(/<li data-kind="([^"]+)"/g)].map((match) => match[1]);
		expect(kinds[0]).toBe('started');
		expect(kinds.at(-1)).toBe('finished');
		expect(kinds).toContain('stage-finished');
		expect(html).toContain('by manager@acme.example');
		expect(html).toContain('Repositories done');
		expect(html).toContain('Succeeded');
		// The timeline is written as the work goes, in order, by the database itself.
		const events = await db().selectFrom('operation_events').select(['kind', 'at']).where('operation_id', '=', updates.kept).orderBy('id').execute();
		expect(events.map((e) => e.at.getTime())).toEqual([...events.map((e) => e.at.getTime())].sort((a, b) => a - b));
	});

	it("says what a deletion deleted, after the integration is gone", async () => {
		const html = await readPage(web.url, `/operations/${deletion}`, cookies.viewer, 'Deletion of Short-lived Service · Operations · Tributary');
		expect(html).toContain('which has been deleted since');
		expect(html).toContain('Commits done');
	});

	it("is not found from another organisation, nor for an id that is none", async () => {
		for (const id of [updates.kept, 'not-an-id', '00000000-0000-0000-0000-000000000000']) {
			const response = await fetch(`${web.url}/operations/${id}`, { headers: { cookie: cookies.globex } });
			expect(response.status, id).toBe(404);
			expect(await response.text()).not.toContain('Kept Service');
		}
	});
});

describe('the audit log', () => {
	const audit = (query = '', who: keyof typeof cookies = 'admin') => readPage(web.url, `/audit${query}`, cookies[who], 'Audit log · Tributary');
	const actions = (html: string) => [...html.matchAll(/<tr data-action="([^"]+)"/g)].map((match) => match[1]);

	it("lists the organisation's changes newest first, kept after the integration is gone, and only its own", async () => {
		const html = await audit();
		// The demo's own users were added first, by nobody (the seed).
		expect(actions(html)).toEqual(['integration.deletion_started', 'integration.created', 'integration.created', ...Array(5).fill('user.created')]);
		expect(html).toContain('Deleted Short-lived Service');
		expect(html).toContain('deleter@acme.example');
		expect(html).not.toContain('Globex Secret Service');
		const theirs = await readPage(web.url, '/audit?subject=integration', cookies.globex, 'Audit log · Tributary');
		expect(actions(theirs)).toEqual(['integration.created']);
	});

	it('filters by change and by person', async () => {
		expect(actions(await audit('?action=integration.created'))).toEqual(['integration.created', 'integration.created']);
		expect(actions(await audit('?by=deleter%40acme.example'))).toEqual(['integration.deletion_started']);
		expect(await audit('?by=nobody%40acme.example')).toContain('No change matches');
	});

	it('is for admins only', async () => {
		for (const who of ['manager', 'deleter', 'viewer'] as const) {
			const response = await fetch(`${web.url}/audit`, { headers: { cookie: cookies[who] }, redirect: 'manual' });
			expect(response.status, who).toBe(403);
		}
	});
});
