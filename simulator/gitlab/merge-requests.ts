// Merge requests, read from the World's pull requests (iid = the pull request's number):
// `/projects/:id/merge_requests` (`state`, `order_by`, `sort`, `created_*`, `updated_*`),
// one merge request, its notes and its approvals.
import { API_SCOPES, GitLabError, hostOf, oneOf, time, timeParam, type GitLabRequest, type GitLabRoute } from './http.ts';
import { isSystem, noteJson, noteRecords } from './notes.ts';
import { offsetPage, offsetPageOf } from './pagination.ts';
import { projectOf } from './projects.ts';
import { userRef } from './users.ts';
import type { GitLabAuth } from './auth.ts';
import type { GitLabModel, Project } from './model.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';
import type { Approvals, MergeRequest, MergeRequestDetail } from './types.ts';

type Host = string;

export function mergeRequestState(pull: PullFacts): 'opened' | 'closed' | 'merged' {
	return pull.state === 'open' ? 'opened' : pull.state;
}

export function detailedMergeStatus(pull: PullFacts): MergeRequest['detailed_merge_status'] {
	return pull.state !== 'open' ? 'not_open' : pull.draft ? 'draft_status' : 'mergeable';
}

export function mergeRequestJson(host: Host, model: GitLabModel, project: Project, store: PullStore, pull: PullFacts): MergeRequest {
	const state = mergeRequestState(pull);
	const author = userRef(host, model.author(pull.author));
	const merger = state === 'merged' ? userRef(host, model.author(pull.mergedBy)) : null;
	const reference = `!${pull.number}`;
	return {
		id: store.pullId(pull.number),
		iid: pull.number,
		project_id: project.id,
		title: pull.title,
		description: pull.body,
		state,
		created_at: time(pull.created),
		updated_at: time(pull.updated),
		merged_by: merger,
		merge_user: merger,
		merged_at: time(pull.merged),
		// The World does not say who closed a pull request: its author did.
		closed_by: state === 'closed' ? author : null,
		closed_at: state === 'closed' ? time(pull.closed) : null,
		target_branch: pull.baseRef,
		source_branch: pull.headRef,
		user_notes_count: noteRecords(store, pull.number).filter((note) => !isSystem(note.kind)).length,
		upvotes: 0,
		downvotes: 0,
		author,
		assignees: [],
		assignee: null,
		reviewers: [],
		source_project_id: project.id,
		target_project_id: project.id,
		labels: [],
		draft: pull.draft,
		work_in_progress: pull.draft,
		milestone: null,
		merge_when_pipeline_succeeds: false,
		merge_status: 'can_be_merged',
		detailed_merge_status: detailedMergeStatus(pull),
		sha: pull.headSha,
		merge_commit_sha: state === 'merged' ? pull.mergeSha : null,
		squash_commit_sha: null,
		discussion_locked: pull.locked ? true : null,
		should_remove_source_branch: null,
		force_remove_source_branch: true,
		prepared_at: time(pull.created),
		reference,
		references: { short: reference, relative: reference, full: `${project.pathWithNamespace}${reference}` },
		web_url: `${host}/${project.pathWithNamespace}/-/merge_requests/${pull.number}`,
		time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
		squash: false,
		squash_on_merge: false,
		task_completion_status: { count: 0, completed_count: 0 },
		has_conflicts: false,
		blocking_discussions_resolved: true,
		approvals_before_merge: null
	};
}

function mergeRequestDetail(host: Host, model: GitLabModel, project: Project, store: PullStore, pull: PullFacts): MergeRequestDetail {
	return {
		...mergeRequestJson(host, model, project, store, pull),
		subscribed: false,
		changes_count: String(pull.changedFiles),
		latest_build_started_at: null,
		latest_build_finished_at: null,
		first_deployed_to_production_at: null,
		pipeline: null,
		head_pipeline: null,
		diff_refs: { base_sha: pull.baseSha, head_sha: pull.headSha, start_sha: pull.baseSha },
		merge_error: null,
		first_contribution: false,
		user: { can_merge: false }
	};
}

/** The project, its pull store and merge request `:iid`, if the caller may see them. */
async function mergeRequestOf(req: GitLabRequest, model: GitLabModel, auth: GitLabAuth): Promise<{ project: Project; store: PullStore; pull: PullFacts }> {
	const project = projectOf(req, model, auth);
	const store = await model.world.pulls(project.repo);
	const iid = Number(req.params.iid);
	if (!store.has(iid)) throw new GitLabError(404, { message: '404 Not found' });
	return { project, store, pull: store.facts(iid) };
}

const STATES = ['opened', 'closed', 'locked', 'merged', 'all'] as const;

function listMergeRequests(req: GitLabRequest, model: GitLabModel, project: Project, store: PullStore) {
	const state = oneOf(req.query, 'state', STATES, 'all');
	const order = oneOf(req.query, 'order_by', ['created_at', 'updated_at'], 'created_at');
	const sort = oneOf(req.query, 'sort', ['asc', 'desc'], 'desc');
	const bounds = {
		createdAfter: timeParam(req.query, 'created_after'),
		createdBefore: timeParam(req.query, 'created_before'),
		updatedAfter: timeParam(req.query, 'updated_after'),
		updatedBefore: timeParam(req.query, 'updated_before')
	};
	// The store keeps every order sorted: filter only when a filter asks for more than it splits by.
	let iids: ArrayLike<number> = store.order(order === 'updated_at' ? 'updated' : 'created', state === 'opened' ? 'open' : state === 'all' ? 'all' : 'closed');
	if (state === 'locked') iids = [];
	const narrow = state === 'closed' || state === 'merged' || Object.values(bounds).some((bound) => bound !== undefined);
	if (narrow) {
		iids = Array.from(iids).filter((iid) => {
			const pull = store.facts(iid);
			return (
				(state !== 'closed' && state !== 'merged' ? true : mergeRequestState(pull) === state) &&
				(bounds.createdAfter === undefined || pull.created >= bounds.createdAfter) &&
				(bounds.createdBefore === undefined || pull.created <= bounds.createdBefore) &&
				(bounds.updatedAfter === undefined || pull.updated >= bounds.updatedAfter) &&
				(bounds.updatedBefore === undefined || pull.updated <= bounds.updatedBefore)
			);
		});
	}
	const { start, end, headers } = offsetPage(req, iids.length);
	const host = hostOf(req);
	const body: MergeRequest[] = [];
	for (let i = start; i < end; i++) {
		const iid = sort === 'desc' ? iids[iids.length - 1 - i]! : iids[i]!;
		body.push(mergeRequestJson(host, model, project, store, store.facts(iid)));
	}
	return { body, headers };
}

export function mergeRequestRoutes(model: GitLabModel, auth: GitLabAuth): GitLabRoute[] {
	return [
		{
			path: '/projects/:project/merge_requests',
			kind: 'merge_requests.list',
			scopes: API_SCOPES,
			handle: async (req) => {
				const project = projectOf(req, model, auth);
				return listMergeRequests(req, model, project, await model.world.pulls(project.repo));
			}
		},
		{
			path: '/projects/:project/merge_requests/:iid',
			kind: 'merge_requests.get',
			scopes: API_SCOPES,
			handle: async (req) => {
				const { project, store, pull } = await mergeRequestOf(req, model, auth);
				return { body: mergeRequestDetail(hostOf(req), model, project, store, pull) };
			}
		},
		{
			path: '/projects/:project/merge_requests/:iid/notes',
			kind: 'merge_requests.notes',
			scopes: API_SCOPES,
			handle: async (req) => {
				const { project, store, pull } = await mergeRequestOf(req, model, auth);
				const order = oneOf(req.query, 'order_by', ['created_at', 'updated_at'], 'created_at');
				const sort = oneOf(req.query, 'sort', ['asc', 'desc'], 'desc');
				const notes = noteRecords(store, pull.number);
				if (order === 'updated_at') notes.sort((a, b) => a.updated - b.updated || a.id - b.id);
				if (sort === 'desc') notes.reverse();
				const { items, headers } = offsetPageOf(req, notes);
				const host = hostOf(req);
				return { body: items.map((note) => noteJson(host, model, project, store, pull.number, note)), headers };
			}
		},
		{
			path: '/projects/:project/merge_requests/:iid/approvals',
			kind: 'merge_requests.approvals',
			scopes: API_SCOPES,
			handle: async (req) => {
				const { project, store, pull } = await mergeRequestOf(req, model, auth);
				const host = hostOf(req);
				// One approval per user, however often the World's reviews approved.
				const approvers = [...new Set(store.reviews(pull.number).filter((review) => review.state === 'APPROVED').map((review) => model.author(review.user)))];
				const body: Approvals = {
					id: store.pullId(pull.number),
					iid: pull.number,
					project_id: project.id,
					title: pull.title,
					description: pull.body ?? '',
					state: mergeRequestState(pull),
					created_at: time(pull.created),
					updated_at: time(pull.updated),
					merge_status: 'can_be_merged',
					approved: approvers.length > 0,
					approvals_required: 0,
					approvals_left: 0,
					require_password_to_approve: false,
					approved_by: approvers.map((user) => ({ user: userRef(host, user) })),
					suggested_approvers: [],
					approvers: [],
					approver_groups: [],
					user_has_approved: req.token !== null && approvers.some((user) => user.id === req.token?.user.id),
					user_can_approve: false,
					approval_rules_left: [],
					has_approval_rules: false,
					merge_request_approvers_available: false,
					multiple_approval_rules_available: false,
					invalid_approvers_rules: []
				};
				return { body };
			}
		}
	];
}
