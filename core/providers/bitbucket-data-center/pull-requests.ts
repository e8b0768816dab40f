// Bitbucket Data Center pull requests of one repository, incrementally. Data Center cannot filter
// by update time but lists pull requests most recently updated first (`order=NEWEST`,
// `state=ALL`): a pass reads pages from the newest down to the mark (the newest update stored by
// the last pass) and stops there. Paging by offset on that order skips nothing: a pull request
// updated during the pass moves to the front, which only shifts pages already read (one may be
// read twice), and the next pass finds it. The mark moves only when a pass ends; a pass stopped
// (killed, rate limited) carries on from its stored offset. For each pull request, its activities:
// comments (with an anchor: review comments), approvals and "needs work" reviews.
import type { PullRequestActivityRecord, PullRequestRecord, PullRequestRun, ProviderContext } from '../provider.ts';
import { describeBitbucketError } from '../bitbucket/errors.ts';
import { inLanes, lanesFor } from '../shared/lanes.ts';
import { ingestPullRequestsWith } from '../shared/ingest-run.ts';
import { pageWriter } from '../shared/page-writer.ts';
import { advanceMark, isPast, type UpdateMark, type Updated } from '../shared/update-mark.ts';
import { allServerPages, type ServerPage } from './pages.ts';
import { openDataCenterSession, type BitbucketDataCenterCredentials, type DataCenterSession } from './session.ts';

interface ServerUser {
	name?: string;
	slug?: string;
	displayName?: string;
}

export interface ServerPullRequest {
	id: number;
	title?: string;
	state?: 'OPEN' | 'MERGED' | 'DECLINED';
	draft?: boolean;
	createdDate?: number;
	updatedDate?: number;
	closedDate?: number;
	fromRef?: { id?: string; displayId?: string; latestCommit?: string };
	toRef?: { id?: string; displayId?: string };
	author?: { user?: ServerUser };
	properties?: { mergeCommit?: { id?: string } };
	links?: { self?: ReadonlyArray<{ href?: string }> };
}

interface ServerComment {
	id?: number;
	author?: ServerUser;
	createdDate?: number;
	updatedDate?: number;
	comments?: ServerComment[];
}

export interface ServerActivity {
	id?: number;
	createdDate?: number;
	user?: ServerUser;
	action?: string;
	commentAction?: string;
	comment?: ServerComment;
	commentAnchor?: unknown;
}

const perPage = 100;

/** A pass under way: its offset in the newest-first list, how far it got, and the mark it will leave. */
type Pass = { start: number; done: number; newest: UpdateMark | null };
export type BitbucketDataCenterPullRequestCursor = { version: 1; mark: UpdateMark | null; pass?: Pass };

function readCursor(stored: Record<string, unknown> | null): BitbucketDataCenterPullRequestCursor {
	if (stored && stored.version === 1 && 'mark' in stored) return stored as unknown as BitbucketDataCenterPullRequestCursor;
	return { version: 1, mark: null };
}

const who = (user: ServerUser | undefined): string | null => user?.slug ?? user?.name ?? null;
const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();
const updated = (pr: ServerPullRequest): Updated => ({ id: pr.id, updatedAt: iso(pr.updatedDate) });

/** Activities as the seam's reviews, review comments and comments; replies count as comments too. */
export function activityOf(pr: number, activities: readonly ServerActivity[]) {
	const reviews: PullRequestActivityRecord[] = [];
	const reviewComments: PullRequestActivityRecord[] = [];
	const comments: PullRequestActivityRecord[] = [];
	const record = (id: number, user: ServerUser | undefined, state: string | null, created: number | undefined, updatedAt: number | undefined): PullRequestActivityRecord => ({
		providerId: String(id),
		pullRequestProviderId: String(pr),
		author: who(user),
		state,
		createdAt: new Date(created ?? 0),
		updatedAt: updatedAt !== undefined && updatedAt !== created ? new Date(updatedAt) : null
	});
	const addComment = (comment: ServerComment, anchored: boolean) => {
		if (comment.id === undefined) return;
		(anchored ? reviewComments : comments).push(record(comment.id, comment.author, null, comment.createdDate, comment.updatedDate));
		for (const reply of comment.comments ?? []) addComment(reply, anchored);
	};
	for (const activity of activities) {
		if (activity.id === undefined) continue;
		if (activity.action === 'APPROVED') reviews.push(record(activity.id, activity.user, 'approved', activity.createdDate, undefined));
		else if (activity.action === 'REVIEWED') reviews.push(record(activity.id, activity.user, 'changes_requested', activity.createdDate, undefined));
		else if (activity.action === 'COMMENTED' && activity.commentAction === 'ADDED' && activity.comment) addComment(activity.comment, Boolean(activity.commentAnchor));
	}
	return { reviews, reviewComments, comments };
}

export function toPullRequestRecord(pr: ServerPullRequest, baseUrl: string, key: string, slug: string, activity: ReturnType<typeof activityOf>): PullRequestRecord {
	const author = who(pr.author?.user);
	const state = pr.state === 'MERGED' ? 'merged' : pr.state === 'DECLINED' ? 'closed' : 'open';
	const reviewed = [...activity.reviews, ...activity.reviewComments].filter((a) => a.author !== author).map((a) => a.createdAt.getTime());
	const closed = pr.closedDate ? new Date(pr.closedDate) : null;
	return {
		providerId: String(pr.id),
		number: pr.id,
		title: pr.title ?? '',
		state,
		draft: pr.draft === true,
		author,
		url: pr.links?.self?.[0]?.href ?? `${baseUrl}/projects/${encodeURIComponent(key)}/repos/${encodeURIComponent(slug)}/pull-requests/${pr.id}`,
		baseRef: pr.toRef?.displayId ?? pr.toRef?.id ?? '',
		headRef: pr.fromRef?.displayId ?? pr.fromRef?.id ?? '',
		headSha: pr.fromRef?.latestCommit ?? null,
		mergeCommitSha: pr.properties?.mergeCommit?.id ?? null,
		additions: null,
		deletions: null,
		createdAt: new Date(pr.createdDate ?? 0),
		updatedAt: new Date(pr.updatedDate ?? 0),
		firstReviewAt: reviewed.length > 0 ? new Date(Math.min(...reviewed)) : null,
		mergedAt: state === 'merged' ? closed : null,
		closedAt: state !== 'open' ? closed : null
	};
}

function pathOf(run: PullRequestRun): { projectKey: string; repositorySlug: string } {
	const [projectKey, repositorySlug, ...rest] = run.repo.name.split('/');
	if (!projectKey || !repositorySlug || rest.length > 0) throw new Error(`${run.repo.name} is not a Bitbucket repository name (PROJECT/slug): refresh the integration.`);
	return { projectKey, repositorySlug };
}

export function ingestDataCenterPullRequests(context: ProviderContext<BitbucketDataCenterCredentials>, run: PullRequestRun): Promise<void> {
	return ingestPullRequestsWith(
		context,
		run,
		'This integration has no credentials: edit it and enter a token.',
		(options) => openDataCenterSession({ ...context.integration, credentials: context.credentials! }, context.settings, options),
		(session, heartbeat) => ingestWithSession(session, run, heartbeat),
		(error, session) => describeBitbucketError(error, session.errors)
	);
}

export async function ingestWithSession(session: DataCenterSession, run: PullRequestRun, heartbeat: () => void = () => {}): Promise<void> {
	const { api } = session;
	const path = pathOf(run);
	const cursor = readCursor(run.cursor);
	const lanes = () => lanesFor(session.quota(), run.concurrency);
	let pass: Pass = cursor.pass ?? { start: 0, done: 0, newest: null };
	const writer = pageWriter(run);
	try {
		for (;;) {
			const { data } = await api.GET('/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests', {
				params: { path, query: { state: 'ALL', order: 'NEWEST', start: pass.start, limit: perPage } as never }
			});
			heartbeat();
			const page = (data ?? {}) as ServerPage<ServerPullRequest>;
			const values = [...(page.values ?? [])];
			const fresh = values.filter((pr) => isPast(updated(pr), cursor.mark));
			const details = await inLanes(fresh, lanes, async (pr) => {
				const activities = await allServerPages((start) =>
					api
						.GET('/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests/{pullRequestId}/activities', { params: { path: { ...path, pullRequestId: String(pr.id) }, query: { start, limit: 500 } as never } })
						.then((a) => a.data as ServerPage<ServerActivity> | undefined)
				);
				heartbeat();
				return { pr, activity: activityOf(pr.id, activities) };
			});
			// The pass leaves the newest update it saw as the next mark (the list's first page holds it).
			const newest = advanceMark(pass.newest, [...values].reverse().map(updated));
			// Past the mark (older than it) there is nothing new: the pass ends there.
			const reachedMark = fresh.length < values.length;
			const more = !reachedMark && page.isLastPage === false && typeof page.nextPageStart === 'number';
			const done = pass.done + fresh.length;
			const total = done + (more ? perPage : 0);
			const after: Pass = { start: more ? page.nextPageStart! : 0, done, newest };
			const stored: BitbucketDataCenterPullRequestCursor = more ? { version: 1, mark: cursor.mark, pass: after } : { version: 1, mark: newest ?? cursor.mark };
			await writer.write(
				{
					pullRequests: details.map(({ pr, activity }) => toPullRequestRecord(pr, session.baseUrl, path.projectKey, path.repositorySlug, activity)),
					reviews: details.flatMap(({ activity }) => activity.reviews),
					reviewComments: details.flatMap(({ activity }) => activity.reviewComments),
					comments: details.flatMap(({ activity }) => activity.comments),
					cursor: stored
				},
				done,
				total
			);
			if (!more) break;
			pass = after;
		}
	} finally {
		await writer.finish().catch(() => {});
	}
	await writer.finish();
}
