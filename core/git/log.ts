// Reading commits and tags out of a mirror. `git log` output is handed on as it arrives, chunk
// by chunk (commit-rows.ts turns it into rows), so memory stays flat however large the repository.
import { decodeRefName, splitBytes } from './ref-names.ts';
import { blockedLog, type StartGit } from './log-blocks.ts';
import { GitError, runGit, runGitForBytes, startGit } from './run-git.ts';
import type { Mirror, Tips } from './mirror.ts';

export interface GitTag {
	/** Bytes that are not UTF-8 appear as \xNN (see ref-names.ts). */
	name: string;
	/** What the tag points at, through any annotated tag objects: a commit, or a tree or a blob. */
	sha: string;
	/** When an annotated tag was made; null for a lightweight tag. */
	taggedAt: Date | null;
	/** The tag claims a date no database can hold: kept without it. */
	dateOutOfRange?: boolean;
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
 * The output of `git log` (logArguments) for the commits reachable from the included revisions
 * and not from the excluded ones, handed on as git writes it, in blocks with the next one's git
 * running beside (log-blocks.ts). Read it at once: Node discards what a finished child printed
 * if nobody was reading yet.
 */
export async function startLog(mirror: Mirror, revisions: string[], blocks?: { commitsPerBlock?: number; logsAtOnce?: number }): Promise<AsyncIterable<Buffer>> {
	if (revisions.length === 0) return (async function* () {})();
	const start: StartGit = (args, stdin) =>
		startGit(args, { settings: mirror.settings, gitDir: mirror.gitDir, signal: mirror.signal, stdin, timeoutMs: localTimeoutMs });
	return blockedLog(start, logArguments, revisionArgs, revisions.join('\n') + '\n', blocks);
}

/**
 * Every tag of the mirror, peeled to what it finally points at. A tag of a tree or a blob (git's
 * own repository has one) is kept too: it counts as a tag, and is simply no deployment.
 */
export async function readTags(mirror: Mirror): Promise<GitTag[]> {
	const options = { settings: mirror.settings, gitDir: mirror.gitDir, signal: mirror.signal, timeoutMs: localTimeoutMs };
	const output = await runGitForBytes(
		['for-each-ref', '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(taggerdate:unix)', 'refs/tags'],
		options
	);
	const tags: GitTag[] = [];
	const nested: GitTag[] = [];
	for (const line of splitBytes(output, 0x0a)) {
		const [nameBytes, ...rest] = splitBytes(line, 0);
		if (!nameBytes) continue;
		const [type, object = '', peeledType, peeled = '', taggerDate] = rest.map((field) => field.toString('latin1'));
		const name = decodeRefName(nameBytes);
		const taggedAt = taggerDate ? storableDate(taggerDate) : null;
		const dated = { taggedAt, ...(taggerDate && !taggedAt ? { dateOutOfRange: true } : {}) };
		if (type !== 'tag') tags.push({ name, sha: object, taggedAt: null });
		else if (peeledType !== 'tag') tags.push({ name, sha: peeled, ...dated });
		else nested.push({ name, sha: object, ...dated });
	}
	if (nested.length > 0) {
		// A tag of a tag: let git peel it all the way down, in one batch.
		const peeled = await runGit(['cat-file', '--batch-check=%(objectname)'], { ...options, stdin: nested.map((t) => `${t.sha}^{}`).join('\n') + '\n' });
		peeled.split('\n').forEach((line, index) => {
			const tag = nested[index];
			if (tag && commitIdPattern.test(line)) tags.push({ ...tag, sha: line });
		});
	}
	return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A git timestamp as a Date, or null when no Date (nor Postgres) can hold it: a hostile or broken
 * tag can claim any number of seconds, year 300,000 and beyond.
 */
function storableDate(unixSeconds: string): Date | null {
	const date = parseDate(unixSeconds);
	return Number.isFinite(date.getTime()) ? date : null;
}
