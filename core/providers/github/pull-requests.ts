// GitHub pull requests of one repository, incrementally: the list sorted by last update, newest
// first, read until the cursor (the newest update stored last time); for each new or changed one
// its details (additions and deletions are not in the list) and its reviews; then the
// repository's review comments and conversation comments changed since their own cursors. Every
// page is stored with the cursor it brings the repository to, so a retried, killed or
// rate-limited run carries on from the last page stored instead of starting over.
import type { Octokit } from 'octokit';
import type { PullRequestActivityRecord, PullRequestRecord, PullRequestRun, ProviderContext } from '../provider.ts';
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import { RateLimitedError, type GitHubClient, type GitHubCredentials } from './client.ts';
import { describeGitHubError } from './errors.ts';
import { openSession } from './session.ts';
import { inLanes, lanesFor } from '../shared/lanes.ts';

// GitHub's shapes as the client types them (its own copy of @octokit/openapi-types).
type Data<F extends (...args: never[]) => Promise<{ data: unknown }>> = Awaited<ReturnType<F>>['data'];
type Rest = Octokit['rest'];
type PullSimple = Data<Rest['pulls']['list']>[number];
type Pull = Data<Rest['pulls']['get']>;
type Review = Data<Rest['pulls']['listReviews']>[number];
type ReviewComment = Data<Rest['pulls']['listReviewCommentsForRepo']>[number];
type IssueComment = Data<Rest['issues']['listCommentsForRepo']>[number];

const perPage = 100;
/** A clock difference with GitHub's we allow for (conversation comments' cursor stays behind it). */
const clockSkewMs = 5 * 60_000;

/** Where the list of pull requests stood: the newest update stored, and the numbers updated at that instant. */
type Mark = {
	updatedAt: string;
	numbers: number[];
};

type Phase = 'pulls' | 'review-comments' | 'comments';

/** A run under way: which list it reads and where. */
type Pass = {
	phase: Phase;
	/** Pulls: the next page of the list. Comments: the page after `since` (when a page's items all share one update time). */
	page: number;
	/** Where the list of pull requests will stand once the pass is over (its newest item when the pass began). */
	next: Mark | null;
	/** Comments: the update time reached. */
	since: string | null;
	startedAt: string;
	done: number;
	total: number;
};

// Type aliases, not interfaces: the cursor is stored as JSON (a Record at the seam).
export type GitHubPullRequestCursor = {
	version: 1;
	pulls: Mark | null;
	reviewCommentsSince: string | null;
	commentsSince: string | null;
	pass?: Pass;
};

function readCursor(stored: Record<string, unknown> | null): GitHubPullRequestCursor {
	if (stored && stored.version === 1) return stored as unknown as GitHubPullRequestCursor;
	return { version: 1, pulls: null, reviewCommentsSince: null, commentsSince: null };
}

/** owner/name from the repository's address (`https://host/owner/name.git`). */
export function ownerAndName(url: string): { owner: string; repo: string } {
	const parts = new URL(url).pathname.replace(/\.git$/, '').split('/').filter(Boolean);
	if (parts.length < 2) throw new Error(`${url} does not name a GitHub repository (owner/name).`);
	return { owner: decodeURIComponent(parts[parts.length - 2]!), repo: decodeURIComponent(parts[parts.length - 1]!) };
}

const numberOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** Newer than the mark: updated later, or at the same instant and not stored then. */
const isNewer = (pull: PullSimple, mark: Mark | null) =>
	!mark || pull.updated_at > mark.updatedAt || (pull.updated_at === mark.updatedAt && !mark.numbers.includes(pull.number));

const hasNext = (link: string | undefined) => /rel="next"/.test(link ?? '');
const lastPage = (link: string | undefined) => Number(/[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link ?? '')?.[1] ?? 0);

export function toPullRequestRecord(pull: Pull, reviews: Review[]): PullRequestRecord {
	const submitted = reviews.map((r) => r.submitted_at).filter((t): t is string => Boolean(t));
	return {
		providerId: String(pull.number),
		number: pull.number,
		title: pull.title,
		state: pull.merged_at ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
		draft: pull.draft ?? false,
		author: pull.user?.login ?? null,
		url: pull.html_url,
		baseRef: pull.base.ref,
		headRef: pull.head.ref,
		headSha: pull.head.sha ?? null,
		mergeCommitSha: pull.merge_commit_sha ?? null,
		additions: pull.additions ?? null,
		deletions: pull.deletions ?? null,
		createdAt: new Date(pull.created_at),
		updatedAt: new Date(pull.updated_at),
		firstReviewAt: submitted.length > 0 ? new Date(submitted.reduce((a, b) => (a < b ? a : b))) : null,
		mergedAt: date(pull.merged_at),
		closedAt: date(pull.closed_at)
	};
}

const reviewRecord = (number: number, r: Review): PullRequestActivityRecord => ({
	providerId: String(r.id),
	pullRequestProviderId: String(number),
	author: r.user?.login ?? null,
	state: r.state.toLowerCase(),
	createdAt: new Date(r.submitted_at!),
	updatedAt: null
});

const commentRecord = (c: ReviewComment | IssueComment, pullUrl: string): PullRequestActivityRecord => ({
	providerId: String(c.id),
	pullRequestProviderId: numberOf(pullUrl),
	author: c.user?.login ?? null,
	state: null,
	createdAt: new Date(c.created_at),
	updatedAt: date(c.updated_at)
});

/**
 * The seam's `pullRequests` for GitHub: the integration's session (its server, CA and
 * credentials), the quota reported to the run after every answer, failures put in words.
 */
export async function ingestGitHubPullRequests(kind: ProviderKind, context: ProviderContext<GitHubCredentials>, run: PullRequestRun): Promise<void> {
	if (!context.credentials) throw new Error('This integration has no credentials: edit it and enter a token or a GitHub App.');
	const session = openSession({ kind, ...context.integration, credentials: context.credentials }, context.settings, { signal: context.signal });
	session.client.octokit.hook.after('request', () => {
		const quota = session.client.quota();
		if (quota) run.quota(quota);
	});
	try {
		await ingestWithClient(session.client, run, context.heartbeat);
	} catch (error) {
		if (error instanceof RateLimitedError || context.signal.aborted) throw error;
		throw describeGitHubError(error, session.errors);
	}
}

/** The ingest itself, with a client already made (the benchmark and tests reach it with their own). */
export async function ingestWithClient(client: GitHubClient, run: PullRequestRun, heartbeat: () => void = () => {}): Promise<void> {
	const { octokit } = client;
	const { owner, repo } = ownerAndName(run.repo.url);
	const cursor = readCursor(run.cursor);
	const lanes = () => lanesFor(client.quota(), run.concurrency);
	let pass: Pass = cursor.pass ?? { phase: 'pulls', page: 1, next: null, since: null, startedAt: new Date().toISOString(), done: 0, total: 0 };
	const withPass = (p: Pass): GitHubPullRequestCursor => ({ ...cursor, pass: p });
	// Each page is stored while the next one is fetched: one write at a time (each with the cursor
	// it reaches) beside the requests, never more than one page waiting, so memory stays flat.
	let writing: Promise<void> = Promise.resolve();
	let writeFailure: { error: unknown } | undefined;
	const written = async () => {
		await writing;
		if (writeFailure) throw writeFailure.error;
	};
	const write = async (batch: Parameters<PullRequestRun['store']>[0], then: () => Promise<void> = async () => {}) => {
		await written();
		writing = (async () => {
			try {
				await run.store(batch);
				await then();
			} catch (error) {
				writeFailure = { error };
			}
		})();
	};
	let pullRequestsStored = false;
	try {
		await readPages();
	} finally {
		// Nothing of this run writes after it ended, whichever way it ended.
		await writing;
	}
	await written();

	async function readPages(): Promise<void> {
		while (pass.phase === 'pulls') {
			const response = await octokit.rest.pulls.list({ owner, repo, state: 'all', sort: 'updated', direction: 'desc', per_page: perPage, page: pass.page });
			heartbeat();
			const fresh = response.data.filter((p) => isNewer(p, cursor.pulls));
			const reachedCursor = fresh.length < response.data.length;
			const more = hasNext(response.headers.link) && !reachedCursor;
			let next = pass.next;
			if (pass.page === 1 && next === null) {
				const newest = response.data[0];
				next = newest ? { updatedAt: newest.updated_at, numbers: response.data.filter((p) => p.updated_at === newest.updated_at).map((p) => p.number) } : cursor.pulls;
			}
			const details = await inLanes(fresh, lanes, async (item) => {
				const [pull, reviews] = await Promise.all([
					octokit.rest.pulls.get({ owner, repo, pull_number: item.number }).then((r) => r.data),
					octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: item.number, per_page: perPage })
				]);
				heartbeat();
				return { pull, reviews };
			});
			const done = pass.done + fresh.length;
			// A first run knows the size from the last page's number; later ones learn it as they go.
			const estimate = cursor.pulls === null && lastPage(response.headers.link) > 0 ? lastPage(response.headers.link) * perPage : done + (more ? perPage : 0);
			const total = more ? Math.max(estimate, done + 1) : done;
			const after: Pass = more
				? { ...pass, page: pass.page + 1, next, done, total }
				: { phase: 'review-comments', page: 1, next, since: cursor.reviewCommentsSince, startedAt: pass.startedAt, done, total };
			await write(
				{
					pullRequests: details.map(({ pull, reviews }) => toPullRequestRecord(pull, reviews)),
					reviews: details.flatMap(({ pull, reviews }) => reviews.filter((r) => r.submitted_at).map((r) => reviewRecord(pull.number, r))),
					cursor: withPass(after)
				},
				() => run.progress(done, total)
			);
			pass = after;
		}

		// Comments of the whole repository changed since the cursor, oldest change first. The position
		// is kept as an update time (GitHub's `since`), so an edit that moves a comment to the end
		// while the pages are read cannot make another one slip past.
		while (pass.phase !== 'pulls') {
			const reviewComments = pass.phase === 'review-comments';
			const query = { owner, repo, sort: 'updated' as const, direction: 'asc' as const, per_page: perPage, page: pass.page, ...(pass.since ? { since: pass.since } : {}) };
			const response = reviewComments ? await octokit.rest.pulls.listReviewCommentsForRepo(query) : await octokit.rest.issues.listCommentsForRepo(query);
			heartbeat();
			const items: Array<ReviewComment | IssueComment> = response.data;
			let records: PullRequestActivityRecord[];
			if (reviewComments) {
				records = (response.data as ReviewComment[]).map((c) => commentRecord(c, c.pull_request_url));
			} else {
				// Issues and pull requests share numbers: keep the comments of pull requests (all stored
				// once the pages before are: the first page of comments waits for them).
				if (!pullRequestsStored) {
					await written();
					pullRequestsStored = true;
				}
				const all = (response.data as IssueComment[]).map((c) => commentRecord(c, c.issue_url));
				const known = await run.existing([...new Set(all.map((c) => c.pullRequestProviderId))]);
				records = all.filter((c) => known.has(c.pullRequestProviderId));
			}
			const last = items[items.length - 1]?.updated_at ?? null;
			let after: Pass;
			let finished: Partial<GitHubPullRequestCursor> = {};
			if (hasNext(response.headers.link)) {
				// Move the position to the last update read; if the whole page shares one time, page on.
				after = last && last !== pass.since ? { ...pass, since: last, page: 1 } : { ...pass, page: pass.page + 1 };
			} else if (reviewComments) {
				after = { ...pass, phase: 'comments', page: 1, since: cursor.commentsSince };
				finished = { reviewCommentsSince: last ?? pass.since };
			} else {
				after = pass;
				// A comment on a pull request opened after the list was read is kept out above; the
				// cursor stays behind the pass's start so the next run reads it again.
				const reached = last ?? pass.since;
				const behind = new Date(Date.parse(pass.startedAt) - clockSkewMs).toISOString();
				finished = { commentsSince: reached && reached < behind ? reached : reached ? behind : null };
			}
			const done = !hasNext(response.headers.link) && !reviewComments;
			Object.assign(cursor, finished);
			const stored: GitHubPullRequestCursor = done ? { version: 1, pulls: pass.next, reviewCommentsSince: cursor.reviewCommentsSince, commentsSince: cursor.commentsSince } : withPass(after);
			await write({ [reviewComments ? 'reviewComments' : 'comments']: records, cursor: stored });
			if (done) return;
			pass = after;
		}
	}
}
