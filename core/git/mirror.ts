// A bare copy of each repository on the worker's disk (`<gitMirrorDir>/<repoId>.git`), fetched
// before each ingest. Only branches and tags come over: never refs/pull/*, refs/changes/* or
// anything else a host keeps, which can be far larger than the repository itself.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GitProgress } from './progress.ts';
import { decodeRefName, splitBytes } from './ref-names.ts';
import { openRemote } from './remote.ts';
import { runGit, runGitForBytes, type GitCredentials, type GitSettings } from './run-git.ts';

export interface Mirror {
	gitDir: string;
	settings: GitSettings;
	/** When aborted, git on this mirror stops and no more starts (a cancelled or superseded attempt). */
	signal?: AbortSignal;
}

/** Ref name → the object it points at (for an annotated tag: the tag object). */
export type Tips = Record<string, string>;

const defaultFetchTimeoutMs = 60 * 60_000;
const localTimeoutMs = 10 * 60_000;

export function openMirror(repoId: string, settings: GitSettings): Mirror {
	// The id becomes a folder name: nothing that could climb out of the mirror folder.
	if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(repoId)) throw new Error(`“${repoId}” is not a repository id.`);
	return { gitDir: path.join(settings.gitMirrorDir, `${repoId}.git`), settings };
}

/**
 * A fetch killed half-way (worker crash, timeout) can leave `*.lock` files that would make every
 * later fetch fail. Those older than the longest a fetch may run cannot belong to a live one.
 */
async function removeStaleLocks(gitDir: string, olderThanMs: number): Promise<void> {
	const cutoff = Date.now() - olderThanMs;
	const candidates = (await readdir(gitDir)).filter((name) => name.endsWith('.lock')).map((name) => path.join(gitDir, name));
	const refs = path.join(gitDir, 'refs');
	if (existsSync(refs)) {
		for (const name of await readdir(refs, { recursive: true })) {
			if (name.endsWith('.lock')) candidates.push(path.join(refs, name));
		}
	}
	for (const file of candidates) {
		const info = await stat(file).catch(() => null);
		if (info && info.mtimeMs < cutoff) await rm(file, { force: true });
	}
}

export async function readTips(mirror: Mirror): Promise<Tips> {
	const output = await runGitForBytes(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags'], {
		settings: mirror.settings,
		gitDir: mirror.gitDir,
		signal: mirror.signal,
		timeoutMs: localTimeoutMs
	});
	const tips: Tips = {};
	for (const line of splitBytes(output, 0x0a)) {
		const space = line.indexOf(0x20);
		// Ref names cannot contain spaces, so the first one separates the two fields.
		if (space > 0) tips[decodeRefName(line.subarray(space + 1))] = line.subarray(0, space).toString('latin1');
	}
	return tips;
}

/**
 * A new, empty bare repository; for a local repository, a clone that hard-links its objects
 * (milliseconds instead of packing and re-indexing every object). Either way it is built under a
 * temporary name and renamed into place, so a crash never leaves a half-made mirror behind.
 * Returns whether it already holds the repository's branches and tags (the local clone does).
 */
async function createMirror(mirror: Mirror, url: string, timeoutMs: number, onProgress: SyncOptions['onProgress']): Promise<boolean> {
	const { settings, signal } = mirror;
	const partial = `${mirror.gitDir}.partial`;
	await rm(partial, { recursive: true, force: true });
	await rm(mirror.gitDir, { recursive: true, force: true });
	const local = url.startsWith('file://');
	if (local) {
		// Exactly the heads and tags become refs (that is what --bare copies), as the fetch would.
		await runGit(['clone', '--bare', '--local', '--progress', '--', url.slice('file://'.length), partial], { settings, signal, onProgress, timeoutMs, remote: true });
	} else {
		await runGit(['init', '--bare', '--quiet', '--', partial], { settings, signal, timeoutMs: localTimeoutMs });
	}
	await rename(partial, mirror.gitDir);
	return local;
}

export interface SyncOptions {
	timeoutMs?: number;
	/** Stops git when aborted. */
	signal?: AbortSignal;
	/** Hears git's progress while it clones and fetches. */
	onProgress?: (progress: GitProgress) => void;
}

/**
 * Brings the mirror up to date with the repository's branches and tags, and returns their tips.
 * Safe to call again after a crash: the mirror appears whole or not at all, stale locks are
 * cleared, and the refs move in one atomic transaction, so a half-done fetch leaves the old tips.
 */
export async function syncMirror(
	repoId: string,
	url: string,
	credentials: GitCredentials,
	settings: GitSettings,
	options: SyncOptions = {}
): Promise<Tips> {
	const remote = await openRemote(url, settings);
	const timeoutMs = options.timeoutMs ?? defaultFetchTimeoutMs;
	const { signal, onProgress } = options;
	const mirror = { ...openMirror(repoId, remote.settings), signal };

	await mkdir(settings.gitMirrorDir, { recursive: true });
	if (!existsSync(path.join(mirror.gitDir, 'HEAD')) || !existsSync(path.join(mirror.gitDir, 'objects'))) {
		// A fresh local clone is already up to date: a fetch would only start two more processes.
		if (await createMirror(mirror, remote.url, timeoutMs, onProgress)) return readTips(mirror);
	}
	await removeStaleLocks(mirror.gitDir, timeoutMs);

	await runGit(
		[
			'fetch',
			'--progress',
			'--prune',
			'--no-tags',
			'--force',
			'--atomic',
			'--no-write-fetch-head',
			'--no-show-forced-updates',
			'--no-recurse-submodules',
			'--',
			remote.url,
			'+refs/heads/*:refs/heads/*',
			'+refs/tags/*:refs/tags/*'
		],
		{ settings: remote.settings, credentials, gitDir: mirror.gitDir, signal, onProgress, timeoutMs, remote: true, connectTo: remote.connectTo }
	);
	return readTips(mirror);
}
