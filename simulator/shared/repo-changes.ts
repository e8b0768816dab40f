// Changes both control APIs make to the World's repositories: real commits pushed, pull (merge)
// requests opened with a real head branch, tags. One instance serves both providers, so changes
// to a repository run one at a time (git's fast-import must not run twice at once on it) and
// every push gets its own seed.
import { createRef, pushCommits, revParse, type PushedCommit } from '../github/git-repos.ts';
import { hash } from '../github/hash.ts';
import type { Repo, User, World } from '../github/data.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';
import { ControlError } from './control.ts';

export interface Pushed {
	ref: string;
	before: string | null;
	after: string;
	commits: PushedCommit[];
}

/** A branch or tag name git and both providers accept. */
export function checkRefName(name: string): string {
	if (!/^[A-Za-z0-9._/-]+$/.test(name) || name.includes('..') || name.startsWith('-') || name.endsWith('/')) throw new ControlError(400, `Bad ref name ${name}.`);
	return name;
}

export class RepoChanges {
	readonly #world: World;
	readonly #tails = new Map<number, Promise<unknown>>();
	#pushes = 0;

	constructor(world: World) {
		this.#world = world;
	}

	/** Runs `work` once the repository's earlier changes are done. */
	locked<T>(repo: Repo, work: () => Promise<T>): Promise<T> {
		const run = (this.#tails.get(repo.id) ?? Promise.resolve()).then(work, work);
		this.#tails.set(
			repo.id,
			run.catch(() => undefined)
		);
		return run;
	}

	/** Appends commits to `ref` (a new branch starts from `from`). Call it inside `locked`. */
	async push(repo: Repo, ref: string, commits: number, from?: string): Promise<Pushed> {
		const result = await pushCommits(repo.gitDir, { ref, from, commits, seed: hash(this.#world.options.seed, repo.id, ++this.#pushes) });
		repo.pushed = Date.now();
		return { ref, ...result };
	}

	/** Points a new tag at `target`. Call it inside `locked`. */
	async tag(repo: Repo, name: string, target: string): Promise<Pushed> {
		const ref = `refs/tags/${checkRefName(name)}`;
		const after = await revParse(repo.gitDir, target);
		if (!(await createRef(repo.gitDir, ref, after))) throw new ControlError(422, `The tag ${name} exists already.`);
		repo.pushed = Date.now();
		return { ref, before: null, after, commits: [] };
	}

	/** Opens the next pull request on a head branch of `commits` new commits from main. Call it inside `locked`. */
	async openPull(
		repo: Repo,
		store: PullStore,
		input: { title?: string; body: string | null; author: User; draft: boolean; commits: number }
	): Promise<{ pull: PullFacts; pushed: Pushed }> {
		const number = store.count + 1;
		const pushed = await this.push(repo, `refs/heads/sim/pull-${number}`, input.commits, 'refs/heads/main');
		const base = await revParse(repo.gitDir, 'refs/heads/main');
		const pull = store.open({
			title: input.title ?? `Simulated change ${number}`,
			body: input.body,
			author: input.author.index,
			headRef: `sim/pull-${number}`,
			headSha: pushed.after,
			baseSha: base,
			draft: input.draft,
			commits: input.commits
		});
		return { pull, pushed };
	}
}
