// Bitbucket Cloud pull requests of one repository, incrementally: those updated since the mark,
// oldest change first (`q=updated_on >= "…"`, `sort=updated_on`, every state: the list shows only
// open ones unless asked), each page started again from the mark as GitLab's are
// (shared/update-mark.ts). For each pull request, its comments (inline ones are review comments)
// and its activity (approvals and change requests, with their time; merges and declines, with
// theirs). Every page is stored with the cursor it brings the repository to.
import type { OpenApi } from '@coderabbitai/bitbucket/cloud';
import type { PullRequestActivityRecord, PullRequestRecord, PullRequestRun, ProviderContext } from '../provider.ts';
import { describeBitbucketError } from '../bitbucket/errors.ts';
import { lanesFor } from '../shared/lanes.ts';
import { ingestPullRequestsWith } from '../shared/ingest-run.ts';
import type { Updated } from '../shared/update-mark.ts';
import { readByUpdateTime, type UpdateTimeCursor } from '../shared/update-time-reader.ts';
import { allPages, type CloudPage } from './pages.ts';
import { openCloudSession, type BitbucketCloudCredentials, type BitbucketCloudSession } from './session.ts';

type PullRequest = OpenApi.components['schemas']['pullrequest'];
type Account = OpenApi.components['schemas']['account'];

/** A comment as read here (the client's type leaves its fields untyped). */
interface Comment {
	id?: number;
	deleted?: boolean;
	inline?: { path?: string } | null;
	user?: Account | null;
	created_on?: string;
	updated_on?: string | null;
}

/** One entry of a pull request's activity: one of these keys is set. */
interface Activity {
	approval?: { date?: string; user?: Account };
	changes_request?: { date?: string; user?: Account };
	update?: { date?: string; state?: string; author?: Account };
}

const perPage = 50;
const states = ['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED'];

export type BitbucketCloudPullRequestCursor = UpdateTimeCursor<1>;

function readCursor(stored: Record<string, unknown> | null): BitbucketCloudPullRequestCursor {
	if (stored && stored.version === 1 && 'mark' in stored) return stored as unknown as BitbucketCloudPullRequestCursor;
	return { version: 1, mark: null };
}

const who = (account: Account | undefined | null): string | null => {
	if (!account) return null;
	const name = account.nickname ?? account.display_name ?? account.uuid;
	return typeof name === 'string' ? name : null;
};
const updated = (pr: PullRequest): Updated => ({ id: pr.id ?? 0, updatedAt: pr.updated_on ?? '1970-01-01T00:00:00Z' });
const date = (iso: string | undefined | null) => (iso ? new Date(iso) : null);

/** Approvals and change requests as reviews; their provider id is who and when (Bitbucket gives them none). */
export function reviewsOf(pr: number, activity: readonly Activity[]): PullRequestActivityRecord[] {
	const reviews: PullRequestActivityRecord[] = [];
	for (const entry of activity) {
		const decision = entry.approval ? { state: 'approved', ...entry.approval } : entry.changes_request ? { state: 'changes_requested', ...entry.changes_request } : null;
		if (!decision?.date) continue;
		const author = who(decision.user);
		reviews.push({
			providerId: `${decision.state}:${decision.user?.uuid ?? author ?? 'unknown'}:${decision.date}`,
			pullRequestProviderId: String(pr),
			author,
			state: decision.state,
			createdAt: new Date(decision.date),
			updatedAt: null
		});
	}
	return reviews;
}

/** Comments: inline ones (on a file) are review comments; deleted ones are left out. */
export function commentsOf(pr: number, comments: readonly Comment[]): { reviewComments: PullRequestActivityRecord[]; comments: PullRequestActivityRecord[] } {
	const reviewComments: PullRequestActivityRecord[] = [];
	const conversation: PullRequestActivityRecord[] = [];
	for (const comment of comments) {
		if (comment.deleted || comment.id === undefined || !comment.created_on) continue;
		const record: PullRequestActivityRecord = {
			providerId: String(comment.id),
			pullRequestProviderId: String(pr),
			author: who(comment.user),
			state: null,
			createdAt: new Date(comment.created_on),
			updatedAt: date(comment.updated_on)
		};
		(comment.inline ? reviewComments : conversation).push(record);
	}
	return { reviewComments, comments: conversation };
}

export function toPullRequestRecord(pr: PullRequest, activity: readonly Activity[], comments: readonly Comment[]): PullRequestRecord {
	const author = who(pr.author);
	const state = pr.state === 'MERGED' ? 'merged' : pr.state === 'OPEN' ? 'open' : 'closed';
	// When it was merged or declined: the activity's state change, else its last update.
	const ended = activity.find((entry) => entry.update?.state === pr.state && pr.state !== 'OPEN')?.update?.date ?? pr.updated_on;
	const reviewed = [
		...reviewsOf(pr.id ?? 0, activity).filter((review) => review.author !== author).map((review) => review.createdAt.getTime()),
		...comments.filter((c) => c.inline && !c.deleted && who(c.user) !== author && c.created_on).map((c) => Date.parse(c.created_on!))
	];
	return {
		providerId: String(pr.id),
		number: pr.id ?? 0,
		title: pr.title ?? '',
		state,
		draft: pr.draft === true,
		author,
		url: pr.links?.html?.href ?? '',
		baseRef: pr.destination?.branch?.name ?? '',
		headRef: pr.source?.branch?.name ?? '',
		// Bitbucket gives commits by their short hash here.
		headSha: pr.source?.commit?.hash ?? null,
		mergeCommitSha: pr.merge_commit?.hash ?? null,
		additions: null,
		deletions: null,
		createdAt: new Date(pr.created_on ?? 0),
		updatedAt: new Date(pr.updated_on ?? 0),
		firstReviewAt: reviewed.length > 0 ? new Date(Math.min(...reviewed)) : null,
		mergedAt: state === 'merged' ? date(ended) : null,
		closedAt: state !== 'open' ? date(ended) : null
	};
}

/** The repository's workspace and slug, from its stored name (`workspace/slug`). */
function pathOf(run: PullRequestRun): { workspace: string; repo_slug: string } {
	const [workspace, slug, ...rest] = run.repo.name.split('/');
	if (!workspace || !slug || rest.length > 0) throw new Error(`${run.repo.name} is not a Bitbucket Cloud repository name (workspace/slug): refresh the integration.`);
	return { workspace, repo_slug: slug };
}

export function ingestCloudPullRequests(context: ProviderContext<BitbucketCloudCredentials>, run: PullRequestRun): Promise<void> {
	return ingestPullRequestsWith(
		context,
		run,
		'This integration has no credentials: edit it and enter an API token.',
		(options) => openCloudSession(context.credentials!, context.settings, options),
		(session, heartbeat) => ingestWithSession(session, run, heartbeat),
		(error, session) => describeBitbucketError(error, session.errors)
	);
}

/** The ingest itself, with a session already open (the benchmark and tests reach it with their own). */
export function ingestWithSession(session: BitbucketCloudSession, run: PullRequestRun, heartbeat: () => void = () => {}): Promise<void> {
	const { api } = session;
	const path = pathOf(run);
	return readByUpdateTime(run, readCursor(run.cursor), () => lanesFor(session.quota(), run.concurrency), {
		perPage,
		async page(since, page) {
			const query = { state: states, sort: 'updated_on', pagelen: perPage, page, ...(since ? { q: `updated_on >= "${since.updatedAt}"` } : {}) };
			const { data } = await api.GET('/repositories/{workspace}/{repo_slug}/pullrequests', { params: { path, query: query as never } });
			const list = (data ?? {}) as CloudPage<PullRequest> & { size?: number };
			return { items: (list.values ?? []).filter((pr) => pr.id !== undefined), more: Boolean(list.next), total: typeof list.size === 'number' ? list.size : null };
		},
		updated,
		async details(pr) {
			const at = { ...path, pull_request_id: pr.id! };
			const [activity, comments] = await Promise.all([
				allPages((page) => api.GET('/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/activity', { params: { path: at, query: { page, pagelen: 50 } as never } }).then((a) => a.data as CloudPage<Activity> | undefined)),
				allPages((page) => api.GET('/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments', { params: { path: at, query: { page, pagelen: 100 } as never } }).then((a) => a.data as CloudPage<Comment> | undefined))
			]);
			return { pr, activity, comments };
		},
		rows(details) {
			const comments = details.map(({ pr, comments: list }) => commentsOf(pr.id!, list));
			return {
				pullRequests: details.map(({ pr, activity, comments: list }) => toPullRequestRecord(pr, activity, list)),
				reviews: details.flatMap(({ pr, activity }) => reviewsOf(pr.id!, activity)),
				reviewComments: comments.flatMap((c) => c.reviewComments),
				comments: comments.flatMap((c) => c.comments)
			};
		}
	}, heartbeat);
}
