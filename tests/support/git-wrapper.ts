// A `git` to put first on a worker's PATH: it logs every command that makes or fills a bare copy
// (clone, init, fetch) and can hold one kind of them until the test releases it, so a test can act
// while an update is, for certain, making or fetching a copy. Everything else goes straight to git.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GitWrapper {
	/** The PATH to give the worker. */
	path: string;
	/** `<command> <all arguments>` per clone, init and fetch, and the test's own marks, in order. */
	log(): string[];
	/** Adds a line to the log (to tell what git did before and after a moment). */
	mark(line: string): void;
	/** Whether a held command has begun. */
	holding(): boolean;
	/** The process of the held command that began last (git itself, once released: the wrapper execs it). */
	heldPid(): number | undefined;
	/** Lets held commands (and every later one) go on. */
	release(): void;
	/** Holds the next commands of the kind given again, until the next release. */
	holdAgain(): void;
}

/**
 * `hold`: which commands wait for the release — clones or fetches, of the repository in the folder
 * with this name or of `every` one. A held command waits at most a minute, so nothing outlives a
 * failed test for long.
 */
export function createGitWrapper(options: { hold?: { command: 'clone' | 'fetch'; repository: string } } = {}): GitWrapper {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'tributary-git-wrapper-'));
	const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
	const file = (name: string) => path.join(dir, name);
	const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
	const { hold: held } = options;
	const pattern = held && (held.repository === 'every' ? '*' : `*/${held.repository}\\ *`);
	const hold = held
		? `if [ "$command" = ${held.command} ]; then
	case "$*" in
		${pattern})
			echo $$ > ${quote(file('holding'))}
			n=0
			while [ ! -e ${quote(file('release'))} ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done ;;
	esac
fi
`
		: '';
	// The command is the first argument that is neither an option nor the value of a -c.
	const script = `#!/bin/sh
skip=
command=
for arg in "$@"; do
	if [ -n "$skip" ]; then skip=; continue; fi
	case "$arg" in
		-c) skip=1 ;;
		-*) ;;
		*) command="$arg"; break ;;
	esac
done
case "$command" in
	clone|init|fetch) echo "$command $*" >> ${quote(file('git.log'))} ;;
esac
${hold}exec ${quote(realGit)} "$@"
`;
	writeFileSync(file('git'), script);
	chmodSync(file('git'), 0o755);
	return {
		path: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
		log: () => (existsSync(file('git.log')) ? readFileSync(file('git.log'), 'utf8').split('\n').filter(Boolean) : []),
		mark: (line) => appendFileSync(file('git.log'), `${line}\n`),
		holding: () => existsSync(file('holding')),
		heldPid: () => (existsSync(file('holding')) ? Number(readFileSync(file('holding'), 'utf8')) || undefined : undefined),
		release: () => writeFileSync(file('release'), ''),
		holdAgain: () => {
			rmSync(file('holding'), { force: true });
			rmSync(file('release'), { force: true });
		}
	};
}
