// Reading commits and tags out of a mirror. `git log` output is parsed as it arrives, one commit
// at a time, so memory stays flat however large the repository.
import { GitError, runGit, startGit } from './run-git.ts';
import type { Mirror, Tips } from './mirror.ts';

export interface CommitFile {
	path: string;
	additions: number;
	deletions: number;
}

export interface GitCommit {
	sha: string;
	parents: string[];
	authorName: string;
	authorEmail: string;
	authoredAt: Date;
	committerName: string;
	committerEmail: string;
	committedAt: Date;
	subject: string;
	additions: number;
	deletions: number;
	filesChanged: number;
	files: CommitFile[];
}

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
const fieldCount = 9;
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

/** How many commits `readCommits` will yield for the same revisions (for progress totals). */
export async function countNewCommits(mirror: Mirror, revisions: string[]): Promise<number> {
	if (revisions.length === 0) return 0;
	const output = await runGit(['rev-list', '--count', ...revisionArgs], {
		settings: mirror.settings,
		gitDir: mirror.gitDir,
		stdin: revisions.join('\n') + '\n',
		timeoutMs: localTimeoutMs
	});
	return Number(output.trim());
}

function parseCount(text: string): number {
	// Binary files show `-`: no lines, but still a changed file.
	return text === '-' ? 0 : Number(text) || 0;
}

function parseDate(unixSeconds: string): Date {
	return new Date(Number(unixSeconds) * 1000);
}

function newCommit(fields: string[]): GitCommit {
	const [sha = '', parents = '', authorName = '', authorEmail = '', authoredAt = '0', committerName = '', committerEmail = '', committedAt = '0', subject = ''] = fields;
	return {
		sha,
		parents: parents ? parents.split(' ') : [],
		authorName,
		authorEmail,
		authoredAt: parseDate(authoredAt),
		committerName,
		committerEmail,
		committedAt: parseDate(committedAt),
		subject,
		additions: 0,
		deletions: 0,
		filesChanged: 0,
		files: []
	};
}

function addFile(commit: GitCommit, token: string): void {
	// The first file of a commit follows a blank line: `\n12\t3\tpath`.
	const entry = token.charCodeAt(0) === 10 ? token.slice(1) : token;
	const firstTab = entry.indexOf('\t');
	const secondTab = entry.indexOf('\t', firstTab + 1);
	if (firstTab < 0 || secondTab < 0) return;
	const file = {
		path: entry.slice(secondTab + 1),
		additions: parseCount(entry.slice(0, firstTab)),
		deletions: parseCount(entry.slice(firstTab + 1, secondTab))
	};
	commit.files.push(file);
	commit.additions += file.additions;
	commit.deletions += file.deletions;
	commit.filesChanged++;
}

/**
 * The commits reachable from the included revisions and not from the excluded ones, newest
 * first, with the lines each changed per file. Merges list no files (git's default for log).
 */
export async function* readCommits(mirror: Mirror, revisions: string[]): AsyncGenerator<GitCommit> {
	if (revisions.length === 0) return;
	const git = await startGit(
		[
			'log',
			'--numstat',
			'-z',
			'--no-renames',
			'--diff-merges=off',
			'--no-color',
			'--no-ext-diff',
			'--no-textconv',
			'--no-use-mailmap',
			`--format=${logFormat}`,
			...revisionArgs
		],
		{ settings: mirror.settings, gitDir: mirror.gitDir, stdin: revisions.join('\n') + '\n', timeoutMs: localTimeoutMs }
	);
	let finished = false;
	try {
		git.stdout.setEncoding('utf8');
		let pending = '';
		let commit: GitCommit | null = null;
		let fields: string[] | null = null;
		for await (const chunk of git.stdout as AsyncIterable<string>) {
			pending += chunk;
			let start = 0;
			let end: number;
			while ((end = pending.indexOf('\0', start)) !== -1) {
				const token = pending.slice(start, end);
				start = end + 1;
				if (fields) {
					fields.push(token);
					if (fields.length === fieldCount) {
						commit = newCommit(fields);
						fields = null;
					}
				} else if (token.charCodeAt(0) === 0x1e) {
					if (commit) yield commit;
					commit = null;
					fields = [token.slice(1)];
				} else if (token && commit) {
					addFile(commit, token);
				}
			}
			pending = pending.slice(start);
		}
		if (commit) yield commit;
		await git.done;
		finished = true;
	} finally {
		// The reader stopped early (an error while writing, a cancelled activity): stop git too.
		if (!finished) git.kill();
	}
}

/** Every tag of the mirror, peeled to its commit. Tags of trees or blobs are left out. */
export async function readTags(mirror: Mirror): Promise<GitTag[]> {
	const output = await runGit(
		['for-each-ref', '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(taggerdate:unix)', 'refs/tags'],
		{ settings: mirror.settings, gitDir: mirror.gitDir, timeoutMs: localTimeoutMs }
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
