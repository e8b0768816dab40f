// A deletion that races an update leaves nothing on disk. The update ingests one repository at a
// time; the deletion is asked for while the first one's bare copy is being made (the worker's git
// holds that clone until the integration is marked deleting, and logs every clone, init and
// fetch). The copy it then finishes is removed once the update stopped, and the repositories still
// waiting their turn clone nothing.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { createGitWrapper, type GitWrapper } from '../support/git-wrapper.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let manager: string;
let deleter: string;
let sources: string[];
let git: GitWrapper;

const marked = '--- integration marked deleting ---';

beforeAll(async () => {
	// One repository at a time: the others wait their turn as queued child workflows.
	system = await createTestSystem({ TRIBUTARY_UPDATE_CONCURRENCY: '1', TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	git = createGitWrapper({ hold: { command: 'clone', repository: 'alpha' } });
	[web] = await Promise.all([system.startWeb(), system.startWorker({ PATH: git.path })]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-race-'));
	sources = ['alpha', 'beta', 'gamma'].map((name) => path.join(root, name));
	for (const [index, dir] of sources.entries()) await generateRepository(dir, { commits: 300, branches: 2, tags: 3, seed: 40 + index });
}, 120_000);
afterAll(async () => {
	git?.release();
	await system?.stop();
});

describe('a deletion racing an update', () => {
	it('removes the bare copies after the update stopped, and the repositories still waiting clone nothing', async () => {
		const { db } = system.database;
		const added = await submitAction(
			web.url,
			'/integrations/new/generic-git',
			{ name: 'Raced', urls: sources.map((s) => `file://${s}`).join('\n'), authMethod: 'none' },
			manager
		);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const integration = await db.selectFrom('integrations').select('id').where('name', '=', 'Raced').executeTakeFirstOrThrow();
		const repos = await db.selectFrom('repos').select(['id', 'name']).where('integration_id', '=', integration.id).execute();
		expect(repos.map((r) => r.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
		const operationOf = (kind: string) =>
			db.selectFrom('operations').select('id').where('scope', '=', `integration:${integration.id}`).where('kind', '=', kind).executeTakeFirstOrThrow();
		const update = await operationOf('integration.update');

		// The first repository's bare copy is being made; the other two wait their turn.
		await waitFor('the copy of alpha to be under way', async () => git.holding());
		const deletion = await submitAction(web.url, `/integrations/${integration.id}?/delete`, { confirm: 'yes' }, deleter);
		expect(deletion.type, JSON.stringify(deletion)).toBe('redirect');
		await waitFor('the integration to be marked deleting', async () => {
			const row = await db.selectFrom('integrations').select('data_status').where('id', '=', integration.id).executeTakeFirst();
			return row?.data_status === 'deleting';
		});
		git.mark(marked);
		git.release();

		const deleted = await waitForOperationEnd(system, (await operationOf('integration.delete')).id);
		expect(deleted.state, deleted.error ?? '').toBe('succeeded');
		const updated = await waitForOperationEnd(system, update.id);
		expect(updated.state).toBe('failed');
		expect(updated.error).toContain('being deleted');

		// Once the integration was marked deleting, nothing was cloned or created, and only the copy
		// under way was fetched into (to its end, where the update saw the mark).
		const log = git.log();
		const after = log.slice(log.indexOf(marked) + 1);
		expect(log.slice(0, log.indexOf(marked)).some((line) => line.startsWith('clone') && line.includes('/alpha '))).toBe(true);
		expect(after.filter((line) => !(line.startsWith('fetch') && line.includes('/alpha ')))).toEqual([]);
		// And no bare copy (whole or half-made) of any of its repositories is left.
		const mirrors = system.env.TRIBUTARY_GIT_MIRRORS!;
		const left = existsSync(mirrors) ? readdirSync(mirrors).filter((name) => repos.some((repo) => name.startsWith(repo.id))) : [];
		expect(left).toEqual([]);
	});
});
