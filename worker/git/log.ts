// Reading commits and tags out of a mirror. `git log` output is handed on as it arrives, chunk
// by chunk (commit-rows.ts turns it into rows), so memory stays flat however large the repository.
import { GitError, runGit, startGit } from './run-git.ts';
import type { Mirror, Tips } from './mirror.ts';

export interface GitTag {
	name: string;
	/** The commit the tag points at, through any annotated tag objects. */
	sha: string;
	/** When an annotated tag was made; null for a lightweight tag. */
	taggedAt: Date | null;
}

const localTimeoutMs = 2 * 60 * 60_000;

// Fields are separated by NUL, which no name, e-mail or subject can contain; a commit starts
// with \x1e. With -z, git ends the header with NUL too and lists files as `add\tdel\tpath\0`.
const logFormat = '%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%s';

/** A full object id: SHA-1 (40 hex digits) or SHA-256 (64). */
export const commitIdPattern = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The lines to feed `--stdin`: every tip that moved (to include) and every tip already ingested
 * (to exclude, with `^`). SHAs only, never ref names, so nothing can read as an option; sorted,
 * so the same tips always give git the same input and the log the same order.
 */
export function revisionsSince(tips: Tips, cursor: Tips | null): string[] {
	const seen = new Set(Object.values(cursor ?? {}));
	const include = [...new Set(Object.values(tips))].filter((sha) => !seen.has(sha)).sort();
	if (include.length === 0) return [];
	const exclude = [...seen].sort().map((sha) => `^${sha}`);
	for (const sha of [...include, ...seen]) {
		if (!commitIdPattern.test(sha)) {
			throw new GitError({ kind: 'other', permanent: false, message: `“${sha}” in the repository's cursor is not a commit id: clear the cursor to read the repository again.` });
		}
	}
	return [...include, ...exclude];
}

// --ignore-missing: an excluded old tip may be gone from the mirror (force-push, then gc). It
// must come before --stdin, which reads the revisions the moment git meets it.
const revisionArgs = ['--ignore-missing', '--stdin'];

/** How many commits `startLog` will list for the same revisions (for progress totals). */
export async function countNewCommits(mirror: Mirror, revisions: string[]): Promise<number> {
	if (revisions.length === 0) return 0;
	const output = await runGit(['rev-list', '--count', ...revisionArgs], {
		settings: mirror.settings,
		gitDir: mirror.gitDir,
		signal: mirror.signal,
		stdin: revisions.join('\n') + '\n',
		timeoutMs: localTimeoutMs
	});
	return Number(output.trim());
}

function parseDate(unixSeconds: string): Date {
	return new Date(Number(unixSeconds) * 1000);
}

/**
 * What `startLog` runs, after git's own options: the commits, newest first, with the lines each
 * changed per file. Merges list no files (git's default for log). Exported for the benchmark,
 * whose baseline runs exactly this.
 */
export const logArguments = [
	'log',
	'--numstat',
	'-z',
	'--no-renames',
	'--diff-merges=off',
	'--no-color',
	'--no-ext-diff',
	'--no-textconv',
	'--no-use-mailmap',
	`--format=${logFormat}`
];

/**
 * Starts `git log` (logArguments) for the commits reachable from the included revisions and not
 * from the excluded ones, and hands its output on as git writes it. Read it at once: Node
 * discards what a finished child printed if nobody was reading yet.
 */
export async function startLog(mirror: Mirror, revisions: string[]): Promise<AsyncIterable<Buffer>> {
	if (revisions.length === 0) return (async function* () {})();
	const git = await startGit([...logArguments, ...revisionArgs], {
		settings: mirror.settings,
		gitDir: mirror.gitDir,
		signal: mirror.signal,
		stdin: revisions.join('\n') + '\n',
		timeoutMs: localTimeoutMs
	});
	return (async function* () {
		let finished = false;
		try {
			for await (const chunk of git.stdout as AsyncIterable<Buffer>) yield chunk;
			await git.done;
			finished = true;
		} finally {
			// The reader stopped early (an error while writing, a cancelled activity): stop git too.
			if (!finished) git.kill();
		}
	})();
}

/** Every tag of the mirror, peeled to its commit. Tags of trees or blobs are left out. */
export async function readTags(mirror: Mirror): Promise<GitTag[]> {
	const output = await runGit(
		['for-each-ref', '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(taggerdate:unix)', 'refs/tags'],
		{ settings: mirror.settings, gitDir: mirror.gitDir, signal: mirror.signal, timeoutMs: localTimeoutMs }
	);
	const tags: GitTag[] = [];
	const nested: Array<{ name: string; object: string; taggedAt: Date | null }> = [];
	for (const line of output.split('\n')) {
		if (!line) continue;
		const [name = '', type, object = '', peeledType, peeled = '', taggerDate] = line.split('\0');
		const taggedAt = taggerDate ? parseDate(taggerDate) : null;
		if (type === 'commit') tags.push({ name, sha: object, taggedAt: null });
		else if (type === 'tag' && peeledType === 'commit') tags.push({ name, sha: peeled, taggedAt });
		else if (type === 'tag' && peeledType === 'tag') nested.push({ name, object, taggedAt });
	}
	if (nested.length > 0) {
		// A tag of a tag: let git peel it all the way down, in one batch.
		const peeled = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
			settings: mirror.settings,
			gitDir: mirror.gitDir,
			signal: mirror.signal,
			stdin: nested.map((t) => `${t.object}^{commit}`).join('\n') + '\n',
			timeoutMs: localTimeoutMs
		});
		peeled.split('\n').forEach((line, index) => {
			const [sha, type] = line.split(' ');
			const tag = nested[index];
			if (tag && sha && type === 'commit') tags.push({ name: tag.name, sha, taggedAt: tag.taggedAt });
		});
	}
	return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
