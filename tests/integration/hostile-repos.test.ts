// A hostile (or merely strange) repository cannot make its own ingest fail forever. Each one here
// is built with git's plumbing: tag names that differ only in bytes that are not UTF-8, tags of a
// blob and of a tree (git's own repository has one), dates beyond what a database can hold, and
// tens of thousands of tags. Each update ends healthy at the first attempt; what cannot be stored
// is counted and said on the repository, and every tag is kept.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendCommits, generateRepository } from '../../scripts/generate-repo.ts';
import { ingestRepoWorkflowId } from '../../workflows/integrations/contract.ts';
import { runGit } from '#core/git/run-git.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let manager: string;
let temporal: Client;
let sources: string;

const far = '99999999999999'; // seconds since 1970: about the year 3,170,000
const manyTags = 50_000;

function git(dir: string, args: string[], input?: string | Buffer): string {
	return execFileSync('git', ['-C', dir, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
}
/** What `git tag | wc -l` says, counting raw lines (names need not be UTF-8). */
const tagCount = (dir: string) => execFileSync('git', ['-C', dir, 'tag']).toString('latin1').split('\n').filter(Boolean).length;
const commitCount = (dir: string) => Number(git(dir, ['rev-list', '--all', '--count']));

/** Tags named `v1\xff` and `v1\xfe`, tags of a blob and of a tree, a tag of a tag of a blob, a tag dated far ahead. */
async function oddTags(dir: string): Promise<void> {
	await generateRepository(dir, { commits: 60, branches: 1, tags: 4, seed: 81 });
	const head = git(dir, ['rev-parse', 'main']);
	// Raw bytes go in through standard input: a command line would re-encode them.
	git(dir, ['update-ref', '--stdin'], Buffer.concat([Buffer.from('create refs/tags/v1'), Buffer.from([0xff]), Buffer.from(` ${head}\ncreate refs/tags/v1`), Buffer.from([0xfe]), Buffer.from(` ${head}\n`)]));
	const blob = git(dir, ['hash-object', '-w', '--stdin'], 'not a commit\n');
	git(dir, ['tag', '-a', '-m', 'a tag of a blob', 'blob-tag', blob]);
	git(dir, ['tag', 'light-blob-tag', blob]);
	git(dir, ['tag', '-a', '-m', 'a tag of a tree', 'tree-tag', `${head}^{tree}`]);
	git(dir, ['-c', 'advice.nestedTag=false', 'tag', '-a', '-m', 'a tag of a tag of a blob', 'nested-blob-tag', 'blob-tag']);
	const farTag = git(dir, ['hash-object', '-t', 'tag', '-w', '--literally', '--stdin'], `object ${head}\ntype commit\ntag far-tag\ntagger T <t@example.com> ${far} +0000\n\nfrom the far future\n`);
	git(dir, ['update-ref', 'refs/tags/far-tag', farTag]);
}

/** A branch whose history holds a commit dated far ahead, with an ordinary commit after it. */
async function farDates(dir: string): Promise<void> {
	await generateRepository(dir, { commits: 60, branches: 1, tags: 4, seed: 82 });
	const tree = git(dir, ['rev-parse', 'main^{tree}']);
	const parent = git(dir, ['rev-parse', 'main']);
	const future = git(dir, ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], `tree ${tree}\nparent ${parent}\nauthor A <a@example.com> ${far} +0000\ncommitter C <c@example.com> ${far} +0000\n\nFrom the far future\n`);
	const after = execFileSync('git', ['-C', dir, 'commit-tree', tree, '-p', future, '-m', 'An ordinary commit after it'], {
		encoding: 'utf8',
		env: { ...process.env, GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' }
	}).trim();
	git(dir, ['update-ref', 'refs/heads/future', after]);
}

/**
 * Tens of thousands of tags with long names, as monorepos name them: a ref list (and a cursor) of
 * megabytes, more than one message to Temporal may carry. Written as packed-refs, which is fast.
 */
function tagHeavy(dir: string): void {
	mkdirSync(dir);
	git(dir, ['init', '-q', '-b', 'main']);
	const commits: string[] = [];
	for (let i = 0; i < 3; i++) {
		git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', `Release ${i}`]);
		commits.push(git(dir, ['rev-parse', 'HEAD']));
	}
	const lines = [`${commits.at(-1)} refs/heads/main`];
	for (let i = 0; i < manyTags; i++) lines.push(`${commits[i % commits.length]} refs/tags/services/payments-api/release-candidate-${String(i).padStart(6, '0')}-built-for-the-production-cluster`);
	writeFileSync(path.join(dir, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted \n${lines.sort((a, b) => (a.slice(41) < b.slice(41) ? -1 : 1)).join('\n')}\n`);
}

beforeAll(async () => {
	// A short heartbeat timeout: listing and storing tens of thousands of tags takes longer than it,
	// as it takes longer than the default 10 s for a few times more tags.
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file', TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3' });
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
	sources = mkdtempSync(path.join(os.tmpdir(), 'tributary-hostile-'));
	await oddTags(path.join(sources, 'odd-tags'));
	await farDates(path.join(sources, 'far-dates'));
	tagHeavy(path.join(sources, 'tag-heavy'));
}, 300_000);

afterAll(async () => {
	await temporal?.connection.close();
	await system?.stop();
});

const repoNamed = (integrationId: string, name: string) =>
	system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integrationId).where('name', '=', name).executeTakeFirstOrThrow();

/** How many times Temporal started the ingest activity of a repository in an update. */
async function ingestAttempts(repoId: string, operationId: string): Promise<number> {
	const history = await temporal.workflow.getHandle(ingestRepoWorkflowId(repoId, operationId)).fetchHistory();
	const started = (history.events ?? []).filter((event) => event.activityTaskStartedEventAttributes);
	return Math.max(...started.map((event) => event.activityTaskStartedEventAttributes!.attempt ?? 1));
}

async function update(integrationId: string): Promise<string> {
	const started = await submitAction(web.url, `/integrations/${integrationId}?/update`, {}, manager);
	expect(started.type, JSON.stringify(started)).toBe('success');
	const { id } = await system.database.db
		.selectFrom('operations')
		.select('id')
		.where('scope', '=', `integration:${integrationId}`)
		.orderBy('started_at', 'desc')
		.executeTakeFirstOrThrow();
	return id;
}

describe('hostile repositories', () => {
	let integrationId: string;
	let operationId: string;
	let heavy: { integrationId: string; operationId: string };

	async function add(name: string, repos: string[]) {
		const urls = repos.map((repo) => `file://${path.join(sources, repo)}`).join('\n');
		const added = await submitAction(web.url, '/integrations/new/generic-git', { name, urls, authMethod: 'none', deploymentsFromTags: 'on' }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const db = system.database.db;
		const { id } = await db.selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow();
		const operation = await db.selectFrom('operations').select('id').where('scope', '=', `integration:${id}`).executeTakeFirstOrThrow();
		return { integrationId: id, operationId: operation.id };
	}

	beforeAll(async () => {
		// The tag-heavy one apart, so that the incremental update below does not read it again.
		const [hostile, tagHeavyOne] = await Promise.all([add('Hostile', ['odd-tags', 'far-dates']), add('Heavy', ['tag-heavy'])]);
		({ integrationId, operationId } = hostile);
		heavy = tagHeavyOne;
		for (const { operationId: id } of [{ operationId }, heavy]) {
			const ended = await waitForOperationEnd(system, id, 300_000);
			expect(ended.state, ended.error ?? '').toBe('succeeded');
		}
	}, 360_000);

	it('ingests each at the first attempt, never retrying what cannot change', async () => {
		for (const [owner, name] of [[integrationId, 'odd-tags'], [integrationId, 'far-dates'], [heavy.integrationId, 'tag-heavy']] as const) {
			const repo = await repoNamed(owner, name);
			expect({ name, status: repo.data_status }).toEqual({ name, status: 'healthy' });
			const operation = owner === integrationId ? operationId : heavy.operationId;
			expect({ name, attempts: await ingestAttempts(repo.id, operation) }).toEqual({ name, attempts: 1 });
		}
	});

	it('keeps every tag, odd names, trees and blobs included, and says which names are not UTF-8', async () => {
		const source = path.join(sources, 'odd-tags');
		const repo = await repoNamed(integrationId, 'odd-tags');
		expect(repo.tags_count).toBe(tagCount(source));
		expect(repo.commits_count).toBe(commitCount(source));
		const tags = await system.database.db.selectFrom('tags').select(['name', 'sha', 'tagged_at']).where('repo_id', '=', repo.id).execute();
		expect(tags).toHaveLength(tagCount(source));
		const byName = new Map(tags.map((tag) => [tag.name, tag]));
		expect(byName.get('v1\\xff')?.sha).toBe(git(source, ['rev-parse', 'main']));
		expect(byName.get('v1\\xfe')?.sha).toBe(git(source, ['rev-parse', 'main']));
		const blob = git(source, ['rev-parse', 'light-blob-tag']);
		expect(byName.get('blob-tag')?.sha).toBe(blob);
		expect(byName.get('nested-blob-tag')?.sha).toBe(blob);
		expect(byName.get('tree-tag')?.sha).toBe(git(source, ['rev-parse', 'main^{tree}']));
		expect(byName.get('far-tag')).toMatchObject({ sha: git(source, ['rev-parse', 'main']), tagged_at: null });
		expect(repo.status_detail).toContain('2 tag names are not valid UTF-8');
		expect(repo.status_detail).toContain('1 tag kept without a date');
	});

	it('makes deployments of the tags of commits only: a tag of a blob or a tree deploys nothing', async () => {
		const source = path.join(sources, 'odd-tags');
		const repo = await repoNamed(integrationId, 'odd-tags');
		const ofCommits = execFileSync('git', ['-C', source, 'for-each-ref', '--format=%(*objecttype)%(objecttype)', 'refs/tags'], { encoding: 'latin1' })
			.split('\n')
			.filter((types) => types === 'commit' || types === 'committag').length;
		const deployments = await system.database.db.selectFrom('deployments').select('tag_name').where('repo_id', '=', repo.id).execute();
		expect(deployments.map((d) => d.tag_name).sort()).not.toContain('blob-tag');
		expect(deployments).toHaveLength(ofCommits);
	});

	it('leaves out a commit dated beyond what the database holds, says so, and keeps saying so after incremental updates', async () => {
		const source = path.join(sources, 'far-dates');
		let repo = await repoNamed(integrationId, 'far-dates');
		expect(repo.commits_count).toBe(commitCount(source) - 1);
		expect(repo.status_detail).toMatch(/^1 commit not stored: dated beyond/);
		const after = await system.database.db.selectFrom('commits').select('committed_at').where('repo_id', '=', repo.id).where('subject', '=', 'An ordinary commit after it').executeTakeFirstOrThrow();
		expect(after.committed_at.getTime()).toBe(1_700_000_000_000);

		await appendCommits(source, { commits: 3, seed: 83 });
		const next = await waitForOperationEnd(system, await update(integrationId), 120_000);
		expect(next.state, next.error ?? '').toBe('succeeded');
		repo = await repoNamed(integrationId, 'far-dates');
		expect(repo.commits_count).toBe(commitCount(source) - 1);
		expect(repo.status_detail).toMatch(/^1 commit not stored: dated beyond/);

		// On the repository's row of the integration's page.
		const page = await fetch(`${web.url}/integrations/${integrationId}`, { headers: { cookie: manager } });
		expect(page.status).toBe(200);
		const row = /<tr data-repo="far-dates"[\s\S]*?<\/tr>/.exec(await page.text())?.[0];
		expect(row).toContain('1 commit not stored: dated beyond the years a database can hold.');
	}, 180_000);

	it(`stores all ${manyTags.toLocaleString('en')} tags of a repository whose branch and tag list is megabytes long`, async () => {
		const repo = await repoNamed(heavy.integrationId, 'tag-heavy');
		expect(repo.tags_count).toBe(manyTags);
		expect(repo.commits_count).toBe(3);
		expect(repo.status_detail).toBeNull();
	});
});

describe("git's output, read with a cap", () => {
	it('stops git and says the repository is too large to read, once its answer passes the cap', async () => {
		const settings = { gitAllowedSchemes: ['file'], gitMirrorDir: path.join(sources, 'mirrors') };
		const listing = runGit(['for-each-ref', 'refs/tags'], { settings, gitDir: path.join(sources, 'tag-heavy', '.git'), timeoutMs: 60_000, maxOutputBytes: 100_000 });
		await expect(listing).rejects.toMatchObject({ kind: 'too-large', permanent: true, message: expect.stringMatching(/too large to read/) });
	});
});
