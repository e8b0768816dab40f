// The real git repositories behind the simulated ones, so commit shas in pull requests and
// pushes are shas a clone really has. Generated once per data dir and options, then reused:
// refs the control API moved are put back, so a restart serves the same data again.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { appendCommits, generateRepository, type GenerateOptions } from '../../scripts/generate-repo.ts';

const run = promisify(execFile);
const markerName = 'simulator-generated.json';

export interface GitShas {
	/** Commits reachable from main, newest first. */
	main: string[];
	/** Every commit in the repository. */
	all: string[];
	/** Merge commits on main. */
	merges: string[];
}

async function git(dir: string, args: string[]): Promise<string> {
	const { stdout } = await run('git', ['-C', dir, ...args], {
		maxBuffer: 1 << 30,
		env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' }
	});
	return stdout;
}

async function refs(dir: string): Promise<Record<string, string>> {
	const out = await git(dir, ['for-each-ref', '--format=%(refname) %(objectname)']);
	return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
}

/** Generates the repository at `dir`, or reuses one generated there with the same options. */
export async function ensureRepository(dir: string, options: GenerateOptions): Promise<{ reused: boolean }> {
	const marker = path.join(dir, markerName);
	const wanted = JSON.stringify(options);
	if (existsSync(marker)) {
		const saved = JSON.parse(readFileSync(marker, 'utf8')) as { options: string; refs: Record<string, string> };
		if (saved.options === wanted) {
			const now = await refs(dir);
			for (const [name, sha] of Object.entries(saved.refs)) if (now[name] !== sha) await git(dir, ['update-ref', name, sha]);
			for (const name of Object.keys(now)) if (!(name in saved.refs)) await git(dir, ['update-ref', '-d', name]);
			return { reused: true };
		}
	}
	rmSync(dir, { recursive: true, force: true });
	await generateRepository(dir, { ...options, bare: true });
	writeFileSync(marker, JSON.stringify({ options: wanted, refs: await refs(dir) }));
	return { reused: false };
}

export async function listShas(dir: string): Promise<GitShas> {
	const lines = (out: string) => out.split('\n').filter(Boolean);
	const [main, all, merges] = await Promise.all([
		git(dir, ['rev-list', 'refs/heads/main']),
		git(dir, ['rev-list', '--all']),
		git(dir, ['rev-list', '--merges', 'refs/heads/main'])
	]);
	return { main: lines(main), all: lines(all), merges: lines(merges) };
}

export interface PushedCommit {
	sha: string;
	message: string;
	timestamp: string;
	author: { name: string; email: string };
	added: string[];
}

/** Appends commits to `ref` (from `from`, by default the ref itself) and describes them, oldest first. */
export async function pushCommits(
	dir: string,
	options: { ref: string; from?: string; commits: number; seed: number }
): Promise<{ before: string | null; after: string; commits: PushedCommit[] }> {
	const before = (await refs(dir))[options.ref] ?? null;
	const after = await appendCommits(dir, options);
	const base = before ?? options.from;
	const range = base ? `${base}..${after}` : after;
	const out = await git(dir, ['log', '--reverse', '--name-only', '--format=%x00%H%x1f%s%x1f%aI%x1f%an%x1f%ae', range, '--']);
	const commits = out
		.split('\0')
		.filter((chunk) => chunk.trim())
		.map((chunk) => {
			const [head = '', ...files] = chunk.split('\n');
			const [sha = '', message = '', timestamp = '', name = '', email = ''] = head.split('\x1f');
			return { sha, message, timestamp, author: { name, email }, added: files.filter(Boolean) };
		});
	return { before, after, commits };
}

export async function revParse(dir: string, ref: string): Promise<string> {
	return (await git(dir, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
}

/** Creates `ref` at `sha`; false when it exists already. */
export async function createRef(dir: string, ref: string, sha: string): Promise<boolean> {
	if ((await refs(dir))[ref]) return false;
	// The empty old value makes git refuse a ref that appeared meanwhile.
	await git(dir, ['update-ref', ref, sha, '']);
	return true;
}
