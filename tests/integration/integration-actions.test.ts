// Every action on integrations besides add, update and delete, run to its end through the real web
// and worker processes and the same form posts a browser makes: Update all, Update background
// metrics, deployment source for all and for a selection, Refresh, and Remove / Import of a
// repository. Each is checked in the database and in what a viewer's page hears over Socket.IO:
// the finished event, and the banner sentence the page makes of it. Globex's integration shows
// that "all" means all of the organisation, nothing more.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendCommits, generateRepository } from '../../scripts/generate-repo.ts';
import type { RepoSummary } from '#core/domain/integrations/integration.ts';
import { describeOperation } from '../../src/lib/operations/describe.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#core/domain/realtime/events.ts';
import { operationKinds } from '../../workflows/integrations/contract.ts';
import { countIntegrationRows } from '../support/integration-data.ts';
import { connectSocket, createTestSystem, demoUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let viewerSocket: Socket<ServerToClientEvents, ClientToServerEvents>;
const cookies: Record<'manager' | 'deleter' | 'globex', string> = { manager: '', deleter: '', globex: '' };
const heard = { finished: [] as Operation[], repos: [] as RepoSummary[] };
const sources: Record<'api' | 'web' | 'app' | 'far', string> = { api: '', web: '', app: '', far: '' };
const ids: Record<'north' | 'south' | 'far', string> = { north: '', south: '', far: '' };
const names = { north: 'North', south: 'South', far: 'Far' } as const;

const db = () => system.database.db;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const commitsIn = (source: string) => Number(git(source, 'rev-list', '--all', '--count'));
const tagsIn = (source: string) => git(source, 'tag').split('\n').filter(Boolean).length;

async function latest(kind: string, scope: string) {
	return db().selectFrom('operations').selectAll().where('kind', '=', kind).where('scope', '=', scope).orderBy('started_at', 'desc').executeTakeFirstOrThrow();
}

/** Waits for the operation's end, and for the viewer's page to hear it; returns both. */
async function ended(id: string): Promise<{ stored: Operation; event: Operation }> {
	const stored = await waitForOperationEnd(system, id);
	const event = await waitFor(`the viewer to hear operation ${id} end`, async () => heard.finished.find((op) => op.id === id));
	expect(event.state).toBe(stored.state);
	return { stored, event };
}

async function repo(integration: keyof typeof ids, name: string) {
	return db().selectFrom('repos').selectAll().where('integration_id', '=', ids[integration]).where('name', '=', name).executeTakeFirstOrThrow();
}

const updatesOf = (integration: keyof typeof ids) =>
	db().selectFrom('operations').select('id').where('kind', '=', operationKinds.update).where('scope', '=', `integration:${ids[integration]}`).execute();

/** The repo-days as recomputing them from stored commits and deployments gives them. */
async function expectedMetrics(integrationId: string) {
	const { rows } = await sql<{ repo_id: string; day: string; commits: number; additions: number; deletions: number; deployments: number }>`
		select repo_id, day::text, sum(commits)::int as commits, sum(additions)::int as additions, sum(deletions)::int as deletions, sum(deployments)::int as deployments
		from (
			select repo_id, (committed_at at time zone 'UTC')::date as day, 1 as commits, additions, deletions, 0 as deployments from commits where integration_id = ${integrationId}
			union all
			select repo_id, (deployed_at at time zone 'UTC')::date, 0, 0, 0, 1 from deployments where integration_id = ${integrationId}
		) as daily group by 1, 2 order by 1, 2`.execute(db());
	return rows;
}

async function storedMetrics(integrationId: string) {
	const { rows } = await sql<{ repo_id: string; day: string; commits: number; additions: number; deletions: number; deployments: number }>`
		select repo_id, day::text, commits, additions, deletions, deployments from repo_daily_metrics where integration_id = ${integrationId} order by 1, 2`.execute(db());
	return rows;
}

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	cookies.manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	cookies.deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
	cookies.globex = await signIn(web.url, 'admin@globex.example', demoUser(demo, 'admin@globex.example').password);
	viewerSocket = await connectSocket(web.url, await signIn(web.url, 'viewer@acme.example', demoUser(demo, 'viewer@acme.example').password));
	viewerSocket.on('operation.finished', (operation) => heard.finished.push(operation));
	viewerSocket.on('repo.updated', (repo) => heard.repos.push(repo));

	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-actions-'));
	for (const [index, name] of (['api', 'web', 'app', 'far'] as const).entries()) {
		sources[name] = path.join(root, name);
		await generateRepository(sources[name], { commits: 200 + 50 * index, branches: 2, tags: 4 + index, seed: 70 + index });
	}
	const add = async (integration: keyof typeof ids, urls: string[], cookie: string) => {
		const added = await submitAction(web.url, '/integrations/new/generic-git', { name: names[integration], urls: urls.map((u) => `file://${u}`).join('\n'), authMethod: 'none' }, cookie);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		ids[integration] = (await db().selectFrom('integrations').select('id').where('name', '=', names[integration]).executeTakeFirstOrThrow()).id;
		const first = await waitForOperationEnd(system, (await latest(operationKinds.update, `integration:${ids[integration]}`)).id);
		expect(first.state, first.error ?? '').toBe('succeeded');
	};
	await add('north', [sources.api, sources.web], cookies.manager);
	await add('south', [sources.app], cookies.manager);
	await add('far', [sources.far], cookies.globex);
}, 180_000);
afterAll(async () => {
	viewerSocket?.close();
	await system?.stop();
});

describe('actions for all integrations', () => {
	it('Update all updates every integration of the organisation, each in its own operation, and unblocks blocked repositories', async () => {
		// South's repository could not be read at its last update (moved away upstream): blocked.
		renameSync(sources.app, `${sources.app}-moved`);
		try {
			await submitAction(web.url, `/integrations/${ids.south}?/update`, {}, cookies.manager);
			const failed = await ended((await latest(operationKinds.update, `integration:${ids.south}`)).id);
			expect(failed.stored.state).toBe('failed');
			expect(await repo('south', 'app')).toMatchObject({ data_status: 'blocked' });
		} finally {
			renameSync(`${sources.app}-moved`, sources.app);
		}
		await appendCommits(sources.api, { commits: 30, seed: 1 });
		await appendCommits(sources.app, { commits: 20, seed: 2 });
		const farUpdates = (await updatesOf('far')).length;

		const asked = await submitAction(web.url, '/integrations?/updateAll', {}, cookies.deleter);
		expect(asked).toMatchObject({ type: 'success', data: { done: 'Updating every repository of every integration.' } });
		const all = await latest(operationKinds.updateAll, 'integrations');
		const { stored, event } = await ended(all.id);
		expect(stored.state, stored.error ?? '').toBe('succeeded');
		expect(stored.result).toEqual({ integrations: 2 });
		expect(stored.stages).toEqual([{ key: 'integrations', label: 'Integrations', done: 2, total: 2 }]);
		expect(describeOperation(event)).toEqual({ title: 'Update of all repositories finished', message: '2 integrations done.' });

		// One update per integration of Acme, each its own operation with its own banner.
		const parts = await db().selectFrom('operations').select(['id', 'scope']).where('parent_id', '=', all.id).orderBy('scope').execute();
		expect(parts.map((p) => p.scope).sort()).toEqual([`integration:${ids.north}`, `integration:${ids.south}`].sort());
		for (const part of parts) {
			const integration = part.scope === `integration:${ids.north}` ? 'north' : 'south';
			const done = await ended(part.id);
			expect(done.stored.state, done.stored.error ?? '').toBe('succeeded');
			expect(describeOperation(done.event, names[integration])).toEqual({
				title: `Update of “${names[integration]}” finished`,
				message: expect.stringMatching(integration === 'north' ? /^2 repositories up to date: / : /^1 repository up to date: /)
			});
		}
		for (const [integration, name, source] of [['north', 'api', sources.api], ['north', 'web', sources.web], ['south', 'app', sources.app]] as const) {
			const row = await repo(integration, name);
			expect(row.commits_count, name).toBe(commitsIn(source));
			expect(row.data_status).toBe('healthy');
		}
		// Globex's integration is not Acme's to update.
		expect((await updatesOf('far')).length).toBe(farUpdates);
	});

	it('Update background metrics recomputes every repo-day from stored data, for the organisation only', async () => {
		const farBefore = await storedMetrics(ids.far);
		// Metrics gone wrong: one integration's missing, the other's off.
		await db().deleteFrom('repo_daily_metrics').where('integration_id', '=', ids.north).execute();
		await db().updateTable('repo_daily_metrics').set({ commits: 999 }).where('integration_id', '=', ids.south).execute();

		const asked = await submitAction(web.url, '/integrations?/updateMetrics', {}, cookies.deleter);
		expect(asked).toMatchObject({ type: 'success', data: { done: 'Recomputing background metrics from stored data.' } });
		const { stored, event } = await ended((await latest(operationKinds.metrics, 'integrations')).id);
		expect(stored.state, stored.error ?? '').toBe('succeeded');
		expect(describeOperation(event)).toEqual({ title: 'Background metrics update finished', message: '2 integrations done.' });
		expect(stored.stages).toEqual([{ key: 'integrations', label: 'Integrations', done: 2, total: 2 }]);

		for (const integration of ['north', 'south'] as const) {
			const metrics = await storedMetrics(ids[integration]);
			expect(metrics.length).toBeGreaterThan(0);
			expect(metrics).toEqual(await expectedMetrics(ids[integration]));
		}
		expect(await storedMetrics(ids.far)).toEqual(farBefore);
	});

	it('deployments from git tags, for all: on derives one per tag everywhere, off removes them', async () => {
		const on = await submitAction(web.url, '/integrations?/deploymentSourceAll', { gitTags: 'on' }, cookies.deleter);
		expect(on).toMatchObject({ type: 'success', data: { done: 'Turning deployments from git tags on for all git-based integrations.' } });
		const turnedOn = await ended((await latest(operationKinds.deploymentSource, 'integrations')).id);
		expect(turnedOn.stored.state, turnedOn.stored.error ?? '').toBe('succeeded');
		expect(describeOperation(turnedOn.event)).toEqual({ title: 'Deployment source change finished', message: 'Deployments from git tags are on for 2 integrations.' });
		expect(turnedOn.stored.stages).toEqual([{ key: 'integrations', label: 'Integrations', done: 2, total: 2 }]);
		for (const integration of ['north', 'south'] as const) {
			const rows = await countIntegrationRows(db(), ids[integration]);
			expect(rows.deployments).toBeGreaterThan(0);
			expect(rows.deployments).toBe(rows.tags);
			expect((await db().selectFrom('integrations').select('deployments_from_tags').where('id', '=', ids[integration]).executeTakeFirstOrThrow()).deployments_from_tags).toBe(true);
			// Metrics count them on their days.
			expect(await storedMetrics(ids[integration])).toEqual(await expectedMetrics(ids[integration]));
		}
		expect((await countIntegrationRows(db(), ids.far)).deployments).toBe(0);

		const off = await submitAction(web.url, '/integrations?/deploymentSourceAll', { gitTags: 'off' }, cookies.deleter);
		expect(off.type).toBe('success');
		const turnedOff = await ended((await latest(operationKinds.deploymentSource, 'integrations')).id);
		expect(turnedOff.stored.id).not.toBe(turnedOn.stored.id);
		expect(describeOperation(turnedOff.event)).toEqual({ title: 'Deployment source change finished', message: 'Deployments from git tags are off for 2 integrations.' });
		for (const integration of ['north', 'south'] as const) {
			expect((await countIntegrationRows(db(), ids[integration])).deployments).toBe(0);
			expect(await storedMetrics(ids[integration])).toEqual(await expectedMetrics(ids[integration]));
		}
	});
});

describe('actions for selected integrations', () => {
	it('deployments from git tags for a selection change only the selected integrations', async () => {
		const on = await submitAction(web.url, '/integrations?/deploymentSource', { id: ids.south, gitTags: 'on' }, cookies.manager);
		expect(on).toMatchObject({ type: 'success', data: { done: 'Turning deployments from git tags on for 1 integration.' } });
		const { stored, event } = await ended((await latest(operationKinds.deploymentSource, `integration:${ids.south}`)).id);
		expect(stored.state, stored.error ?? '').toBe('succeeded');
		expect(stored.stages).toEqual([{ key: 'integrations', label: 'Integrations', done: 1, total: 1 }]);
		expect(describeOperation(event, names.south)).toEqual({ title: 'Deployment source change finished', message: 'Deployments from git tags are on for 1 integration.' });
		const south = await countIntegrationRows(db(), ids.south);
		expect(south.deployments).toBe(south.tags);
		expect((await countIntegrationRows(db(), ids.north)).deployments).toBe(0);

		// Two selected: both change, in one operation.
		const both = await submitAction(web.url, '/integrations?/deploymentSource', { id: [ids.north, ids.south], gitTags: 'on' }, cookies.manager);
		expect(both).toMatchObject({ type: 'success', data: { done: 'Turning deployments from git tags on for 2 integrations.' } });
		const changed = await ended((await latest(operationKinds.deploymentSource, 'integrations')).id);
		expect(changed.stored.state, changed.stored.error ?? '').toBe('succeeded');
		expect(describeOperation(changed.event)).toEqual({ title: 'Deployment source change finished', message: 'Deployments from git tags are on for 2 integrations.' });
		for (const integration of ['north', 'south'] as const) {
			const rows = await countIntegrationRows(db(), ids[integration]);
			expect(rows.deployments).toBe(rows.tags);
		}
		expect((await countIntegrationRows(db(), ids.far)).deployments).toBe(0);
	});

	it('Refresh reads every repository again and says whether each was reached', async () => {
		const asked = await submitAction(web.url, `/integrations/${ids.north}?/refresh`, {}, cookies.manager);
		expect(asked).toMatchObject({ type: 'success', data: { done: 'Checking every repository is still there and readable.' } });
		const reached = await ended((await latest(operationKinds.test, `integration:${ids.north}`)).id);
		expect(reached.stored.state, reached.stored.error ?? '').toBe('succeeded');
		expect(reached.stored.result).toEqual({ reached: 2, failed: 0 });
		expect(describeOperation(reached.event, names.north)).toEqual({ title: 'Connection of “North” works', message: 'Reached all 2 repositories.' });

		// A repository that moved away upstream.
		renameSync(sources.web, `${sources.web}-moved`);
		try {
			await submitAction(web.url, `/integrations/${ids.north}?/refresh`, {}, cookies.manager);
			const missing = await ended((await latest(operationKinds.test, `integration:${ids.north}`)).id);
			expect(missing.stored.state).toBe('failed');
			expect(missing.stored.result).toEqual({ reached: 1, failed: 1 });
			expect(missing.stored.error).toMatch(/^web: /);
			expect(describeOperation(missing.event, names.north)).toEqual({ title: 'Connection test of “North” failed', message: missing.stored.error });
		} finally {
			renameSync(`${sources.web}-moved`, sources.web);
		}
	});

	it('Remove keeps a repository out of updates with its data kept; Import brings it back up to date', async () => {
		const webRepo = await repo('north', 'web');
		const removed = await submitAction(web.url, `/integrations/${ids.north}?/setImported`, { repoId: webRepo.id, imported: 'no' }, cookies.manager);
		expect(removed).toMatchObject({ type: 'success', data: { done: 'web is no longer imported; its data stays until you delete the integration.' } });
		const heardRemoved = await waitFor('the viewer to hear web removed', async () => heard.repos.find((r) => r.id === webRepo.id && !r.imported));
		expect(heardRemoved.dataStatus).toBe('excluded');

		// New commits upstream; an update leaves the removed repository as it was.
		await appendCommits(sources.web, { commits: 25, seed: 3 });
		const storedBefore = (await countIntegrationRows(db(), ids.north)).commits;
		await submitAction(web.url, `/integrations/${ids.north}?/update`, {}, cookies.manager);
		const update = await ended((await latest(operationKinds.update, `integration:${ids.north}`)).id);
		expect(update.stored.state, update.stored.error ?? '').toBe('succeeded');
		expect(update.stored.stages.find((s) => s.key === 'repos')).toMatchObject({ done: 1, total: 1 });
		// The banner counts what the update covered: the imported repository, not the removed one.
		const api = await repo('north', 'api');
		expect(describeOperation(update.event, names.north).message).toBe(`1 repository up to date: ${api.commits_count.toLocaleString('en')} commits, ${api.tags_count} tags.`);
		const excluded = await repo('north', 'web');
		expect(excluded).toMatchObject({ imported: false, data_status: 'excluded', commits_count: webRepo.commits_count });
		expect((await countIntegrationRows(db(), ids.north)).commits).toBe(storedBefore);

		const imported = await submitAction(web.url, `/integrations/${ids.north}?/setImported`, { repoId: webRepo.id, imported: 'yes' }, cookies.manager);
		expect(imported).toMatchObject({ type: 'success', data: { done: 'web will be imported by the next update.' } });
		await waitFor('the viewer to hear web imported', async () => heard.repos.find((r) => r.id === webRepo.id && r.imported));
		await submitAction(web.url, `/integrations/${ids.north}?/update`, {}, cookies.manager);
		const next = await ended((await latest(operationKinds.update, `integration:${ids.north}`)).id);
		expect(next.stored.state, next.stored.error ?? '').toBe('succeeded');
		expect(describeOperation(next.event, names.north).message).toMatch(/^2 repositories up to date: /);
		expect(await repo('north', 'web')).toMatchObject({ imported: true, data_status: 'healthy', commits_count: commitsIn(sources.web), tags_count: tagsIn(sources.web) });
	});
});
