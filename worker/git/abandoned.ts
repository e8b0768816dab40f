// Commits a repository no longer has: reachable from the tips ingested last time but from no
// branch or tag now (a force-push, a deleted branch or tag). Their rows are removed, so the
// stored commits stay exactly what the repository's branches and tags reach.
import { commitIdPattern } from './log.ts';
import type { Mirror, Tips } from './mirror.ts';
import { runGit } from './run-git.ts';

const localTimeoutMs = 10 * 60_000;

/**
 * The commits reachable from `previous` tips and from none of `tips`; `undefined` when the mirror
 * no longer has some previous tip (it was made anew, or git collected it), so that only a
 * comparison with everything reachable can tell.
 */
export async function abandonedSince(mirror: Mirror, previous: Tips | null, tips: Tips): Promise<string[] | undefined> {
	const current = [...new Set(Object.values(tips))].sort();
	const gone = [...new Set(Object.values(previous ?? {}))].filter((sha) => !current.includes(sha) && commitIdPattern.test(sha)).sort();
	if (gone.length === 0) return [];
	const options = { settings: mirror.settings, gitDir: mirror.gitDir, timeoutMs: localTimeoutMs };
	const known = await runGit(['cat-file', '--batch-check=%(objectname) ok'], { ...options, stdin: gone.join('\n') + '\n' });
	if (known.split('\n').filter((line) => line.endsWith(' ok')).length !== gone.length) return undefined;
	// SHAs only on standard input, never ref names, so nothing can read as an option.
	const output = await runGit(['rev-list', '--stdin'], { ...options, stdin: [...gone, ...current.map((sha) => `^${sha}`)].join('\n') + '\n' });
	return output.split('\n').filter(Boolean);
}

/** Every commit a branch or tag of the mirror reaches (it holds no other refs). */
export async function reachableCommits(mirror: Mirror): Promise<Set<string>> {
	const output = await runGit(['rev-list', '--all'], { settings: mirror.settings, gitDir: mirror.gitDir, timeoutMs: localTimeoutMs });
	return new Set(output.split('\n').filter(Boolean));
}
