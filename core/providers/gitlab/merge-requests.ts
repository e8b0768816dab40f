// GitLab merge requests of one project, incrementally: the list of those updated since the mark
// (the newest update stored last time), oldest change first; for each, its notes, which hold
// everything reviewers did: diff notes (review comments), other notes (comments), and the system
// notes "approved this merge request" / "requested changes" (approvals and change requests,
// with their time, which the approvals API does not give). A note added to a merge request
// updates the merge request, so its notes are read again whenever it changed.
//
// The position is an update time, not a page number: when a merge request changes while the pages
// are read it moves to the end of the list, and every one after it moves up a place, so paging on
// would skip one. After each page the next request starts again from the last update read
// (GitLab's updated_after includes it), leaving out those already stored at that instant. Every
// page is stored with the cursor it brings the project to, so a retried, killed or rate-limited
// run carries on from the last page stored.
import type { MergeRequestSchema } from '@gitbeaker/core';
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import type { PullRequestActivityRecord, PullRequestRecord, PullRequestRun, ProviderContext } from '../provider.ts';
import { lanesFor } from '../shared/lanes.ts';
import { ingestPullRequestsWith } from '../shared/ingest-run.ts';
import type { Updated } from '../shared/update-mark.ts';
import { readByUpdateTime, type UpdateTimeCursor } from '../shared/update-time-reader.ts';
import type { GitLabClient, GitLabCredentials } from './client.ts';
import { describeGitLabError } from './errors.ts';
import { openSession } from './session.ts';

const perPage = 100;

// Type aliases, not interfaces: the cursor is stored as JSON (a Record at the seam). Version 1
// named the mark's merge requests `iids`.
export type GitLabMergeRequestCursor = UpdateTimeCursor<2>;

function readCursor(stored: Record<string, unknown> | null): GitLabMergeRequestCursor {
	if (stored && stored.version === 2 && 'mark' in stored) return stored as unknown as GitLabMergeRequestCursor;
	const v1 = stored?.version === 1 ? (stored.mark as { updatedAt: string; iids: number[] } | null) : null;
	return { version: 2, mark: v1 ? { updatedAt: v1.updatedAt, ids: v1.iids } : null };
}

interface Note {
	id: number;
	type?: unknown;
	body: string;
	system: boolean;
	author?: { username?: string } | null;
	created_at: string;
	updated_at?: string | null;
}

const time = (iso: string) => Date.parse(iso);
const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);
const updated = (mr: MergeRequestSchema): Updated => ({ id: mr.iid, updatedAt: mr.updated_at });

/** A system note that records a review decision, and which. */
export function reviewDecision(note: Note): 'approved' | 'changes_requested' | 'unapproved' | null {
	if (!note.system) return null;
	const body = note.body.trim().toLowerCase();
	if (body === 'approved this merge request') return 'approved';
	if (body === 'unapproved this merge request') return 'unapproved';
	if (body === 'requested changes' || body.startsWith('requested changes')) return 'changes_requested';
	return null;
}

export function toMergeRequestRecord(mr: MergeRequestSchema, notes: readonly Note[]): PullRequestRecord {
	const author = mr.author?.username ?? null;
	// The first thing a reviewer did: an approval, a change request or a diff note by someone else.
	const reviewed = notes
		.filter((note) => (reviewDecision(note) === 'approved' || reviewDecision(note) === 'changes_requested' || note.type === 'DiffNote') && note.author?.username !== author)
		.map((note) => time(note.created_at));
	const draft = mr.draft ?? (mr as { work_in_progress?: boolean }).work_in_progress ?? false;
	return {
		providerId: String(mr.iid),
		number: mr.iid,
		title: mr.title,
		state: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
		draft,
		author,
		url: mr.web_url,
		baseRef: mr.target_branch,
		headRef: mr.source_branch,
		headSha: mr.sha ?? null,
		mergeCommitSha: mr.merge_commit_sha ?? mr.squash_commit_sha ?? null,
		// The list does not carry line counts; a diff stats request per merge request would double the cost.
		additions: null,
		deletions: null,
		createdAt: new Date(mr.created_at),
		updatedAt: new Date(mr.updated_at),
		firstReviewAt: reviewed.length > 0 ? new Date(Math.min(...reviewed)) : null,
		mergedAt: date(mr.merged_at),
		closedAt: date(mr.closed_at)
	};
}

/** A merge request's notes as the seam's reviews, review comments and comments. */
export function activityOf(iid: number, notes: readonly Note[]): { reviews: PullRequestActivityRecord[]; reviewComments: PullRequestActivityRecord[]; comments: PullRequestActivityRecord[] } {
	const record = (note: Note, state: string | null): PullRequestActivityRecord => ({
		providerId: String(note.id),
		pullRequestProviderId: String(iid),
		author: note.author?.username ?? null,
		state,
		createdAt: new Date(note.created_at),
		updatedAt: date(note.updated_at)
	});
	const reviews: PullRequestActivityRecord[] = [];
	const reviewComments: PullRequestActivityRecord[] = [];
	const comments: PullRequestActivityRecord[] = [];
	for (const note of notes) {
		const decision = reviewDecision(note);
		if (decision === 'approved' || decision === 'changes_requested') reviews.push(record(note, decision));
		else if (note.system) continue;
		else if (note.type === 'DiffNote') reviewComments.push(record(note, null));
		else comments.push(record(note, null));
	}
	return { reviews, reviewComments, comments };
}

/** The project's id from its stored provider id (GitLab's numeric project id). */
function projectIdOf(run: PullRequestRun): number {
	const id = Number(run.repo.providerId);
	if (!Number.isInteger(id) || id <= 0) throw new Error(`${run.repo.name} has no GitLab project id (${run.repo.providerId}): refresh the integration.`);
	return id;
}

/** The seam's `pullRequests` for GitLab: the integration's session, its quota heard by the run, failures put in words. */
export function ingestGitLabMergeRequests(kind: ProviderKind, context: ProviderContext<GitLabCredentials>, run: PullRequestRun): Promise<void> {
	return ingestPullRequestsWith(
		context,
		run,
		'This integration has no credentials: edit it and enter a token.',
		(options) => openSession({ kind, ...context.integration, credentials: context.credentials! }, context.settings, options),
		(session, heartbeat) => ingestWithClient(session.client, run, heartbeat),
		(error, session) => describeGitLabError(error, session.errors)
	);
}

/** The ingest itself, with a client already made (the benchmark and tests reach it with their own). */
export function ingestWithClient(client: GitLabClient, run: PullRequestRun, heartbeat: () => void = () => {}): Promise<void> {
	const { api } = client;
	const projectId = projectIdOf(run);
	return readByUpdateTime(run, readCursor(run.cursor), () => lanesFor(client.quota(), run.concurrency), {
		perPage,
		async page(since, page) {
			const { data, paginationInfo } = await api.MergeRequests.all({ projectId, orderBy: 'updated_at', sort: 'asc', perPage, page, showExpanded: true, ...(since ? { updatedAfter: since.updatedAt } : {}) });
			return { items: data, more: paginationInfo.next !== null || data.length === perPage, total: paginationInfo.total };
		},
		updated,
		details: async (mr) => ({ mr, notes: (await api.MergeRequestNotes.all(projectId, mr.iid, { sort: 'asc', orderBy: 'created_at', perPage })) as unknown as Note[] }),
		rows(details) {
			const activity = details.map(({ mr, notes }) => activityOf(mr.iid, notes));
			return {
				pullRequests: details.map(({ mr, notes }) => toMergeRequestRecord(mr, notes)),
				reviews: activity.flatMap((a) => a.reviews),
				reviewComments: activity.flatMap((a) => a.reviewComments),
				comments: activity.flatMap((a) => a.comments)
			};
		}
	}, heartbeat);
}
