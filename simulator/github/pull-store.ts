// A repository's pull requests, reviews and comments. The generated ones are derived from the
// seed on demand (100,000 pull requests cost a few sorted arrays, not a heap of objects); those
// the control API opens or changes are kept as records that take precedence.
import { fraction, randomFor } from './hash.ts';
import type { GitShas } from './git-repos.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Generated activity starts here: data must not depend on the day the simulator runs. */
const EPOCH = Date.UTC(2024, 0, 1);

export type PullStateName = 'open' | 'closed' | 'merged';
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';

/** A user by index into the world's users; null: a deleted account (GitHub's `user: null`). */
export type UserRef = number | null;

export interface PullFacts {
	number: number;
	title: string;
	body: string | null;
	state: PullStateName;
	draft: boolean;
	locked: boolean;
	author: UserRef;
	mergedBy: UserRef;
	created: number;
	updated: number;
	closed: number | null;
	merged: number | null;
	headRef: string;
	headSha: string;
	baseRef: string;
	baseSha: string;
	mergeSha: string | null;
	commits: number;
	additions: number;
	deletions: number;
	changedFiles: number;
	reviews: number;
	reviewComments: number;
	comments: number;
}

export interface ReviewRecord {
	id: number;
	pull: number;
	user: UserRef;
	state: ReviewState;
	body: string;
	submitted: number;
	commitId: string;
}

export interface CommentRecord {
	id: number;
	pull: number;
	index: number;
	user: UserRef;
	body: string;
	created: number;
	updated: number;
}

export interface ReviewCommentRecord extends CommentRecord {
	reviewId: number;
	path: string;
	line: number;
	commitId: string;
	inReplyTo: number | null;
}

export type CommentKind = 'review-comment' | 'issue-comment';
const KIND = { review: 1, 'review-comment': 2, 'issue-comment': 3 } as const;

const verbs = ['Fix', 'Add', 'Refactor', 'Speed up', 'Document', 'Test', 'Remove', 'Rename', 'Handle', 'Upgrade'];
const nouns = ['parser', 'cache', 'login flow', 'API client', 'retry logic', 'build script', 'settings page', 'query planner', 'logger', 'exporter'];
const oddities = ['', '', '', '', ' (naïve café ☕)', ' — “quoted”', ' for 日本語 users', ' <script>alert(1)</script>'];
const paths = ['src/index.ts', 'src/parser/lexer.ts', 'src/cache/lru.ts', 'docs/README.md', 'src/api/client.ts', 'test/parser.test.ts'];
const remarks = ['Looks good to me.', 'Could this be simpler?', 'Nit: naming.', 'Why not reuse the helper?', 'Thanks! 🎉', 'This breaks on empty input.', 'Can we add a test?'];

export interface PullStoreOptions {
	seed: number;
	repoId: number;
	count: number;
	shas: GitShas;
	/** How many users can author things (indexes 0..users-1). */
	users: number;
}

export interface RepoCounts {
	pullRequests: number;
	open: number;
	closed: number;
	merged: number;
	drafts: number;
	reviews: number;
	reviewComments: number;
	comments: number;
}

interface CommentIndex {
	pulls: Uint32Array;
	indexes: Uint16Array;
	created: Float64Array;
	updated: Float64Array;
	byCreated: Uint32Array;
	byUpdated: Uint32Array;
}

/** Sorted fractions in [0, 1), one per item: times that rise with the item's index (and id). */
function spread(parts: number[], count: number): number[] {
	return Array.from({ length: count }, (_, k) => fraction(...parts, k)).sort((a, b) => a - b);
}

function sortedBy(keys: Float64Array, ids: (i: number) => number): Uint32Array {
	const order = new Uint32Array(keys.length);
	for (let i = 0; i < order.length; i++) order[i] = i;
	// Ties broken by id, as GitHub's orderings are stable by id.
	order.sort((a, b) => keys[a]! - keys[b]! || ids(a) - ids(b));
	return order;
}

export class PullStore {
	readonly #options: PullStoreOptions;
	readonly #spacing: number;
	readonly #changed = new Map<number, PullFacts>();
	readonly #extraReviews = new Map<number, ReviewRecord[]>();
	readonly #extraComments = new Map<number, CommentRecord[]>();
	#count: number;
	#caches: { orders?: Map<string, Uint32Array>; counts?: RepoCounts; comments?: Partial<Record<CommentKind, CommentIndex>> } = {};

	constructor(options: PullStoreOptions) {
		this.#options = options;
		this.#count = options.count;
		this.#spacing = Math.min(6 * HOUR, (600 * DAY) / Math.max(1, options.count));
	}

	get count(): number {
		return this.#count;
	}

	has(number: number): boolean {
		return Number.isInteger(number) && number >= 1 && number <= this.#count;
	}

	facts(number: number): PullFacts {
		return this.#changed.get(number) ?? this.#generated(number);
	}

	#id(kind: number, pull: number, index: number): number {
		return ((this.#options.repoId * 1_000_000 + pull) * 10 + kind) * 100 + index;
	}

	pullId(number: number): number {
		return this.#options.repoId * 1_000_000 + number;
	}

	#generated(number: number): PullFacts {
		const { seed, repoId, shas, users, count } = this.#options;
		const rng = randomFor(seed, repoId, number);
		const created = EPOCH + (number - 1) * this.#spacing + Math.floor(rng.next() * this.#spacing);
		const span = rng.int(HOUR / 60_000, (10 * DAY) / 60_000) * 60_000;
		const last = created + span;
		// Recent pull requests are more often still open, as in a real repository.
		const openChance = number > count * 0.9 ? 0.6 : 0.05;
		const roll = rng.next();
		const state: PullStateName = roll < openChance ? 'open' : roll < openChance + 0.12 ? 'closed' : 'merged';
		const author = rng.next() < 0.03 ? null : rng.int(0, users - 1);
		const reviews = rng.next() < 0.15 ? 0 : rng.int(1, 4);
		const reviewComments = reviews === 0 ? 0 : rng.int(0, 6);
		const comments = rng.int(0, 5);
		const commits = rng.int(1, 12);
		const changedFiles = rng.int(1, 20);
		const merged = state === 'merged' ? last : null;
		const mergeShas = shas.merges.length > 0 ? shas.merges : shas.main;
		return {
			number,
			title: `${rng.pick(verbs)} ${rng.pick(nouns)}${rng.pick(oddities)}`,
			body: rng.next() < 0.2 ? null : `Closes a long-standing issue.\n\n- ${rng.pick(remarks)}\n- Tested locally.`,
			state,
			draft: state === 'open' && rng.next() < 0.2,
			locked: rng.next() < 0.01,
			author,
			mergedBy: merged === null ? null : rng.int(0, users - 1),
			created,
			updated: last,
			closed: state === 'open' ? null : last,
			merged,
			headRef: `feature/${number}-${rng.pick(nouns).replace(/ /g, '-').toLowerCase()}`,
			headSha: rng.pick(shas.all),
			baseRef: 'main',
			baseSha: rng.pick(shas.main),
			mergeSha: state === 'closed' ? null : rng.pick(mergeShas),
			commits,
			additions: rng.int(1, 800),
			deletions: rng.int(0, 400),
			changedFiles,
			reviews,
			reviewComments,
			comments
		};
	}

	#generatedReviews(number: number): ReviewRecord[] {
		if (number > this.#options.count) return [];
		const { seed, repoId, users } = this.#options;
		const generated = this.#generated(number);
		const times = spread([seed, repoId, number, KIND.review], generated.reviews);
		return times.map((at, k) => {
			const rng = randomFor(seed, repoId, number, KIND.review, k);
			const last = k === generated.reviews - 1;
			const state: ReviewState = last && generated.state === 'merged' ? 'APPROVED' : rng.pick(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'] as const);
			return {
				id: this.#id(KIND.review, number, k),
				pull: number,
				user: rng.next() < 0.04 ? null : rng.int(0, users - 1),
				state,
				body: state === 'APPROVED' && rng.next() < 0.5 ? '' : rng.pick(remarks),
				submitted: Math.round(generated.created + at * (generated.updated - generated.created)),
				commitId: generated.headSha
			};
		});
	}

	reviews(number: number): ReviewRecord[] {
		return [...this.#generatedReviews(number), ...(this.#extraReviews.get(number) ?? [])];
	}

	#comment(kind: CommentKind, number: number, k: number, at: number, generated: PullFacts): CommentRecord {
		const { seed, repoId, users } = this.#options;
		const rng = randomFor(seed, repoId, number, KIND[kind], k);
		const span = generated.updated - generated.created;
		const created = Math.round(generated.created + at * span);
		const edited = rng.next() < 0.1;
		return {
			id: this.#id(KIND[kind], number, k),
			pull: number,
			index: k,
			user: rng.next() < 0.04 ? null : rng.int(0, users - 1),
			body: rng.pick(remarks),
			created,
			updated: edited ? Math.min(generated.updated, created + rng.int(1, 120) * 60_000) : created
		};
	}

	#generatedIssueComments(number: number): CommentRecord[] {
		if (number > this.#options.count) return [];
		const generated = this.#generated(number);
		const times = spread([this.#options.seed, this.#options.repoId, number, KIND['issue-comment']], generated.comments);
		return times.map((at, k) => this.#comment('issue-comment', number, k, at, generated));
	}

	issueComments(number: number): CommentRecord[] {
		return [...this.#generatedIssueComments(number), ...(this.#extraComments.get(number) ?? [])];
	}

	reviewComments(number: number): ReviewCommentRecord[] {
		if (number > this.#options.count) return [];
		const generated = this.#generated(number);
		const reviews = this.#generatedReviews(number);
		const times = spread([this.#options.seed, this.#options.repoId, number, KIND['review-comment']], generated.reviewComments);
		return times.map((at, k) => {
			const comment = this.#comment('review-comment', number, k, at, generated);
			const rng = randomFor(this.#options.seed, this.#options.repoId, number, KIND['review-comment'], k, 1);
			const review = reviews[k % reviews.length]!;
			return {
				...comment,
				reviewId: review.id,
				path: rng.pick(paths),
				line: rng.int(1, 200),
				commitId: generated.headSha,
				inReplyTo: k > 0 && rng.next() < 0.3 ? this.#id(KIND['review-comment'], number, k - 1) : null
			};
		});
	}

	/** Pull request numbers in `state` (closed includes merged), ordered by `sort`, ascending. */
	order(sort: 'created' | 'updated', state: 'open' | 'closed' | 'all' = 'all'): Uint32Array {
		const orders = (this.#caches.orders ??= new Map());
		const cached = orders.get(`${sort}:${state}`);
		if (cached) return cached;
		let order: Uint32Array;
		if (state === 'all') {
			const keys = new Float64Array(this.#count);
			for (let n = 1; n <= this.#count; n++) keys[n - 1] = sort === 'created' ? this.facts(n).created : this.facts(n).updated;
			order = sortedBy(keys, (i) => i);
			for (let i = 0; i < order.length; i++) order[i]! += 1;
		} else {
			order = this.order(sort).filter((n) => (this.facts(n).state === 'open') === (state === 'open'));
		}
		orders.set(`${sort}:${state}`, order);
		return order;
	}

	/** Every comment of one kind in the repository, for the repository-wide lists. */
	commentIndex(kind: CommentKind): CommentIndex {
		const cached = this.#caches.comments?.[kind];
		if (cached) return cached;
		const pulls: number[] = [];
		const indexes: number[] = [];
		const created: number[] = [];
		const updated: number[] = [];
		for (let n = 1; n <= this.#count; n++) {
			const list = kind === 'issue-comment' ? this.issueComments(n) : this.reviewComments(n);
			for (const comment of list) {
				pulls.push(n);
				indexes.push(comment.index);
				created.push(comment.created);
				updated.push(comment.updated);
			}
		}
		const index: CommentIndex = {
			pulls: Uint32Array.from(pulls),
			indexes: Uint16Array.from(indexes),
			created: Float64Array.from(created),
			updated: Float64Array.from(updated),
			byCreated: new Uint32Array(0),
			byUpdated: new Uint32Array(0)
		};
		const id = (i: number) => index.pulls[i]! * 100 + index.indexes[i]!;
		index.byCreated = sortedBy(index.created, id);
		index.byUpdated = sortedBy(index.updated, id);
		this.#caches.comments = { ...this.#caches.comments, [kind]: index };
		return index;
	}

	comment(kind: CommentKind, pull: number, index: number): CommentRecord | ReviewCommentRecord {
		const list = kind === 'issue-comment' ? this.issueComments(pull) : this.reviewComments(pull);
		return list[index]!;
	}

	counts(): RepoCounts {
		if (this.#caches.counts) return this.#caches.counts;
		const counts: RepoCounts = { pullRequests: this.#count, open: 0, closed: 0, merged: 0, drafts: 0, reviews: 0, reviewComments: 0, comments: 0 };
		for (let n = 1; n <= this.#count; n++) {
			const pull = this.facts(n);
			counts[pull.state]++;
			if (pull.draft) counts.drafts++;
			counts.reviews += pull.reviews;
			counts.reviewComments += pull.reviewComments;
			counts.comments += pull.comments;
		}
		this.#caches.counts = counts;
		return counts;
	}

	// Changes through the control API. Each returns the pull request as it now is.

	open(input: { title: string; body: string | null; author: number; headRef: string; headSha: string; baseSha: string; draft: boolean; commits: number }): PullFacts {
		const number = ++this.#count;
		const now = Date.now();
		const pull: PullFacts = {
			number,
			title: input.title,
			body: input.body,
			state: 'open',
			draft: input.draft,
			locked: false,
			author: input.author,
			mergedBy: null,
			created: now,
			updated: now,
			closed: null,
			merged: null,
			headRef: input.headRef,
			headSha: input.headSha,
			baseRef: 'main',
			baseSha: input.baseSha,
			mergeSha: null,
			commits: input.commits,
			additions: input.commits * 12,
			deletions: 0,
			changedFiles: input.commits,
			reviews: 0,
			reviewComments: 0,
			comments: 0
		};
		return this.#save(pull);
	}

	update(number: number, change: Partial<Pick<PullFacts, 'title' | 'body' | 'draft' | 'state' | 'headSha' | 'commits' | 'mergeSha' | 'mergedBy'>>): PullFacts {
		const before = this.facts(number);
		const now = Date.now();
		const pull: PullFacts = { ...before, ...change, updated: now };
		if (change.state && change.state !== before.state) {
			pull.closed = change.state === 'open' ? null : now;
			pull.merged = change.state === 'merged' ? now : null;
			if (change.state !== 'open') pull.draft = false;
		}
		return this.#save(pull);
	}

	addReview(number: number, review: { user: number; state: ReviewState; body: string }): ReviewRecord {
		const pull = this.facts(number);
		const extras = this.#extraReviews.get(number) ?? [];
		const record: ReviewRecord = {
			id: this.#id(KIND.review, number, 50 + extras.length),
			pull: number,
			user: review.user,
			state: review.state,
			body: review.body,
			submitted: Date.now(),
			commitId: pull.headSha
		};
		this.#extraReviews.set(number, [...extras, record]);
		this.#save({ ...pull, reviews: pull.reviews + 1, updated: record.submitted });
		return record;
	}

	/** A conversation comment (a GitLab note through GitLab's control API). */
	addComment(number: number, comment: { user: number; body: string }): CommentRecord {
		const pull = this.facts(number);
		const extras = this.#extraComments.get(number) ?? [];
		const now = Date.now();
		const record: CommentRecord = {
			id: this.#id(KIND['issue-comment'], number, 50 + extras.length),
			pull: number,
			index: this.#generatedIssueComments(number).length + extras.length,
			user: comment.user,
			body: comment.body,
			created: now,
			updated: now
		};
		this.#extraComments.set(number, [...extras, record]);
		this.#save({ ...pull, comments: pull.comments + 1, updated: now });
		// The repository-wide list of conversation comments has one more.
		this.#caches = { comments: { ...this.#caches.comments, 'issue-comment': undefined } };
		return record;
	}

	#save(pull: PullFacts): PullFacts {
		this.#changed.set(pull.number, pull);
		this.#caches = { comments: this.#caches.comments };
		return pull;
	}
}
