// Commits a repository no longer has: reachable from the tips ingested last time but from no
// branch or tag now (a force-push, a deleted branch or tag). Their rows are removed, so the
// stored commits stay exactly what the repository's branches and tags reach.
import { commitIdPattern } from './log.ts';
import type { Mirror, Tips } from './mirror.ts';
import { runGit, startGit, type GitProcess } from './run-git.ts';

const localTimeoutMs = 10 * 60_000;

/**
 * Starts git listing commit ids, one a line. The caller must read its output at once: Node
 * discards what a finished child printed if nobody was reading it yet.
 */
export type CommitList = () => Promise<GitProcess>;

/**
 * The commits reachable from `previous` tips and from none of `tips`; null when no previous tip
 * is gone (nothing can have been abandoned); `undefined` when the mirror no longer has some
 * previous tip (it was made anew, or git collected it), so that only a comparison with
 * everything reachable can tell.
 */
export async function abandonedCommits(mirror: Mirror, previous: Tips | null, tips: Tips): Promise<CommitList | null | undefined> {
	const current = new Set(Object.values(tips));
	const gone = [...new Set(Object.values(previous ?? {}))].filter((sha) => !current.has(sha) && commitIdPattern.test(sha)).sort();
	if (gone.length === 0) return null;
	const options = { settings: mirror.settings, gitDir: mirror.gitDir, signal: mirror.signal, timeoutMs: localTimeoutMs };
	const known = await runGit(['cat-file', '--batch-check=%(objectname) ok'], { ...options, stdin: gone.join('\n') + '\n' });
	if (known.split('\n').filter((line) => line.endsWith(' ok')).length !== gone.length) return undefined;
	// SHAs only on standard input, never ref names, so nothing can read as an option.
	const stdin = [...gone, ...[...current].sort().map((sha) => `^${sha}`)].join('\n') + '\n';
	return () => startGit(['rev-list', '--stdin'], { ...options, stdin });
}

/** Every commit a branch or tag of the mirror reaches (it holds no other refs). */
export function reachableCommits(mirror: Mirror): CommitList {
	return () => startGit(['rev-list', '--all'], { settings: mirror.settings, gitDir: mirror.gitDir, signal: mirror.signal, timeoutMs: localTimeoutMs });
}
