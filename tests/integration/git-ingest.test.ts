import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendCommits, generateRepository } from '../../scripts/generate-repo.ts';
import { copyField, copyInsert, copyInsertTexts } from '#core/db/bulk.ts';
import { commitColumns, fileColumns } from '#core/git/commit-rows.ts';
import { createOrganization } from '../../src/lib/server/accounts/organizations.ts';
import { ingestRepository, type IngestInput, type IngestResult } from '#core/git/ingest.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import { openMirror, readTips, syncMirror } from '#core/git/mirror.ts';
import { classifyGitError, redact, runGit, type GitSettings } from '#core/git/run-git.ts';
import { createTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let tmp: string;
let source: string;
let settings: GitSettings;

function git(dir: string, args: string[]): string {
	return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }).trim();
}

/** What `git log --numstat` says, summed over the given revisions: the numbers to match. */
function numstatTotals(dir: string, revisionArgs: string[]): { files: number; additions: number; deletions: number } {
	const totals = { files: 0, additions: 0, deletions: 0 };
	const output = execFileSync('git', ['-C', dir, 'log', ...revisionArgs, '--numstat', '--no-renames', '--format='], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
	for (const line of output.split('\n')) {
		const [added, deleted] = line.split('\t');
		if (deleted === undefined) continue;
		totals.files++;
		totals.additions += added === '-' ? 0 : Number(added);
		totals.deletions += deleted === '-' ? 0 : Number(deleted);
	}
	return totals;
}

/** Each test gets its own organisation, integration and repos row: the same URL can be added again. */
async function addRepo(url: string) {
	const db = system.database.db;
	const organization = await createOrganization(db, `Git ingest ${crypto.randomUUID().slice(0, 6)}`);
	const integration = await db
		.insertInto('integrations')
		.values({
			organization_id: organization.id,
			kind: 'generic-git',
			name: 'Local git',
			auth_method: 'none',
			credential_summary: 'No credentials',
			services: '["repos"]',
			added_by_email: 'tester@example.com'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const repo = await db
		.insertInto('repos')
		.values({ organization_id: organization.id, integration_id: integration.id, url, provider_id: url, name: path.basename(url) })
		.returning(['id', 'organization_id', 'integration_id', 'url'])
		.executeTakeFirstOrThrow();
	return { id: repo.id, organizationId: repo.organization_id, integrationId: repo.integration_id, url: repo.url };
}
type Repo = Awaited<ReturnType<typeof addRepo>>;

function ingest(repo: Repo, cursor: IngestResult['tips'] | null, extra: Partial<IngestInput> = {}) {
	const progress: Array<[number, number]> = [];
	const run = ingestRepository(
		{ db: system.database.db, pool: system.database.pool, settings },
		{
			repo: { ...repo, cursor },
			credentials: { method: 'none' },
			onProgress: (done, total) => {
				progress.push([done, total]);
			},
			...extra
		}
	);
	return { run, progress };
}

async function countRows(table: 'commits' | 'commit_files' | 'tags', repoId: string): Promise<number> {
	const row = await system.database.db
		.selectFrom(table)
		.select((eb) => eb.fn.countAll<string>().as('count'))
		.where('repo_id', '=', repoId)
		.executeTakeFirstOrThrow();
	return Number(row.count);
}

async function storedTotals(repoId: string) {
	const commits = await system.database.db
		.selectFrom('commits')
		.select((eb) => [eb.fn.sum<string>('additions').as('additions'), eb.fn.sum<string>('deletions').as('deletions'), eb.fn.sum<string>('files_changed').as('files')])
		.where('repo_id', '=', repoId)
		.executeTakeFirstOrThrow();
	return { files: Number(commits.files ?? 0), additions: Number(commits.additions ?? 0), deletions: Number(commits.deletions ?? 0) };
}

beforeAll(async () => {
	system = await createTestSystem();
	tmp = mkdtempSync(path.join(os.tmpdir(), 'tributary-git-'));
	source = path.join(tmp, 'source');
	// The tests' git servers listen on loopback, which only an explicit setting lets git reach.
	settings = { gitAllowedSchemes: ['https', 'ssh', 'file'], gitMirrorDir: path.join(tmp, 'mirrors'), gitPrivateNetworks: ['127.0.0.0/8'] };
	await generateRepository(source, { commits: 3_000, branches: 4, tags: 24, seed: 42 });
});

afterAll(async () => {
	await system?.stop();
	if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('ingesting a git repository', () => {
	let repo: Repo;
	let first: IngestResult;
	let firstProgress: Array<[number, number]>;

	beforeAll(async () => {
		repo = await addRepo(`file://${source}`);
		const { run, progress } = ingest(repo, null);
		first = await run;
		firstProgress = progress;
	});

	it('stores every commit and every tag the repository has', async () => {
		const commits = Number(git(source, ['rev-list', '--all', '--count']));
		const tags = git(source, ['tag']).split('\n').filter(Boolean).length;
		expect(first.newCommits).toBe(commits);
		expect(first.commitsCount).toBe(commits);
		expect(first.tagsCount).toBe(tags);
		expect(await countRows('commits', repo.id)).toBe(commits);
		expect(await countRows('tags', repo.id)).toBe(tags);
	});

	it('stores the lines each commit changed, as git log --numstat counts them, binary files as 0 lines', async () => {
		const expected = numstatTotals(source, ['--all']);
		expect(await storedTotals(repo.id)).toEqual(expected);
		expect(await countRows('commit_files', repo.id)).toBe(expected.files);

		const binary = git(source, ['log', '-1', '--format=%H', '--', 'assets/logo.bin']);
		const merge = git(source, ['log', '-1', '--merges', '--format=%H']);
		const root = git(source, ['rev-list', '--max-parents=0', 'HEAD']);
		const samples = [binary, merge, root, ...git(source, ['rev-list', '--all', '--no-merges', '--max-count=400']).split('\n').filter((_, i) => i % 97 === 0)];
		for (const sha of samples) {
			const stored = await system.database.db.selectFrom('commits').selectAll().where('repo_id', '=', repo.id).where('sha', '=', sha).executeTakeFirstOrThrow();
			const one = numstatTotals(source, ['-1', sha]);
			expect({ sha, additions: stored.additions, deletions: stored.deletions, files: stored.files_changed }).toEqual({ sha, ...one });
			expect(stored.parents).toEqual(git(source, ['log', '-1', '--format=%P', sha]).split(' ').filter(Boolean));
		}
		const binaryFile = await system.database.db
			.selectFrom('commit_files')
			.selectAll()
			.where('repo_id', '=', repo.id)
			.where('sha', '=', binary)
			.where('path', '=', 'assets/logo.bin')
			.executeTakeFirstOrThrow();
		expect([binaryFile.additions, binaryFile.deletions]).toEqual([0, 0]);
		const storedMerge = await system.database.db.selectFrom('commits').select('files_changed').where('repo_id', '=', repo.id).where('sha', '=', merge).executeTakeFirstOrThrow();
		expect(storedMerge.files_changed).toBe(0);
	});

	it('keeps names, subjects and paths exactly, tabs, backslashes and non-ASCII included', async () => {
		const odd = git(source, ['log', '--all', '-1', '--format=%H', '--fixed-strings', '--grep=C:\\temp']);
		const stored = await system.database.db.selectFrom('commits').selectAll().where('repo_id', '=', repo.id).where('sha', '=', odd).executeTakeFirstOrThrow();
		expect(stored.subject).toBe(git(source, ['log', '-1', '--format=%s', odd]));
		expect(stored.subject).toContain('C:\\temp\\paths');
		expect(stored.author_name).toBe(git(source, ['log', '-1', '--format=%an', odd]));
		expect(stored.author_email).toBe(git(source, ['log', '-1', '--format=%ae', odd]));
		expect(stored.authored_at.getTime() / 1000).toBe(Number(git(source, ['log', '-1', '--format=%at', odd])));
		expect(stored.committed_at.getTime() / 1000).toBe(Number(git(source, ['log', '-1', '--format=%ct', odd])));

		const tabbed = await system.database.db.selectFrom('commits').select('subject').where('repo_id', '=', repo.id).where('subject', 'like', '%\t%').executeTakeFirst();
		expect(tabbed?.subject).toMatch(/\twith a tab$/);
		const authors = await system.database.db.selectFrom('commits').select('author_name').distinct().where('repo_id', '=', repo.id).execute();
		expect(authors.map((a) => a.author_name)).toEqual(expect.arrayContaining(['Zoë Ångström', '李雷', 'محمد علي']));
		const paths = await system.database.db.selectFrom('commit_files').select('path').distinct().where('repo_id', '=', repo.id).execute();
		expect(paths.map((p) => p.path)).toEqual(expect.arrayContaining(['docs/naïve café.md', 'src/tab\tname.txt', 'src/back\\slash.txt', 'src/quote"name.txt']));
	});

	it('peels annotated tags to their commit and keeps their date; lightweight tags have none', async () => {
		const tags = await system.database.db.selectFrom('tags').selectAll().where('repo_id', '=', repo.id).orderBy('name').execute();
		for (const tag of tags) {
			expect(tag.sha).toBe(git(source, ['rev-parse', `${tag.name}^{commit}`]));
			const annotated = git(source, ['cat-file', '-t', tag.name]) === 'tag';
			if (annotated) expect(tag.tagged_at?.getTime()).toBe(Number(git(source, ['for-each-ref', '--format=%(taggerdate:unix)', `refs/tags/${tag.name}`])) * 1000);
			else expect(tag.tagged_at).toBeNull();
		}
		expect(tags.some((t) => t.tagged_at === null) && tags.some((t) => t.tagged_at !== null)).toBe(true);
	});

	it('leaves the repos row to its caller', async () => {
		const row = await system.database.db.selectFrom('repos').select(['cursor', 'commits_count', 'data_status']).where('id', '=', repo.id).executeTakeFirstOrThrow();
		expect(row).toEqual({ cursor: null, commits_count: 0, data_status: 'queued' });
	});

	it('reports progress after every batch, ending at the total', () => {
		const total = first.newCommits;
		expect(firstProgress[0]).toEqual([0, total]);
		expect(firstProgress.at(-1)).toEqual([total, total]);
		expect(firstProgress.length).toBeGreaterThanOrEqual(1 + Math.ceil(total / 2_000));
		const dones = firstProgress.map(([done]) => done);
		expect(dones).toEqual([...dones].sort((a, b) => a - b));
	});

	it('returns the branch and tag tips as the next cursor, and from them writes nothing new', async () => {
		expect(first.tips).toEqual(Object.fromEntries(git(source, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags']).split('\n').map((l) => l.split(' '))));
		const filesBefore = await countRows('commit_files', repo.id);
		const { run, progress } = ingest(repo, first.tips);
		const again = await run;
		expect(again.newCommits).toBe(0);
		expect(again.commitsCount).toBe(first.commitsCount);
		expect(again.tagsCount).toBe(first.tagsCount);
		expect(await countRows('commit_files', repo.id)).toBe(filesBefore);
		expect(progress).toEqual([[0, 0]]);
	});

	it('writes no duplicates when run again from scratch', async () => {
		const again = await ingest(repo, null).run;
		expect(again.newCommits).toBe(first.newCommits);
		expect(again.commitsCount).toBe(first.commitsCount);
		expect(await storedTotals(repo.id)).toEqual(numstatTotals(source, ['--all']));
	});

	it('picks up new commits, a moved tag and a deleted tag incrementally', async () => {
		await appendCommits(source, { commits: 25, seed: 3 });
		const [gone, moved] = git(source, ['tag']).split('\n');
		git(source, ['tag', '-d', gone!]);
		git(source, ['tag', '-f', moved!, 'main']);
		const { run, progress } = ingest(repo, first.tips);
		const next = await run;
		expect(next.newCommits).toBe(25);
		expect(progress.at(-1)).toEqual([25, 25]);
		expect(next.commitsCount).toBe(Number(git(source, ['rev-list', '--all', '--count'])));
		expect(next.tagsCount).toBe(git(source, ['tag']).split('\n').filter(Boolean).length);
		const tags = await system.database.db.selectFrom('tags').select(['name', 'sha']).where('repo_id', '=', repo.id).execute();
		expect(tags.find((t) => t.name === gone)).toBeUndefined();
		expect(tags.find((t) => t.name === moved)?.sha).toBe(git(source, ['rev-parse', 'main']));
		expect(await storedTotals(repo.id)).toEqual(numstatTotals(source, ['--all']));
		first = next;
	});

	it('copes with a cursor whose old tips are gone from the repository (a force-push)', async () => {
		const main = first.tips['refs/heads/main'];
		const before = Object.fromEntries(Object.entries(first.tips).filter(([, sha]) => sha !== main));
		const cursor = { ...before, 'refs/heads/main': git(source, ['rev-parse', 'main~3']), 'refs/heads/rewritten': 'deadbeef'.repeat(5) };
		const next = await ingest(repo, cursor).run;
		expect(next.newCommits).toBe(3);
		expect(next.commitsCount).toBe(first.commitsCount);
	});

	it('recovers a mirror from a fetch killed half-way: stale locks are cleared', async () => {
		const mirror = openMirror(repo.id, settings);
		const hourAgo = new Date(Date.now() - 2 * 60 * 60_000);
		for (const lock of ['packed-refs.lock', 'refs/heads/main.lock', 'refs/tags/v1.0.0.lock']) {
			const file = path.join(mirror.gitDir, lock);
			mkdirSync(path.dirname(file), { recursive: true });
			writeFileSync(file, '');
			utimesSync(file, hourAgo, hourAgo);
		}
		await appendCommits(source, { commits: 1, seed: 5 });
		const tips = await syncMirror(repo.id, `file://${source}`, { method: 'none' }, settings);
		expect(tips['refs/heads/main']).toBe(git(source, ['rev-parse', 'main']));
		const next = await ingest(repo, first.tips).run;
		expect(next.newCommits).toBe(1);
		first = next;
	});

	it('fetches only branches and tags, never refs such as refs/pull/*', async () => {
		const pullTip = await appendCommits(source, { ref: 'refs/pull/1/head', from: 'refs/heads/main', commits: 2, seed: 9 });
		const next = await ingest(repo, first.tips).run;
		expect(next.newCommits).toBe(0);
		expect(Object.keys(next.tips).every((ref) => ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/'))).toBe(true);
		const mirrorRefs = await readTips(openMirror(repo.id, settings));
		expect(Object.keys(mirrorRefs).some((ref) => ref.startsWith('refs/pull/'))).toBe(false);
		expect(await system.database.db.selectFrom('commits').select('sha').where('sha', '=', pullTip).executeTakeFirst()).toBeUndefined();
		git(source, ['update-ref', '-d', 'refs/pull/1/head']);
	});

	it('removes the commits a force-push or a deleted branch left behind, with their files', async () => {
		await appendCommits(source, { ref: 'refs/heads/doomed', from: 'refs/heads/main', commits: 5, seed: 21 });
		await appendCommits(source, { ref: 'refs/heads/rewritten', from: 'refs/heads/main', commits: 4, seed: 22 });
		const grown = await ingest(repo, first.tips).run;
		expect(grown.newCommits).toBe(9);
		expect(grown.abandonedCommits).toBe(0);

		git(source, ['update-ref', '-d', 'refs/heads/doomed']);
		git(source, ['update-ref', 'refs/heads/rewritten', 'refs/heads/rewritten~2']);
		const shrunk = await ingest(repo, grown.tips).run;
		expect(shrunk.abandonedCommits).toBe(7);
		expect(shrunk.commitsCount).toBe(Number(git(source, ['rev-list', '--all', '--count'])));
		expect(await countRows('commits', repo.id)).toBe(shrunk.commitsCount);
		expect(await storedTotals(repo.id)).toEqual(numstatTotals(source, ['--all']));
		expect(await countRows('commit_files', repo.id)).toBe(numstatTotals(source, ['--all']).files);

		// A mirror made anew no longer has the old tips: every stored commit is checked instead.
		git(source, ['update-ref', '-d', 'refs/heads/rewritten']);
		git(source, ['reflog', 'expire', '--expire=now', '--all']);
		git(source, ['gc', '--quiet', '--prune=now']);
		rmSync(openMirror(repo.id, settings).gitDir, { recursive: true, force: true });
		const rebuilt = await ingest(repo, shrunk.tips).run;
		expect(rebuilt.abandonedCommits).toBe(2);
		expect(rebuilt.commitsCount).toBe(Number(git(source, ['rev-list', '--all', '--count'])));
		expect(await countRows('commit_files', repo.id)).toBe(numstatTotals(source, ['--all']).files);
		first = rebuilt;
	});
});

describe('writing while git runs', () => {
	it('stores commits before the first progress report is done: counting and reporting never hold up the writes', async () => {
		const repo = await addRepo(`file://${source}`);
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		let reports = 0;
		const run = ingest(repo, null, {
			onProgress: async () => {
				if (reports++ === 0) await released;
			}
		}).run;
		try {
			await vi.waitFor(async () => expect(await countRows('commits', repo.id)).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
		} finally {
			release();
		}
		const result = await run;
		expect(result.commitsCount).toBe(Number(git(source, ['rev-list', '--all', '--count'])));
	});
});

describe('resuming an interrupted ingest', () => {
	it('after a crash, skips what the first run stored and still ends with exact counts', async () => {
		const repo = await addRepo(`file://${source}`);
		let crashedAt = 0;
		const crashed = ingest(repo, null, {
			onProgress: (done) => {
				if (done > 0) {
					crashedAt = done;
					throw new Error('worker killed');
				}
			}
		});
		await expect(crashed.run).rejects.toThrow('worker killed');
		const commits = Number(git(source, ['rev-list', '--all', '--count']));
		expect(crashedAt).toBeGreaterThan(0);
		expect(crashedAt).toBeLessThan(commits);
		expect(await countRows('commits', repo.id)).toBe(crashedAt);

		// Take the files of one stored commit away: a resumed run that skips stored batches leaves them so.
		const stored = await system.database.db.selectFrom('commits').select('sha').where('repo_id', '=', repo.id).where('files_changed', '>', 0).limit(1).executeTakeFirstOrThrow();
		const removed = await system.database.db.deleteFrom('commit_files').where('repo_id', '=', repo.id).where('sha', '=', stored.sha).executeTakeFirstOrThrow();

		const { run, progress } = ingest(repo, null, { resumeAfter: crashedAt });
		const resumed = await run;
		expect(resumed.commitsCount).toBe(commits);
		expect(await countRows('commits', repo.id)).toBe(commits);
		expect(progress[0]).toEqual([crashedAt, commits]);
		expect(await countRows('commit_files', repo.id)).toBe(numstatTotals(source, ['--all']).files - Number(removed.numDeletedRows));
	});

	it('does not trust a resume count blindly: commits it claims but that are missing are written', async () => {
		const repo = await addRepo(`file://${source}`);
		const result = await ingest(repo, null, { resumeAfter: 1_000_000 }).run;
		expect(result.commitsCount).toBe(Number(git(source, ['rev-list', '--all', '--count'])));
		expect(await storedTotals(repo.id)).toEqual(numstatTotals(source, ['--all']));
	});
});

describe('testing a repository before adding it', () => {
	it('counts branches and tags of a reachable repository', async () => {
		const result = await testRepository(`file://${source}`, { method: 'none' }, settings);
		expect(result).toEqual({ ok: true, heads: git(source, ['branch']).split('\n').length, tags: git(source, ['tag']).split('\n').length });
	});

	it('says "repository not found" for a path with no repository', async () => {
		const result = await testRepository(`file://${tmp}/missing.git`, { method: 'none' }, settings);
		expect(result).toMatchObject({ ok: false, reason: 'repository-not-found' });
		if (!result.ok) expect(result.message).toMatch(/repository was not found: check the URL/);
	});

	it('refuses a URL the server does not allow, before git sees it', async () => {
		const result = await testRepository(`file://${source}`, { method: 'none' }, { ...settings, gitAllowedSchemes: ['https'] });
		expect(result).toMatchObject({ ok: false, reason: 'other' });
		if (!result.ok) expect(result.message).toMatch(/not allowed on this server/);
		expect(await testRepository('ext::sh -c id', { method: 'none' }, settings)).toMatchObject({ ok: false });
	});

	it('sends an HTTPS token as a header only, never on a command line, and never repeats it', async () => {
		const token = `tok_${crypto.randomUUID()}`;
		let seenHeader: string | undefined;
		let commandLinesWithToken: string[] = [];
		const server = createServer((request, response) => {
			seenHeader = request.headers.authorization;
			// While git waits for the answer, look at every process's command line.
			commandLinesWithToken = readdirSync('/proc')
				.filter((name) => /^\d+$/.test(name))
				.map((pid) => {
					try {
						return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
					} catch {
						return '';
					}
				})
				.filter((cmdline) => cmdline.includes(token) || cmdline.includes(Buffer.from(`me:${token}`).toString('base64')));
			response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('no');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as AddressInfo).port;
			const result = await testRepository(
				`http://127.0.0.1:${port}/team/app.git`,
				{ method: 'https-token', username: 'me', token },
				{ ...settings, gitAllowedSchemes: ['http'] }
			);
			expect(seenHeader).toBe(`Basic ${Buffer.from(`me:${token}`).toString('base64')}`);
			expect(commandLinesWithToken).toEqual([]);
			expect(result).toMatchObject({ ok: false, reason: 'authentication-failed' });
			expect(JSON.stringify(result)).not.toContain(token);
		} finally {
			server.close();
		}
	});

	it('says "host not found" for a name DNS cannot resolve', async () => {
		expect(await testRepository('https://no-such-host.invalid/team/app.git', { method: 'none' }, settings)).toMatchObject({ ok: false, reason: 'host-not-found' });
	});

	it('stops git, and what it started, when the server never answers', async () => {
		const server = createServer(() => {
			// Never answers.
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as AddressInfo).port;
			const started = Date.now();
			const failure = runGit(['ls-remote', '--', `http://127.0.0.1:${port}/app.git`], {
				settings: { ...settings, gitAllowedSchemes: ['http'] },
				timeoutMs: 500,
				remote: true
			});
			await expect(failure).rejects.toMatchObject({ kind: 'timed-out', message: expect.stringMatching(/did not finish within 1 s/) });
			expect(Date.now() - started).toBeLessThan(5_000);
		} finally {
			server.closeAllConnections();
			server.close();
		}
	});

	it('writes an SSH key to a private file only while git runs', async () => {
		const result = await testRepository('ssh://git@127.0.0.1:1/team/app.git', { method: 'ssh-key', privateKey: 'not really a key' }, settings);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(['connection-refused', 'authentication-failed']).toContain(result.reason);
		const keys = path.join(settings.gitMirrorDir, '.keys');
		expect(existsSync(keys) ? readdirSync(keys) : []).toEqual([]);
	});
});

describe("git's failures, in words a person can act on", () => {
	it.each([
		['remote: Invalid username or password.\nfatal: Authentication failed for \'https://github.com/a/b.git/\'', 'authentication-failed', /refused the credentials/],
		["fatal: could not read Username for 'https://github.com': terminal prompts disabled", 'authentication-failed', /asks for credentials/],
		['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'authentication-failed', /refused the SSH key/],
		['ERROR: Repository not found.\nfatal: Could not read from remote repository.', 'repository-not-found', /not found/],
		["fatal: repository 'https://example.com/x.git/' not found", 'repository-not-found', /not found/],
		['fatal: unable to access \'https://nope.invalid/x/\': Could not resolve host: nope.invalid', 'host-not-found', /DNS/],
		['ssh: Could not resolve hostname nope.invalid: Name or service not known', 'host-not-found', /DNS/],
		["fatal: unable to access 'https://127.0.0.1:1/x/': Failed to connect to 127.0.0.1 port 1: Connection refused", 'connection-refused', /refused the connection/],
		["fatal: unable to access 'https://self-signed.badssl.com/x/': SSL certificate problem: self-signed certificate", 'tls-certificate', /certificate is not trusted/],
		['ssh: connect to host 10.255.255.1 port 22: Connection timed out', 'timed-out', /did not answer in time/],
		['fatal: the remote end hung up unexpectedly', 'other', /Git failed: the remote end hung up unexpectedly/]
	])('%s → %s', (stderr, kind, message) => {
		const failure = classifyGitError(stderr, 128);
		expect(failure.kind).toBe(kind);
		expect(failure.message).toMatch(message);
	});

	it('removes tokens, authorization headers and URL passwords from what git said', () => {
		const text = redact("fatal: https://me:hunter22@host/x failed\n> Authorization: Basic bWU6c2VjcmV0\nsecret-token-123 leaked", ['secret-token-123']);
		expect(text).not.toMatch(/hunter22|bWU6c2VjcmV0|secret-token-123/);
	});
});

describe('the bulk write path', () => {
	it('escapes what COPY would misread and drops NUL, which Postgres text cannot hold', () => {
		expect(copyField('a\tb\nc\\d\re\u0000f')).toBe('a\\tb\\nc\\\\d\\re' + 'f');
		expect(copyField(null)).toBe('\\N');
		expect(copyField(['a', 'b"c', 'd\\e', 'x,y{}'])).toBe('{"a","b\\\\"c","d\\\\\\\\e","x,y{}"}');
		expect(() => copyField(Number.NaN)).toThrow();
	});

	it('inserts only rows that are not there yet, and says how many', async () => {
		const repo = await addRepo('file:///bulk/test');
		const row = (sha: string, subject: string) => [repo.organizationId, repo.integrationId, repo.id, sha, ['p1', 'p"2'], 'Zoë', 'z@example.com', new Date(0), 'Zoë', 'z@example.com', new Date(1000), subject, 1, 2, 3];
		const columns = ['organization_id', 'integration_id', 'repo_id', 'sha', 'parents', 'author_name', 'author_email', 'authored_at', 'committer_name', 'committer_email', 'committed_at', 'subject', 'additions', 'deletions', 'files_changed'];
		expect(await copyInsert(system.database.pool, 'commits', columns, [row('a', 'tab\there'), row('b', 'back\\slash\nnewline \u0000nul')])).toBe(2);
		expect(await copyInsert(system.database.pool, 'commits', columns, [row('a', 'again'), row('c', 'new')])).toBe(1);
		const stored = await system.database.db.selectFrom('commits').select(['sha', 'subject', 'parents']).where('repo_id', '=', repo.id).orderBy('sha').execute();
		expect(stored).toEqual([
			{ sha: 'a', subject: 'tab\there', parents: ['p1', 'p"2'] },
			{ sha: 'b', subject: 'back\\slash\nnewline nul', parents: ['p1', 'p"2'] },
			{ sha: 'c', subject: 'new', parents: ['p1', 'p"2'] }
		]);
		await expect(copyInsert(system.database.pool, 'commits; drop table x', columns, [])).rejects.toThrow(/not a table or column name/);
	});

	it('writes a batch of several tables in one transaction: all of it, skipping what is there, or none of it', async () => {
		const repo = await addRepo('file:///bulk/together');
		const owner = `${repo.organizationId}\t${repo.integrationId}\t${repo.id}`;
		const files = (sha: string) => Buffer.from(`${owner}\t${sha}\tsrc/${sha}.ts\t1\t2\n`);
		const commit = (sha: string) => Buffer.from(`${owner}\t${sha}\t{}\tZoë\tz@example.com\t1970-01-01T00:00:00Z\tZoë\tz@example.com\t1970-01-01T00:00:01Z\ts\t1\t2\t1\n`);
		const batch = (shas: string[], commits: Buffer) => [
			{ table: 'commit_files', columns: fileColumns, text: Buffer.concat(shas.map(files)) },
			{ table: 'commits', columns: commitColumns, text: commits }
		];
		expect(await copyInsertTexts(system.database.pool, batch(['a'], commit('a')), { deferDurability: true })).toEqual([1, 1]);
		// Written again with one new commit: only the new rows go in, in both tables.
		expect(await copyInsertTexts(system.database.pool, batch(['a', 'b'], Buffer.concat([commit('a'), commit('b')])))).toEqual([1, 1]);
		// The commits' COPY fails (a malformed row): the files copied before it are not kept either.
		await expect(copyInsertTexts(system.database.pool, batch(['c'], Buffer.from(`${owner}\tc\tnot enough columns\n`)))).rejects.toThrow();
		const stored = await system.database.db.selectFrom('commit_files').select('sha').where('repo_id', '=', repo.id).orderBy('sha').execute();
		expect(stored.map((row) => row.sha)).toEqual(['a', 'b']);
		expect(await countRows('commits', repo.id)).toBe(2);
	});
});

describe("this project's own repository", () => {
	it('ingests the checkout these tests run from with the counts git gives for its branches and tags', async () => {
		const own = git(import.meta.dirname, ['rev-parse', '--show-toplevel']);
		const repo = await addRepo(`file://${own}`);
		const result = await ingest(repo, null).run;
		// Only branches and tags are ingested: remote-tracking refs and stashes are not the repository's history.
		const revisions = ['--branches', '--tags'];
		const commits = Number(git(own, ['rev-list', ...revisions, '--count']));
		expect(result.commitsCount).toBe(commits);
		expect(result.tagsCount).toBe(git(own, ['tag']).split('\n').filter(Boolean).length);
		expect(await storedTotals(repo.id)).toEqual(numstatTotals(own, revisions));
	});
});
