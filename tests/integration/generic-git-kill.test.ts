// SIGKILL of the worker at random moments, five times during an Update and five times during a
// Delete: the Update ends with counts equal to the source and no duplicates; the Delete ends with
// nothing of the integration left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { getOperation } from '../../src/lib/server/operations/queries.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitForOperationEnd, type RunningProcess, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let deleter: string;
let sources: string[];

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
	// Small deletion batches: many checkpoints, and a deletion long enough to be killed in.
	system = await createTestSystem({ TRIBUTARY_DELETION_BATCH: '100', TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	web = await system.startWeb();
	worker = await system.startWorker();
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-kill-'));
	sources = [path.join(root, 'alpha'), path.join(root, 'beta'), path.join(root, 'gamma')];
	for (const [index, dir] of sources.entries()) await generateRepository(dir, { commits: 8_000, branches: 5, tags: 15, seed: 20 + index });
}, 300_000);
afterAll(() => system?.stop());

/** Kills the worker `times` times at random moments while `running()` holds, starting a new one after each. */
async function killRepeatedly(times: number, running: () => Promise<boolean>): Promise<number> {
	let kills = 0;
	while (kills < times && (await running())) {
		await new Promise((r) => setTimeout(r, 300 + Math.random() * 1_500));
		if (!(await running())) break;
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		kills++;
		worker = await system.startWorker();
	}
	return kills;
}

async function operationRunning(id: string): Promise<boolean> {
	return (await getOperation(system.database.db, id))?.state === 'running';
}

const waitForEnd = (id: string) => waitForOperationEnd(system, id, 600_000);

let integrationId: string;

describe('a worker killed again and again', () => {
	it('still ends an Update with exact counts and no duplicates', async () => {
		const added = await submitAction(
			web.url,
			'/integrations/new/generic-git',
			{ name: 'Killed', urls: sources.map((s) => `file://${s}`).join('\n'), authMethod: 'none' },
			manager
		);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		integrationId = (await system.database.db.selectFrom('integrations').select('id').where('name', '=', 'Killed').executeTakeFirstOrThrow()).id;
		const op = await system.database.db.selectFrom('operations').select('id').where('scope', '=', `integration:${integrationId}`).executeTakeFirstOrThrow();
		const kills = await killRepeatedly(5, () => operationRunning(op.id));
		const ended = await waitForEnd(op.id);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		expect(kills).toBe(5);

		for (const source of sources) {
			const repo = await system.database.db.selectFrom('repos').selectAll().where('url', '=', `file://${source}`).executeTakeFirstOrThrow();
			const stored = await system.database.db
				.selectFrom('commits')
				.select([sql<number>`count(*)::int`.as('all'), sql<number>`count(distinct sha)::int`.as('distinct')])
				.where('repo_id', '=', repo.id)
				.executeTakeFirstOrThrow();
			expect(stored.all).toBe(Number(git(source, 'rev-list', '--all', '--count')));
			expect(stored.distinct).toBe(stored.all);
			expect(repo.tags_count).toBe(git(source, 'tag').split('\n').filter(Boolean).length);
		}
	}, 900_000);

	it('still ends a Delete with nothing of the integration left', async () => {
		await submitAction(web.url, '/integrations?/remove', { id: integrationId, confirm: 'yes' }, deleter);
		const op = await system.database.db
			.selectFrom('operations')
			.select('id')
			.where('scope', '=', `integration:${integrationId}`)
			.where('kind', '=', 'integration.delete')
			.executeTakeFirstOrThrow();
		const kills = await killRepeatedly(5, () => operationRunning(op.id));
		const ended = await waitForEnd(op.id);
		expect(kills).toBe(5);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		for (const table of ['repos', 'commits', 'commit_files', 'tags', 'deployments', 'repo_daily_metrics'] as const) {
			const { n } = await system.database.db
				.selectFrom(table)
				.select(sql<number>`count(*)::int`.as('n'))
				.where('integration_id', '=', integrationId)
				.executeTakeFirstOrThrow();
			expect(n, table).toBe(0);
		}
	}, 900_000);
});
