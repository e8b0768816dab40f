// Long work under faults: transfers that take longer than the heartbeat timeout (a slowed git, a
// slow HTTP transport), a worker killed or stopped while git runs, an update cancelled mid-transfer,
// and a retry that finds the attempt before it still running on the same mirror.
//
// The heartbeat timeout is lowered to 3 s here (TRIBUTARY_INGEST_HEARTBEAT_SECONDS) so that a
// transfer of a few seconds outlasts it; at the default 10 s the same holds for a repository or a
// link a few times larger or slower, which is all a test would otherwise need to generate.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RepoSummary } from '#core/domain/integrations/integration.ts';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { lockMirror } from '#core/git/mirror-lock.ts';
import { openMirror } from '#core/git/mirror.ts';
import { startGit, type GitSettings } from '#core/git/run-git.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.ts';
import { createGitWrapper, type GitWrapper } from '../support/git-wrapper.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

const heartbeatSeconds = 3;
const root = path.resolve(import.meta.dirname, '../..');

let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let tmp: string;
let sources: string;
let http: GitHttpServer;
let temporal: Client;
// A `git` first on the worker's PATH that logs every clone and fetch and holds clones until the
// test releases them: a slow network, for as long as a test needs one.
let slowGit: GitWrapper;

/** The clones and fetches of a repository that git started, by its source's folder name. */
const transfers = (source: string) => slowGit.log().filter((line) => /^(clone|fetch) /.test(line) && line.includes(`/${source} `));

/** Running, not merely a zombie waiting for its parent to read its exit code. */
function isRunning(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/** A process's parent, from /proc. */
function parentOf(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'tributary-long-fetch-'));
	sources = path.join(tmp, 'sources');
	mkdirSync(sources);
	slowGit = createGitWrapper({ hold: { command: 'clone', repository: 'every' } });

	system = await createTestSystem({
		PATH: slowGit.path,
		TRIBUTARY_INGEST_HEARTBEAT_SECONDS: String(heartbeatSeconds),
		TRIBUTARY_GIT_SCHEMES: 'http,https,ssh,file',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1'
	});
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	for (const [index, name] of ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].entries()) {
		await generateRepository(path.join(sources, name), { commits: 300, branches: 2, tags: 5, seed: 60 + index });
	}
	await generateRepository(path.join(sources, 'far.git'), { commits: 1_500, branches: 4, tags: 12, seed: 70, bare: true });
	temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
}, 300_000);

afterAll(async () => {
	slowGit?.release();
	await http?.stop();
	await temporal?.connection.close();
	await system?.stop();
});

async function addIntegration(name: string, fields: Record<string, string>): Promise<{ integrationId: string; operation: { id: string; workflow_id: string } }> {
	const added = await submitAction(web.url, '/integrations/new/generic-git', { name, ...fields }, manager);
	expect(added.type, JSON.stringify(added)).toBe('redirect');
	const db = system.database.db;
	const { id: integrationId } = await db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow();
	const operation = await db.selectFrom('operations').select(['id', 'workflow_id']).where('scope', '=', `integration:${integrationId}`).executeTakeFirstOrThrow();
	return { integrationId, operation };
}

const localUrls = (...names: string[]) => names.map((name) => `file://${path.join(sources, name)}`).join('\n');

async function reposOf(integrationId: string) {
	return system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integrationId).orderBy('name').execute();
}

/** Each repository as git counts it: every commit of its branches and tags, every tag. */
async function expectExactCounts(integrationId: string, sourceOf: (repoName: string) => string) {
	for (const repo of await reposOf(integrationId)) {
		const source = sourceOf(repo.name);
		expect({ name: repo.name, status: repo.data_status, detail: repo.status_detail }).toEqual({ name: repo.name, status: 'healthy', detail: null });
		expect(repo.commits_count).toBe(Number(git(source, 'rev-list', '--all', '--count')));
		expect(repo.tags_count).toBe(git(source, 'tag').split('\n').filter(Boolean).length);
	}
}

/** The held clone's process, once it has begun. */
const heldGit = () => waitFor('a clone to be held', async () => slowGit.heldPid(), 60_000);

describe('an update whose transfer takes longer than the heartbeat timeout', () => {
	it('ends healthy with exact counts, having started git once per repository', async () => {
		const { integrationId, operation } = await addIntegration('Slow git', { urls: localUrls('alpha', 'beta'), authMethod: 'none' });
		await waitFor('both clones to be held', async () => transfers('alpha').length + transfers('beta').length === 2, 60_000);
		// The clones go on once they have outlasted the heartbeat timeout twice.
		await delay(heartbeatSeconds * 2_000 + 1_000);
		slowGit.release();
		const ended = await waitForOperationEnd(system, operation.id, 180_000);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		await expectExactCounts(integrationId, (name) => path.join(sources, name));
		expect(transfers('alpha')).toHaveLength(1);
		expect(transfers('beta')).toHaveLength(1);
	}, 240_000);
});

describe('a worker that ends during a transfer', () => {
	it('leaves no git behind when killed with its launcher: the next worker stops it, then the retry ends healthy', async () => {
		slowGit.holdAgain();
		const { integrationId, operation } = await addIntegration('Killed mid-fetch', { urls: localUrls('gamma'), authMethod: 'none' });
		const pid = await heldGit();
		// The worst case: the worker and the launcher that started git (its parent) both killed
		// outright, as the OOM killer or a kill -9 of both does. A worker killed alone has its
		// launcher stop git (git-launcher.test.ts). The worker records each git it starts; once
		// that record is there, the next worker can stop it.
		const launcher = parentOf(pid);
		await waitFor('the worker to record its git', async () => existsSync(path.join(system.env.TRIBUTARY_GIT_MIRRORS!, '.processes', String(pid))), 10_000);
		process.kill(launcher, 'SIGSTOP');
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		process.kill(launcher, 'SIGKILL');
		// Nothing could stop it as its worker died: git holds on (it would fetch on, unseen).
		expect(isRunning(pid)).toBe(true);

		worker = await system.startWorker();
		await waitFor(`the dead worker's git (${pid}) to be stopped`, async () => !isRunning(pid), 10_000);

		slowGit.release();
		const ended = await waitForOperationEnd(system, operation.id, 180_000);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		await expectExactCounts(integrationId, (name) => path.join(sources, name));
		// Support sees what the operation survived: the ingest started again after its worker was lost.
		expect(ended.restarts).toBeGreaterThanOrEqual(1);
		expect(ended.retries).toBeGreaterThanOrEqual(ended.restarts);
		const restarted = await system.database.db.selectFrom('operation_events').select('detail').where('operation_id', '=', operation.id).where('kind', '=', 'restarted').execute();
		expect(restarted.length).toBe(ended.restarts);
		expect(restarted[0]!.detail).toMatchObject({ step: 'ingestRepo', attempt: 2, reason: expect.stringMatching(/heartbeat/i), previousWorker: expect.stringContaining(':') });
	}, 240_000);

	it('leaves no git behind when stopped (SIGTERM, as Ctrl-C of npm start does)', async () => {
		slowGit.holdAgain();
		const { integrationId, operation } = await addIntegration('Stopped mid-fetch', { urls: localUrls('delta'), authMethod: 'none' });
		const pid = await heldGit();

		await worker.stop();
		await waitFor(`the stopped worker's git (${pid}) to end`, async () => !isRunning(pid), 5_000);

		slowGit.release();
		worker = await system.startWorker();
		const ended = await waitForOperationEnd(system, operation.id, 180_000);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		await expectExactCounts(integrationId, (name) => path.join(sources, name));
	}, 240_000);
});

describe('cancelling an update during a transfer', () => {
	it('stops its git at once and ends the update as cancelled', async () => {
		slowGit.holdAgain();
		const { integrationId, operation } = await addIntegration('Cancelled mid-fetch', { urls: localUrls('epsilon'), authMethod: 'none' });
		const pid = await heldGit();

		// As a manager does it: the Cancel of the operation's page.
		const cancelled = await submitAction(web.url, `/operations/${operation.id}?/cancel`, { confirm: 'yes' }, manager);
		expect(cancelled.type, JSON.stringify(cancelled)).toBe('success');
		await waitFor(`the cancelled update's git (${pid}) to end`, async () => !isRunning(pid), 15_000);
		slowGit.release();
		const ended = await waitForOperationEnd(system, operation.id, 60_000);
		expect(ended.state).toBe('cancelled');
		expect(ended.cancelledBy).toBe('manager@acme.example');
		expect(transfers('epsilon')).toHaveLength(1);
		// Cancelled is not failed: the repository waits for the next run, the integration says why.
		const [repo] = await reposOf(integrationId);
		expect(repo!.data_status).toBe('queued');
		const integration = await system.database.db.selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', integrationId).executeTakeFirstOrThrow();
		expect(integration).toEqual({ data_status: 'pending', status_detail: 'The last update was cancelled before it finished.' });
		const timeline = await system.database.db.selectFrom('operation_events').select(['kind', 'detail']).where('operation_id', '=', operation.id).orderBy('id').execute();
		expect(timeline.map((event) => event.kind)).toEqual(['started', 'cancel-requested', 'finished']);
		expect(timeline[1]!.detail).toEqual({ by: 'manager@acme.example' });
		expect(timeline[2]!.detail).toMatchObject({ state: 'cancelled' });
		// Asking again changes nothing; an ended operation has nothing to cancel.
		const again = await submitAction(web.url, `/operations/${operation.id}?/cancel`, { confirm: 'yes' }, manager);
		expect(again).toMatchObject({ type: 'failure', status: 409 });
		const audited = await system.database.db.selectFrom('audit_events').select(['action', 'actor_email']).where('subject_id', '=', operation.id).execute();
		expect(audited).toEqual([{ action: 'operation.cancelled', actor_email: 'manager@acme.example' }]);

		// The next update carries on and ends healthy with exact counts.
		const update = await submitAction(web.url, `/integrations/${integrationId}?/update`, {}, manager);
		expect(update.type, JSON.stringify(update)).toBe('success');
		const next = await system.database.db
			.selectFrom('operations')
			.select('id')
			.where('scope', '=', `integration:${integrationId}`)
			.where('state', '=', 'running')
			.executeTakeFirstOrThrow();
		expect((await waitForOperationEnd(system, next.id, 120_000)).state).toBe('succeeded');
		await expectExactCounts(integrationId, (name) => path.join(sources, name));
	}, 180_000);
});

describe('a fetch over HTTP, the path https and ssh take (no hard links), slower than the heartbeat timeout', () => {
	it("ends healthy with exact counts, showing git's phases and counts as the repository's progress", async () => {
		slowGit.release();
		const source = path.join(sources, 'far.git');
		// Slow enough that the transfer alone lasts about three heartbeat timeouts.
		const packBytes = Number(/size-pack: (\d+)/.exec(git(source, 'count-objects', '-v'))![1]) * 1024;
		const credentials = { username: 'reader', token: `tok_${crypto.randomUUID()}` };
		http = await startGitHttpServer(sources, credentials, { bytesPerSecond: Math.round(packBytes / (heartbeatSeconds * 3)) });

		const socket = await connectSocket(web.url, manager);
		const seen: RepoSummary[] = [];
		socket.on('repo.updated', (repo) => seen.push(repo));
		try {
			const { integrationId, operation } = await addIntegration('Far away', {
				urls: `${http.url}/far.git`,
				authMethod: 'https-token',
				username: credentials.username,
				token: credentials.token
			});
			const ended = await waitForOperationEnd(system, operation.id, 180_000);
			expect(ended.state, ended.error ?? '').toBe('succeeded');
			await expectExactCounts(integrationId, () => source);

			const [repo] = await reposOf(integrationId);
			// The path every network remote takes: an empty copy, then one fetch that brings everything.
			expect(transfers('far.git').map((line) => line.split(' ')[0])).toEqual(['fetch']);
			const receiving = seen.filter((r) => r.id === repo!.id && r.dataStatus === 'fetching' && r.statusDetail === 'Receiving objects');
			expect(receiving.length).toBeGreaterThan(1);
			for (const report of receiving) expect(report.progressDone).toBeLessThanOrEqual(report.progressTotal);
			expect(receiving.at(-1)!.progressDone).toBeGreaterThan(receiving[0]!.progressDone);
		} finally {
			socket.close();
		}
	}, 240_000);
});

describe('a retry that finds the attempt before it still running on the same mirror', () => {
	let settings: GitSettings;
	beforeAll(() => {
		settings = { gitAllowedSchemes: ['file'], gitMirrorDir: path.join(tmp, 'lock-mirrors') };
	});

	/** A git that runs until stopped, on the mirror (an alias whose command sleeps). */
	const longGit = (gitDir: string, signal?: AbortSignal) =>
		startGit(['-c', 'alias.wait=!echo $$; exec sleep 600', 'wait'], { settings, gitDir, signal, timeoutMs: 600_000 });

	it('stops the older attempt in this worker, and starts nothing until it has let go', async () => {
		const mirror = openMirror('same-process', settings);
		mkdirSync(mirror.gitDir, { recursive: true });
		const older = await lockMirror(mirror);
		const olderGit = await longGit(mirror.gitDir, older.signal);
		const sleeper = Number(await new Promise<string>((resolve) => olderGit.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
		let released = false;
		void olderGit.done.catch(() => undefined).finally(() => {
			released = true;
			older.release();
		});

		const newer = await lockMirror(mirror);
		expect(released).toBe(true);
		await expect(olderGit.done).rejects.toThrow(/newer attempt/);
		// git (its direct child) has been reaped; the killed grandchild may take a moment to go on a
		// loaded machine.
		await waitFor('the older attempt\'s git to be gone', async () => !isRunning(sleeper), 10_000);
		await expect(longGit(mirror.gitDir, older.signal)).rejects.toThrow(/newer attempt/);
		newer.release();
	});

	it("stops another process's git on the same mirror (a worker Temporal gave up on)", async () => {
		const mirror = openMirror('other-process', settings);
		mkdirSync(mirror.gitDir, { recursive: true });
		// Another worker process, as far as the records on disk tell: it runs git on this mirror.
		const other = spawn(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				`import { startGit } from ${JSON.stringify(path.join(root, 'core/git/run-git.ts'))};
				const git = await startGit(['-c', 'alias.wait=!echo $$; exec sleep 600', 'wait'], { settings: ${JSON.stringify(settings)}, gitDir: ${JSON.stringify(mirror.gitDir)}, timeoutMs: 600_000 });
				git.stdout.pipe(process.stdout);
				await git.done.catch(() => {});
				setInterval(() => {}, 1000);`
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] }
		);
		try {
			const sleeper = Number(await new Promise<string>((resolve) => other.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
			expect(isRunning(sleeper)).toBe(true);
			const lock = await lockMirror(mirror);
			await waitFor(`the other process's git (${sleeper}) to be stopped`, async () => !isRunning(sleeper), 5_000);
			lock.release();
		} finally {
			other.kill('SIGKILL');
		}
	});
});
