// What git says about its progress on standard error (with `--progress`): a phase and its counts,
// e.g. "Receiving objects:  45% (4500/10000), 1.20 MiB | 2.00 MiB/s" or "remote: Counting objects: 1234".
// Each report ends with \r (the same line redrawn) and the last one of a phase with \n.

export interface GitProgress {
	/** Git's name for the phase: "Counting objects", "Receiving objects", "Resolving deltas"… */
	phase: string;
	done: number;
	/** Unknown (null) in phases that only count, such as "Enumerating objects". */
	total: number | null;
	/** Said by the server (sideband "remote:" lines) rather than by the local git. */
	remote: boolean;
}

// A phase name is capitalised words ("Resolving deltas"), which git's "fatal:" and "error:" are not.
const withTotal = /^(remote: )?([A-Z][a-z]+(?: [a-z]+)+): +\d+% \((\d+)\/(\d+)\)/;
const countOnly = /^(remote: )?([A-Z][a-z]+(?: [a-z]+)+): +(\d+)(?:, done\.)?\s*$/;

/** The progress one line of stderr reports, or null when the line is something else. */
export function parseGitProgress(line: string): GitProgress | null {
	const full = withTotal.exec(line);
	if (full) return { phase: full[2]!, done: Number(full[3]), total: Number(full[4]), remote: Boolean(full[1]) };
	const counted = countOnly.exec(line);
	if (counted) return { phase: counted[2]!, done: Number(counted[3]), total: null, remote: Boolean(counted[1]) };
	return null;
}

/** "Receiving objects: 4,500 of 10,000" — the words for the operation's current item. */
export function describeGitProgress(progress: GitProgress): string {
	const done = progress.done.toLocaleString('en');
	return progress.total === null ? `${progress.phase}: ${done}` : `${progress.phase}: ${done} of ${progress.total.toLocaleString('en')}`;
}

/** The phase beside a bar that shows the counts, or with its count where there is no total. */
export function gitProgressPhase(progress: GitProgress): string {
	return progress.total === null ? describeGitProgress(progress) : progress.phase;
}
