// Azure DevOps pull requests of one repository, incrementally.
//
// Azure lists pull requests newest created first (or, asked for a time range on their closing,
// newest closed first) and cannot filter or sort by update time: a pull request has no "updated"
// date at all, and a new comment or vote changes nothing in the list's answer. So a pass reads:
//
// 1. Closed since the mark: `searchCriteria.status=all`, `queryTimeRangeType=closed`,
//    `minTime=<mark>` — every pull request completed or abandoned since the newest closing the
//    last pass stored (the mark: that instant and which pull requests closed at it, which are left
//    out; on the first pass, every closed pull request). One stored as open that has since been
//    merged or abandoned is among them. The newest closing seen becomes the next mark, when the
//    pass ends.
// 2. Every active pull request (`status=active`), each time: an open pull request is the one thing
//    that can change without telling (comments, votes, pushes, title, draft), and the only way to
//    know is to read it and its threads again. Records are built only from what Azure says
//    (updatedAt is the latest of its creation, closing and threads' updates), so reading an
//    unchanged pull request again writes nothing: the store changes rows only when a value differs.
//    A pull request reactivated after being abandoned is active again, and read here.
//
// Both lists are paged by time, not by offset: each page after the first asks for those at or
// before the oldest instant read (`maxTime`, 1 ms on, since Azure keeps ten-millionths of a second
// and we keep milliseconds) and leaves out the ones already read at that instant. A list that shifts
// while it is read (a pull request created, closed or reopened meanwhile) then skips nothing: what
// moves, moves above the window, and the next pass finds it (its closing is past the mark, or it is
// active). Every page is stored with the cursor it brings the repository to (the phase, the
// position in it, the mark to leave), so a killed, retried or rate-limited run carries on there.
//
// Not seen: a comment added to a pull request after it was closed (Azure does not list closed pull
// requests by activity); its next closing, reactivation or a full re-ingest brings it.
//
// Threads: a thread on a file (with a threadContext) holds review comments, one record per comment
// that is neither deleted nor a system comment; a text thread without one holds conversation
// comments; system threads (CodeReviewThreadType: votes, status and reviewer changes, pushes) are
// not comments. Reviewers' votes are reviews, one per reviewer (`vote:<pull request>:<reviewer id>`,
// the vote Azure holds now): 10 (approved) and 5 (approved with suggestions) are 'approved';
// -10 (rejected) and -5 (waiting for the author) are 'changes_requested' — both stop a completion
// and ask the author to act, which is what a change request is; 0 after an earlier vote (the
// reviewer reset it) is 'dismissed'; a reviewer who never voted is no review. Group (container)
// reviewers are left out: their vote is a member's, counted already. A review's time is that of
// the reviewer's latest VoteUpdate thread.
import type { PullRequestActivityRecord, PullRequestRecord, PullRequestRun, ProviderContext } from '../provider.ts';
import { inLanes, lanesFor } from '../shared/lanes.ts';
import { ingestPullRequestsWith } from '../shared/ingest-run.ts';
import { pageWriter } from '../shared/page-writer.ts';
import { advanceMark, isPast, type UpdateMark, type Updated } from '../shared/update-mark.ts';
import { describeAzureError, malformed } from './errors.ts';
import { openAzureSession, type AzureDevOpsCredentials, type AzureSession } from './session.ts';
import type { AzIdentity, AzList, AzPullRequest, AzReviewer, AzThread } from './types.ts';

const perPage = 100;

/** Where a newest-first list was read to: its oldest instant read (ISO, ms), and the pull requests read at it. */
export type ListPosition = { at: string; ids: number[] };
export type Phase = 'closed' | 'active';
/** A pass under way: which list, how far in it, how many stored, and the mark it will leave. */
export type Pass = { phase: Phase; before: ListPosition | null; done: number; newest: UpdateMark | null };
// Type aliases, not interfaces: the cursor is stored as JSON (a Record at the seam).
export type AzurePullRequestCursor = { version: 1; mark: UpdateMark | null; pass?: Pass };

/** Before any mark: every pull request closed since this (Azure DevOps did not exist before). */
const beginning = '2000-01-01T00:00:00.000Z';

export function readCursor(stored: Record<string, unknown> | null): AzurePullRequestCursor {
	if (stored && stored.version === 1 && 'mark' in stored) return stored as unknown as AzurePullRequestCursor;
	return { version: 1, mark: null };
}

const ms = (iso: string | undefined | null) => (iso ? Date.parse(iso) : Number.NaN);
const iso = (time: number) => new Date(time).toISOString();
const date = (text: string | undefined | null) => {
	const time = ms(text);
	return Number.isNaN(time) ? null : new Date(time);
};

/** The instant a pull request sits at in a phase's list: its closing, or its creation. */
export function instantOf(phase: Phase, pr: AzPullRequest): number {
	const at = ms(phase === 'closed' ? (pr.closedDate ?? pr.creationDate) : pr.creationDate);
	return Number.isNaN(at) ? 0 : at;
}

const closing = (pr: AzPullRequest): Updated => ({ id: pr.pullRequestId ?? 0, updatedAt: iso(instantOf('closed', pr)) });

/** The list's query for a page of a phase. */
export function pageQuery(phase: Phase, mark: UpdateMark | null, before: ListPosition | null): Record<string, string | number | undefined> {
	return {
		'searchCriteria.status': phase === 'closed' ? 'all' : 'active',
		...(phase === 'closed' ? { 'searchCriteria.queryTimeRangeType': 'closed', 'searchCriteria.minTime': mark?.updatedAt ?? beginning } : {}),
		// Inclusive, and Azure's instants are finer than ours: 1 ms on, the ones already read left out by id.
		...(before ? { 'searchCriteria.maxTime': iso(ms(before.at) + 1) } : {}),
		$top: perPage + (before?.ids.length ?? 0)
	};
}

/** Of a page, those not read yet: not at the position's instant among its ids; closed ones past the mark. */
export function freshOf(phase: Phase, page: readonly AzPullRequest[], before: ListPosition | null, mark: UpdateMark | null): AzPullRequest[] {
	return page.filter((pr) => {
		if (typeof pr.pullRequestId !== 'number') return false;
		const at = instantOf(phase, pr);
		if (before && at >= ms(before.at) && before.ids.includes(pr.pullRequestId)) return false;
		if (phase === 'closed') return pr.status !== 'active' && isPast(closing(pr), mark);
		return pr.status === 'active';
	});
}

/** The position after a page (newest first): its last instant, with every pull request read at it. */
export function positionAfter(phase: Phase, before: ListPosition | null, page: readonly AzPullRequest[]): ListPosition | null {
	const listed = page.filter((pr) => typeof pr.pullRequestId === 'number');
	const last = listed[listed.length - 1];
	if (!last) return before;
	const at = instantOf(phase, last);
	const ids = listed.filter((pr) => instantOf(phase, pr) === at).map((pr) => pr.pullRequestId!);
	const earlier = before && ms(before.at) === at ? before.ids : [];
	return { at: iso(at), ids: [...new Set([...earlier, ...ids])] };
}

/** The mark after a page of the closed list (newest first): moved to its newest closing, never back. */
export function markAfter(newest: UpdateMark | null, page: readonly AzPullRequest[]): UpdateMark | null {
	const closed = page.filter((pr) => typeof pr.pullRequestId === 'number' && pr.status !== 'active');
	return advanceMark(newest, [...closed].reverse().map(closing));
}

const who = (identity: AzIdentity | undefined | null): string | null => identity?.uniqueName ?? identity?.displayName ?? null;
const propertyOf = (thread: AzThread, name: string): unknown => thread.properties?.[name]?.$value;

/** A thread Azure wrote (a vote, a status or reviewer change, a push…), not a person. */
export function isSystemThread(thread: AzThread): boolean {
	if (propertyOf(thread, 'CodeReviewThreadType') !== undefined) return true;
	const comments = thread.comments ?? [];
	return comments.length > 0 && comments.every((comment) => comment.commentType === 'system');
}

/** A VoteUpdate thread's vote and voter's id. */
export function voteOf(thread: AzThread): { vote: number; voter: string | null; at: number } | null {
	if (propertyOf(thread, 'CodeReviewThreadType') !== 'VoteUpdate' || thread.isDeleted) return null;
	const vote = Number(propertyOf(thread, 'CodeReviewVoteResult'));
	if (!Number.isFinite(vote)) return null;
	const key = propertyOf(thread, 'CodeReviewVotedByIdentity');
	const voter = (typeof key === 'string' || typeof key === 'number' ? thread.identities?.[String(key)]?.id : undefined) ?? thread.comments?.[0]?.author?.id ?? null;
	const at = ms(thread.publishedDate);
	return { vote, voter, at: Number.isNaN(at) ? 0 : at };
}

/** Azure's vote as a review state; null: no review. `votedBefore`: a vote 0 is a reset one. */
export function reviewStateOf(vote: number, votedBefore: boolean): 'approved' | 'changes_requested' | 'dismissed' | null {
	if (vote > 0) return 'approved';
	if (vote < 0) return 'changes_requested';
	return votedBefore ? 'dismissed' : null;
}

/** Reviewers' votes as reviews, one per reviewer. */
export function reviewsOf(pr: AzPullRequest, reviewers: readonly AzReviewer[], threads: readonly AzThread[]): PullRequestActivityRecord[] {
	const votes = threads.map(voteOf).filter((v): v is NonNullable<typeof v> => v !== null);
	const created = date(pr.creationDate) ?? new Date(0);
	const reviews: PullRequestActivityRecord[] = [];
	for (const reviewer of reviewers) {
		if (!reviewer.id || reviewer.isContainer === true) continue;
		const theirs = votes.filter((v) => v.voter === reviewer.id);
		const state = reviewStateOf(typeof reviewer.vote === 'number' ? reviewer.vote : 0, theirs.some((v) => v.vote !== 0));
		if (!state) continue;
		const latest = theirs.reduce((at, v) => Math.max(at, v.at), 0);
		reviews.push({
			providerId: `vote:${pr.pullRequestId}:${reviewer.id}`,
			pullRequestProviderId: String(pr.pullRequestId),
			author: who(reviewer),
			state,
			createdAt: latest > 0 ? new Date(latest) : created,
			updatedAt: null
		});
	}
	return reviews;
}

/** Threads' comments: on a file, review comments; otherwise conversation comments. Deleted and system ones left out. */
export function commentsOf(pr: number, threads: readonly AzThread[]): { reviewComments: PullRequestActivityRecord[]; comments: PullRequestActivityRecord[] } {
	const reviewComments: PullRequestActivityRecord[] = [];
	const comments: PullRequestActivityRecord[] = [];
	for (const thread of threads) {
		if (thread.isDeleted || thread.id === undefined || isSystemThread(thread)) continue;
		const into = thread.threadContext ? reviewComments : comments;
		for (const comment of thread.comments ?? []) {
			if (comment.isDeleted || comment.commentType === 'system' || comment.id === undefined) continue;
			const published = date(comment.publishedDate);
			if (!published) continue;
			into.push({
				providerId: `${pr}:${thread.id}:${comment.id}`,
				pullRequestProviderId: String(pr),
				author: who(comment.author),
				state: null,
				createdAt: published,
				updatedAt: date(comment.lastContentUpdatedDate ?? comment.lastUpdatedDate)
			});
		}
	}
	return { reviewComments, comments };
}

const stateOf = (status: AzPullRequest['status']): PullRequestRecord['state'] => (status === 'completed' ? 'merged' : status === 'abandoned' ? 'closed' : 'open');
const branch = (ref: string | undefined) => (ref ?? '').replace(/^refs\/heads\//, '');

/** The pull request's web page: `{organization}/{project}/_git/{repository}/pullrequest/{id}`. */
export function webUrlOf(baseUrl: string, project: string, repository: string, id: number): string {
	return `${baseUrl}/${encodeURIComponent(project)}/_git/${encodeURIComponent(repository)}/pullrequest/${id}`;
}

export function toPullRequestRecord(pr: AzPullRequest, threads: readonly AzThread[], url: string): PullRequestRecord {
	const state = stateOf(pr.status);
	const created = date(pr.creationDate) ?? new Date(0);
	const closed = state === 'open' ? null : date(pr.closedDate);
	const live = threads.filter((thread) => !thread.isDeleted);
	const latest = Math.max(created.getTime(), closed?.getTime() ?? 0, ...live.map((thread) => ms(thread.lastUpdatedDate)).filter((t) => !Number.isNaN(t)));
	// The first thing a reviewer other than the author did: a vote, or a comment on a file.
	const author = pr.createdBy?.id;
	const reviewed = [
		...live
			.map(voteOf)
			.filter((v): v is NonNullable<typeof v> => v !== null && v.vote !== 0 && v.voter !== author && v.at > 0)
			.map((v) => v.at),
		...commentsOf(pr.pullRequestId ?? 0, live)
			.reviewComments.filter((c) => c.author !== who(pr.createdBy))
			.map((c) => c.createdAt.getTime())
	];
	return {
		providerId: String(pr.pullRequestId),
		number: pr.pullRequestId ?? 0,
		title: pr.title ?? '',
		state,
		draft: pr.isDraft === true,
		author: who(pr.createdBy),
		url,
		baseRef: branch(pr.targetRefName),
		headRef: branch(pr.sourceRefName),
		headSha: pr.lastMergeSourceCommit?.commitId ?? null,
		mergeCommitSha: state === 'merged' ? (pr.lastMergeCommit?.commitId ?? null) : null,
		additions: null,
		deletions: null,
		createdAt: created,
		updatedAt: new Date(latest),
		firstReviewAt: reviewed.length > 0 ? new Date(Math.min(...reviewed)) : null,
		mergedAt: state === 'merged' ? closed : null,
		closedAt: closed
	};
}

/** The repository's project and id, from its stored name (`Project/repository`) and provider id (its GUID). */
function targetOf(run: PullRequestRun): { project: string; repository: string; id: string } {
	const slash = run.repo.name.indexOf('/');
	const project = slash > 0 ? run.repo.name.slice(0, slash) : '';
	const repository = slash > 0 ? run.repo.name.slice(slash + 1) : '';
	if (!project || !repository || !run.repo.providerId) throw new Error(`${run.repo.name} is not an Azure DevOps repository name (Project/repository): refresh the integration.`);
	return { project, repository, id: run.repo.providerId };
}

export function ingestAzurePullRequests(context: ProviderContext<AzureDevOpsCredentials>, run: PullRequestRun): Promise<void> {
	return ingestPullRequestsWith(
		context,
		run,
		'This integration has no credentials: edit it and enter a personal access token.',
		(options) => openAzureSession({ ...context.integration, credentials: context.credentials! }, context.settings, options),
		(session, heartbeat) => ingestWithSession(session, run, heartbeat),
		(error, session) => describeAzureError(error, session.errors)
	);
}

/** The ingest itself, with a session already open (tests and the benchmark reach it with their own). */
export async function ingestWithSession(session: AzureSession, run: PullRequestRun, heartbeat: () => void = () => {}): Promise<void> {
	const target = targetOf(run);
	const repositoryPath = `/${encodeURIComponent(target.project)}/_apis/git/repositories/${encodeURIComponent(target.id)}`;
	const cursor = readCursor(run.cursor);
	const lanes = () => lanesFor(session.quota(), run.concurrency);
	let pass: Pass = cursor.pass ?? { phase: 'closed', before: null, done: 0, newest: cursor.mark };
	const writer = pageWriter(run);
	try {
		for (;;) {
			const query = pageQuery(pass.phase, cursor.mark, pass.before);
			const what = `the pull requests of ${run.repo.name}`;
			const { data } = await session.get<AzList<AzPullRequest>>(`${repositoryPath}/pullrequests`, query, what);
			heartbeat();
			if (!Array.isArray(data?.value)) throw malformed(session.errors, what);
			const page = data.value;
			const fresh = freshOf(pass.phase, page, pass.before, cursor.mark);
			const details = await inLanes(fresh, lanes, async (pr) => {
				const threadsWhat = `the threads of pull request ${pr.pullRequestId} in ${run.repo.name}`;
				const { data: threads } = await session.get<AzList<AzThread>>(`${repositoryPath}/pullRequests/${pr.pullRequestId}/threads`, {}, threadsWhat);
				if (!Array.isArray(threads?.value)) throw malformed(session.errors, threadsWhat);
				heartbeat();
				return { pr, threads: threads.value };
			});
			const newest = pass.phase === 'closed' ? markAfter(pass.newest, page) : pass.newest;
			// A full page may have more after it; past the mark (a server that ignored minTime) there is nothing new.
			const full = page.length >= Number(query.$top);
			const reachedMark = pass.phase === 'closed' && cursor.mark !== null && page.some((pr) => instantOf('closed', pr) < ms(cursor.mark!.updatedAt));
			const done = pass.done + fresh.length;
			let after: Pass | null = null;
			if (full && !reachedMark) after = { phase: pass.phase, before: positionAfter(pass.phase, pass.before, page), done, newest };
			else if (pass.phase === 'closed') after = { phase: 'active', before: null, done, newest };
			const stored: AzurePullRequestCursor = after ? { version: 1, mark: cursor.mark, pass: after } : { version: 1, mark: newest ?? cursor.mark };
			const comments = details.map(({ pr, threads }) => commentsOf(pr.pullRequestId!, threads));
			await writer.write(
				{
					pullRequests: details.map(({ pr, threads }) =>
						toPullRequestRecord(pr, threads, webUrlOf(session.baseUrl, pr.repository?.project?.name ?? target.project, pr.repository?.name ?? target.repository, pr.pullRequestId!))
					),
					reviews: details.flatMap(({ pr, threads }) => reviewsOf(pr, pr.reviewers ?? [], threads)),
					reviewComments: comments.flatMap((c) => c.reviewComments),
					comments: comments.flatMap((c) => c.comments),
					cursor: stored
				},
				done,
				done + (after ? perPage : 0)
			);
			if (!after) break;
			pass = after;
		}
	} finally {
		// Nothing of this run writes after it ended, whichever way it ended.
		await writer.finish().catch(() => {});
	}
	await writer.finish();
}
