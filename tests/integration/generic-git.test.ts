// The core loop for Generic Git, through the real web and worker processes: add (tested before
// saving), update (counts equal the source), update again (nothing new), incremental update,
// deployment source, metrics, duplicates and bad input refused, delete (nothing left), cooldown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { deletionTables } from '#core/domain/integrations/data-kinds.ts';
import { countIntegrationRows } from '../support/integration-data.ts';
import { activitiesOf, createTestSystem, demoUser, signIn, submitAction, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let manager: string;
let deleter: string;
let source: string;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, demoUser(demo, 'manager@acme.example').email, demoUser(demo, 'manager@acme.example').password);
	deleter = await signIn(web.url, demoUser(demo, 'deleter@acme.example').email, demoUser(demo, 'deleter@acme.example').password);
	source = path.join(mkdtempSync(path.join(os.tmpdir(), 'tributary-source-')), 'service');
	await generateRepository(source, { commits: 1_500, branches: 4, tags: 12, seed: 3 });
});
afterAll(() => system?.stop());

const rows = (integrationId: string) => countIntegrationRows(system.database.db, integrationId);

async function latestOperation(integrationId: string, kind: string) {
	return system.database.db
		.selectFrom('operations')
		.select(['id', 'workflow_id'])
		.where('scope', '=', `integration:${integrationId}`)
		.where('kind', '=', kind)
		.orderBy('started_at', 'desc')
		.executeTakeFirst();
}

const waitForOperation = (id: string) => waitForOperationEnd(system, id);

let integrationId: string;

describe('Generic Git', () => {
	it('adds an integration after testing it, and its first update matches the source', async () => {
		const added = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Service', urls: `file://${source}`, authMethod: 'none' }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		integrationId = (
			await system.database.db.selectFrom('integrations').select('id').where('name', '=', 'Service').executeTakeFirstOrThrow()
		).id;
		const operation = await latestOperation(integrationId, 'integration.update');
		const ended = await waitForOperation(operation!.id);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		// Its repositories are the ones entered: no discovery step, straight to planning and ingest.
		expect(await activitiesOf(system, operation!.workflow_id)).not.toContain('discoverRepositories');

		const repo = await system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
		expect(repo.data_status).toBe('healthy');
		expect(repo.commits_count).toBe(Number(git(source, 'rev-list', '--all', '--count')));
		expect(repo.tags_count).toBe(git(source, 'tag').split('\n').filter(Boolean).length);
		const counts = await rows(integrationId);
		expect(counts.commits).toBe(repo.commits_count);
		expect(counts.tags).toBe(repo.tags_count);
		expect(counts.commit_files).toBeGreaterThan(counts.commits!);
		const integration = await system.database.db.selectFrom('integrations').selectAll().where('id', '=', integrationId).executeTakeFirstOrThrow();
		expect(integration.data_status).toBe('healthy');
		expect(integration.last_updated_at).not.toBeNull();
	});

	it('writes nothing new on a second update, and only the new commits on a later one', async () => {
		const before = await rows(integrationId);
		const again = await submitAction(web.url, `/integrations/${integrationId}?/update`, {}, manager);
		expect(again.type).toBe('success');
		const second = await waitForOperation((await latestOperation(integrationId, 'integration.update'))!.id);
		expect(second.state).toBe('succeeded');
		expect(await rows(integrationId)).toEqual(before);

		git(source, 'commit', '--allow-empty', '-m', 'one more', '--author', 'Later <later@example.com>');
		await submitAction(web.url, `/integrations/${integrationId}?/update`, {}, manager);
		await waitForOperation((await latestOperation(integrationId, 'integration.update'))!.id);
		const after = await rows(integrationId);
		expect(after.commits).toBe(before.commits! + 1);
		expect(after.commits).toBe(Number(git(source, 'rev-list', '--all', '--count')));
	});

	it('derives deployments from tags when asked, removes them when not, and keeps metrics in step', async () => {
		await submitAction(web.url, `/integrations/${integrationId}?/deploymentSource`, { gitTags: 'on' }, manager);
		await waitForOperation((await latestOperation(integrationId, 'integrations.deployment-source'))!.id);
		let counts = await rows(integrationId);
		expect(counts.deployments).toBe(counts.tags);
		const metrics = await system.database.db
			.selectFrom('repo_daily_metrics')
			.select([sql<number>`sum(commits)::int`.as('commits'), sql<number>`sum(deployments)::int`.as('deployments')])
			.where('integration_id', '=', integrationId)
			.executeTakeFirstOrThrow();
		expect(metrics).toEqual({ commits: counts.commits, deployments: counts.tags });

		await submitAction(web.url, `/integrations/${integrationId}?/deploymentSource`, { gitTags: 'off' }, manager);
		await waitForOperation((await latestOperation(integrationId, 'integrations.deployment-source'))!.id);
		counts = await rows(integrationId);
		expect(counts.deployments).toBe(0);
	});

	it('refuses the same repository twice, and bad URLs, with a message and nothing stored', async () => {
		const before = await system.database.db.selectFrom('integrations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
		const duplicate = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Again', urls: `file://${source}`, authMethod: 'none' }, manager);
		expect(duplicate.status).toBe(409);
		expect(JSON.stringify(duplicate.data)).toContain('already added, in “Service”');
		for (const url of ['ext::sh -c touch% /tmp/pwned', '-oProxyCommand=touch /tmp/pwned', 'ftp://example.com/repo.git', 'https://user:secret@example.com/repo.git', 'relative/path']) {
			const refused = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Bad', urls: url, authMethod: 'none' }, manager);
			expect(refused.status, url).toBe(400);
			expect(JSON.stringify(refused.data), url).toMatch(/Line 1:/);
		}
		const missing = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Missing', urls: `file://${source}-missing`, authMethod: 'none' }, manager);
		expect(missing.status).toBe(400);
		expect(JSON.stringify(missing.data)).toMatch(/not found|does not exist|no repository/i);
		const after = await system.database.db.selectFrom('integrations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
		expect(after).toEqual(before);
	});

	it('deletes everything of the integration, and nothing else; then blocks re-adding for the cooldown', async () => {
		const asked = await submitAction(web.url, '/integrations?/remove', { id: integrationId }, deleter);
		expect(asked.status).toBe(409);
		expect(asked.data).toMatchObject({ confirmRemove: { counts: { repos: 1 } } });
		const other = await system.database.db.selectFrom('operations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
		const confirmed = await submitAction(web.url, '/integrations?/remove', { id: integrationId, confirm: 'yes' }, deleter);
		expect(confirmed.type).toBe('success');
		const deletion = await latestOperation(integrationId, 'integration.delete');
		const ended = await waitForOperation(deletion!.id);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		// Every kind of integration data, from the one list the deletion reads.
		expect(await rows(integrationId)).toEqual(Object.fromEntries(deletionTables.map((table) => [table, 0])));
		expect(await system.database.db.selectFrom('integrations').select('id').where('id', '=', integrationId).executeTakeFirst()).toBeUndefined();
		// Operations (history) stay: deletion removes the integration's data, not the record of what was done.
		const afterOps = await system.database.db.selectFrom('operations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
		expect(afterOps.n).toBe(other.n + 1);

		const readd = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Service again', urls: `file://${source}`, authMethod: 'none' }, manager);
		expect(readd.status).toBe(409);
		expect(JSON.stringify(readd.data)).toMatch(/can be added again from \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
	});
});
