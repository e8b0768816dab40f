// The bodies of GitLab's project webhooks: push, tag push, merge request and note events, built
// from the World's repository, pull request and commits as GitLab would describe them.
import { time } from './http.ts';
import { detailedMergeStatus, mergeRequestState } from './merge-requests.ts';
import { cloneUrls } from './projects.ts';
import { userRef } from './users.ts';
import type { Pushed } from '../shared/repo-changes.ts';
import type { CommentRecord, PullFacts, PullStore } from '../github/pull-store.ts';
import type { GitLabModel, GitLabUser, Project } from './model.ts';
import type { MergeRequestEvent, NoteEvent, PushEvent, TagPushEvent, WebhookProject } from './types.ts';

type Host = string;

const ZERO = '0'.repeat(40);
/** GitLab lists at most 20 commits in a push event; `total_commits_count` counts them all. */
const PUSH_COMMITS = 20;
/** GitLab's `state_id` of each merge request state. */
export const STATE_IDS = { opened: 1, closed: 2, merged: 3 } as const;

export function webhookProject(host: Host, project: Project): WebhookProject {
	const web = `${host}/${project.pathWithNamespace}`;
	const clone = cloneUrls(host, project);
	return {
		id: project.id,
		name: project.repo.name,
		description: project.repo.description,
		web_url: web,
		avatar_url: null,
		git_ssh_url: clone.ssh,
		git_http_url: clone.http,
		namespace: project.namespace.kind === 'group' ? project.namespace.group.name : project.namespace.user.name,
		visibility_level: project.visibility === 'public' ? 20 : 0,
		path_with_namespace: project.pathWithNamespace,
		default_branch: 'main',
		homepage: web,
		url: clone.ssh,
		ssh_url: clone.ssh,
		http_url: clone.http
	};
}

function repository(host: Host, project: Project) {
	const { name, url, description, homepage, git_http_url, git_ssh_url, visibility_level } = webhookProject(host, project);
	return { name, url, description, homepage, git_http_url, git_ssh_url, visibility_level };
}

/** GitLab shows no email of a user without a public one. */
function hookUser(host: Host, user: GitLabUser) {
	return { ...userRef(host, user), email: '[REDACTED]' };
}

function pusher(host: Host, user: GitLabUser) {
	return { user_id: user.id, user_name: user.name, user_username: user.username, user_email: '[REDACTED]', user_avatar: userRef(host, user).avatar_url };
}

export function pushEvent(host: Host, project: Project, push: Pushed, user: GitLabUser): PushEvent {
	const web = `${host}/${project.pathWithNamespace}`;
	return {
		object_kind: 'push',
		event_name: 'push',
		before: push.before ?? ZERO,
		after: push.after,
		ref: push.ref,
		ref_protected: push.ref === 'refs/heads/main',
		checkout_sha: push.after,
		message: null,
		...pusher(host, user),
		project_id: project.id,
		project: webhookProject(host, project),
		commits: push.commits.slice(-PUSH_COMMITS).map((commit) => ({
			id: commit.sha,
			message: `${commit.message}\n`,
			title: commit.message,
			timestamp: commit.timestamp,
			url: `${web}/-/commit/${commit.sha}`,
			author: commit.author,
			added: commit.added,
			modified: [],
			removed: []
		})),
		total_commits_count: push.commits.length,
		push_options: {},
		repository: repository(host, project)
	};
}

export function tagPushEvent(host: Host, project: Project, tag: Pushed, user: GitLabUser): TagPushEvent {
	return {
		object_kind: 'tag_push',
		event_name: 'tag_push',
		before: ZERO,
		after: tag.after,
		ref: tag.ref,
		ref_protected: false,
		checkout_sha: tag.after,
		message: null,
		...pusher(host, user),
		project_id: project.id,
		project: webhookProject(host, project),
		commits: [],
		total_commits_count: 0,
		push_options: {},
		repository: repository(host, project)
	};
}

/** The head commit as the merge request's author made it. */
function lastCommit(host: Host, model: GitLabModel, project: Project, pull: PullFacts) {
	const author = model.author(pull.author);
	return {
		id: pull.headSha,
		message: `${pull.title}\n`,
		title: pull.title,
		timestamp: time(pull.updated),
		url: `${host}/${project.pathWithNamespace}/-/commit/${pull.headSha}`,
		author: { name: author.name, email: (author.index === null ? '' : model.world.users[author.index]?.email) || `${author.username}@example.com` }
	};
}

export type MergeRequestAction = 'open' | 'update' | 'close' | 'reopen';

export function mergeRequestEvent(
	host: Host,
	model: GitLabModel,
	project: Project,
	store: PullStore,
	pull: PullFacts,
	action: MergeRequestAction,
	user: GitLabUser,
	changes: MergeRequestEvent['changes']
): MergeRequestEvent {
	const state = mergeRequestState(pull);
	const side = webhookProject(host, project);
	return {
		object_kind: 'merge_request',
		event_type: 'merge_request',
		event_name: 'merge_request',
		user: hookUser(host, user),
		project: side,
		repository: repository(host, project),
		object_attributes: {
			id: store.pullId(pull.number),
			iid: pull.number,
			target_branch: pull.baseRef,
			source_branch: pull.headRef,
			source_project_id: project.id,
			author_id: model.author(pull.author).id,
			assignee_ids: [],
			reviewer_ids: [],
			title: pull.title,
			created_at: time(pull.created),
			updated_at: time(pull.updated),
			last_edited_at: action === 'update' ? time(pull.updated) : null,
			last_edited_by_id: action === 'update' ? user.id : null,
			milestone_id: null,
			state_id: STATE_IDS[state],
			state,
			blocking_discussions_resolved: true,
			work_in_progress: pull.draft,
			draft: pull.draft,
			first_contribution: false,
			merge_commit_sha: state === 'merged' ? pull.mergeSha : null,
			target_project_id: project.id,
			description: pull.body ?? '',
			total_time_spent: 0,
			time_change: 0,
			human_total_time_spent: null,
			human_time_change: null,
			human_time_estimate: null,
			url: `${host}/${project.pathWithNamespace}/-/merge_requests/${pull.number}`,
			source: side,
			target: side,
			last_commit: lastCommit(host, model, project, pull),
			labels: [],
			action,
			detailed_merge_status: detailedMergeStatus(pull)
		},
		labels: [],
		changes,
		assignees: [],
		reviewers: []
	};
}

export function noteEvent(host: Host, model: GitLabModel, project: Project, store: PullStore, pull: PullFacts, note: CommentRecord, user: GitLabUser): NoteEvent {
	const side = webhookProject(host, project);
	const { name, url, description, homepage } = repository(host, project);
	return {
		object_kind: 'note',
		event_type: 'note',
		event_name: 'note',
		user: hookUser(host, user),
		project_id: project.id,
		project: side,
		repository: { name, url, description, homepage },
		object_attributes: {
			id: note.id,
			note: note.body,
			noteable_type: 'MergeRequest',
			discussion_id: note.id.toString(16).padStart(40, '0'),
			author_id: user.id,
			created_at: time(note.created),
			updated_at: time(note.updated),
			project_id: project.id,
			attachment: null,
			line_code: null,
			commit_id: null,
			noteable_id: store.pullId(pull.number),
			system: false,
			st_diff: null,
			url: `${host}/${project.pathWithNamespace}/-/merge_requests/${pull.number}#note_${note.id}`
		},
		merge_request: {
			id: store.pullId(pull.number),
			iid: pull.number,
			target_branch: pull.baseRef,
			source_branch: pull.headRef,
			source_project_id: project.id,
			author_id: model.author(pull.author).id,
			assignee_id: null,
			title: pull.title,
			created_at: time(pull.created),
			updated_at: time(pull.updated),
			milestone_id: null,
			state: mergeRequestState(pull),
			merge_status: 'can_be_merged',
			target_project_id: project.id,
			description: pull.body ?? '',
			position: 0,
			labels: [],
			source: side,
			target: side,
			last_commit: lastCommit(host, model, project, pull),
			work_in_progress: pull.draft,
			draft: pull.draft,
			assignee: null,
			detailed_merge_status: detailedMergeStatus(pull)
		}
	};
}
