// The ingest reads `git log` in blocks, two gits at once (core/git/log-blocks.ts). Its output must
// be exactly what one `git log` prints, whatever the block size, for a first read and for an
// incremental one, and no git may outlive a reader that stops early.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { logArguments, revisionsSince, startLog } from '#core/git/log.ts';
import type { Mirror, Tips } from '#core/git/mirror.ts';
import type { GitSettings } from '#core/git/run-git.ts';

let tmp: string;
let mirror: Mirror;
let tips: Tips;

function refs(gitDir: string): Tips {
	const lines = execFileSync('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags'], { encoding: 'utf8' });
	return Object.fromEntries(lines.trim().split('\n').map((line) => line.split(' ').reverse() as [string, string]).map(([sha, ref]) => [ref, sha]));
}

/** What a single `git log` prints for the same revisions: the output the blocks must reproduce. */
function oneLog(revisions: string[]): Buffer {
	return execFileSync('git', ['--git-dir', mirror.gitDir, ...logArguments, '--ignore-missing', '--stdin'], {
		input: revisions.join('\n') + '\n',
		env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' },
		maxBuffer: 1 << 30
	});
}

async function blocks(revisions: string[], commitsPerBlock: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of await startLog(mirror, revisions, { commitsPerBlock })) chunks.push(chunk);
	return Buffer.concat(chunks);
}

beforeAll(async () => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'tributary-log-blocks-'));
	const repo = await generateRepository(path.join(tmp, 'source.git'), { commits: 600, branches: 4, tags: 12, seed: 5, bare: true });
	const settings: GitSettings = { gitAllowedSchemes: ['file'], gitMirrorDir: path.join(tmp, 'mirrors'), gitPrivateNetworks: [] };
	mirror = { gitDir: repo.dir, settings };
	tips = refs(repo.dir);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('git log in blocks', () => {
	it('prints byte for byte what one git log prints, merges and all, at any block size', async () => {
		const revisions = revisionsSince(tips, null);
		const expected = oneLog(revisions);
		expect(expected.length).toBeGreaterThan(10_000);
		for (const size of [1, 7, 250, 599, 600, 10_000]) expect((await blocks(revisions, size)).equals(expected), `blocks of ${size}`).toBe(true);
	});

	it('reads only what is new since a cursor, in the same order as git log', async () => {
		// The cursor: every tip as it was 40 commits ago on main, and the branches as they are.
		const old = execFileSync('git', ['--git-dir', mirror.gitDir, 'rev-parse', 'refs/heads/main~40'], { encoding: 'utf8' }).trim();
		const cursor = { ...tips, 'refs/heads/main': old };
		const revisions = revisionsSince(tips, cursor);
		const expected = oneLog(revisions);
		expect(expected.length).toBeGreaterThan(0);
		expect((await blocks(revisions, 9)).equals(expected)).toBe(true);
	});

	it('stops every git it started when the reader stops early', async () => {
		const revisions = revisionsSince(tips, null);
		const log = await startLog(mirror, revisions, { commitsPerBlock: 20 });
		for await (const chunk of log) {
			expect(chunk.length).toBeGreaterThan(0);
			break;
		}
		// Each running git has a record under the mirror folder until it has exited.
		const records = path.join(mirror.settings.gitMirrorDir, '.processes');
		await vi.waitFor(() => expect(readdirSync(records)).toEqual([]), { timeout: 10_000 });
	});

	it('skips revisions the mirror no longer has, as git log does (a force-pushed cursor)', async () => {
		const gone = '0123456789abcdef0123456789abcdef01234567';
		const revisions = [...revisionsSince(tips, null), `^${gone}`];
		const expected = oneLog(revisions);
		expect(expected.length).toBeGreaterThan(10_000);
		expect((await blocks(revisions, 100)).equals(expected)).toBe(true);
	});
});
