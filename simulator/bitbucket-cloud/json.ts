// Bitbucket Cloud's JSON for the World's things: accounts, workspaces, projects, repositories,
// pull requests, comments and activity. `base` is `<origin>/bitbucket-cloud`: web links hang off it,
// API links off `<base>/2.0`.
import { bitbucketComments, bitbucketReviews, reviewerStates, type BitbucketComment } from '../shared/bitbucket.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';
import type { CloudAccount, CloudModel, CloudProject, CloudRepo, Workspace } from './model.ts';

export type Json = Record<string, unknown>;

export const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const href = (url: string) => ({ href: url });

/** Bitbucket Cloud abbreviates commit hashes in pull requests to 12 characters. */
export const shortHash = (sha: string) => sha.slice(0, 12);

export function accountJson(base: string, account: CloudAccount): Json {
	return {
		type: 'user',
		uuid: account.uuid,
		account_id: account.accountId,
		nickname: account.nickname,
		display_name: account.displayName,
		links: {
			self: href(`${base}/2.0/users/${encodeURIComponent(account.uuid)}`),
			avatar: href(`${base}/account/${account.nickname}/avatar/`),
			html: href(`${base}/${encodeURIComponent(account.uuid)}/`)
		}
	};
}

export function workspaceJson(base: string, workspace: Workspace): Json {
	return {
		type: 'workspace',
		uuid: workspace.uuid,
		name: workspace.name,
		slug: workspace.slug,
		is_private: workspace.org === null,
		created_on: iso(workspace.created),
		links: {
			self: href(`${base}/2.0/workspaces/${workspace.slug}`),
			html: href(`${base}/${workspace.slug}/`),
			avatar: href(`${base}/workspaces/${workspace.slug}/avatar/`),
			projects: href(`${base}/2.0/workspaces/${workspace.slug}/projects`),
			repositories: href(`${base}/2.0/repositories/${workspace.slug}`)
		}
	};
}

const workspaceRef = (base: string, workspace: Workspace): Json => ({
	type: 'workspace',
	uuid: workspace.uuid,
	name: workspace.name,
	slug: workspace.slug,
	links: { self: href(`${base}/2.0/workspaces/${workspace.slug}`), html: href(`${base}/${workspace.slug}/`) }
});

export function projectJson(base: string, project: CloudProject, full = true): Json {
	const ref: Json = {
		type: 'project',
		key: project.key,
		uuid: project.uuid,
		name: project.name,
		links: { self: href(`${base}/2.0/workspaces/${project.workspace.slug}/projects/${project.key}`), html: href(`${base}/${project.workspace.slug}/workspace/projects/${project.key}`) }
	};
	if (!full) return ref;
	return { ...ref, description: `The ${project.name} project.`, is_private: true, created_on: iso(project.created), updated_on: iso(project.created), has_publicly_visible_repos: project.key !== 'PLAT', workspace: workspaceRef(base, project.workspace) };
}

export function repositoryRef(base: string, repo: CloudRepo): Json {
	return {
		type: 'repository',
		full_name: `${repo.workspace.slug}/${repo.slug}`,
		name: repo.repo.name,
		uuid: repo.uuid,
		links: { self: href(`${base}/2.0/repositories/${repo.workspace.slug}/${repo.slug}`), html: href(`${base}/${repo.workspace.slug}/${repo.slug}`) }
	};
}

export function repositoryJson(base: string, repo: CloudRepo, username: string): Json {
	const path = `${repo.workspace.slug}/${repo.slug}`;
	const cloneHttps = base.replace(/^(https?:\/\/)/, `$1${username}@`);
	return {
		...repositoryRef(base, repo),
		slug: repo.slug,
		description: repo.repo.description,
		scm: 'git',
		is_private: repo.repo.private,
		fork_policy: repo.repo.private ? 'no_public_forks' : 'allow_forks',
		language: repo.repo.language.toLowerCase(),
		size: 1024 * (repo.repo.commits + 10),
		has_issues: false,
		has_wiki: false,
		mainbranch: { name: 'main', type: 'branch' },
		project: projectJson(base, repo.project, false),
		workspace: workspaceRef(base, repo.workspace),
		owner: { type: repo.workspace.org ? 'team' : 'user', display_name: repo.workspace.name, uuid: repo.workspace.uuid, username: repo.workspace.slug },
		...(repo.parent ? { parent: repositoryRef(base, repo.parent) } : {}),
		created_on: iso(repo.repo.created),
		updated_on: iso(repo.repo.pushed),
		links: {
			self: href(`${base}/2.0/repositories/${path}`),
			html: href(`${base}/${path}`),
			avatar: href(`${base}/${path}/avatar/32/`),
			pullrequests: href(`${base}/2.0/repositories/${path}/pullrequests`),
			commits: href(`${base}/2.0/repositories/${path}/commits`),
			clone: [
				{ name: 'https', href: `${cloneHttps}/${path}.git` },
				{ name: 'ssh', href: `git@bitbucket.org:${path}.git` }
			]
		}
	};
}

export type CloudState = 'OPEN' | 'MERGED' | 'DECLINED' | 'SUPERSEDED';

export function cloudState(pull: PullFacts): CloudState {
	return pull.state === 'open' ? 'OPEN' : pull.state === 'merged' ? 'MERGED' : 'DECLINED';
}

const pullLinks = (base: string, repo: CloudRepo, id: number) => {
	const api = `${base}/2.0/repositories/${repo.workspace.slug}/${repo.slug}/pullrequests/${id}`;
	return {
		self: href(api),
		html: href(`${base}/${repo.workspace.slug}/${repo.slug}/pull-requests/${id}`),
		comments: href(`${api}/comments`),
		activity: href(`${api}/activity`),
		approve: href(`${api}/approve`),
		diff: href(`${api}/diff`),
		commits: href(`${api}/commits`)
	};
};

export function pullRef(base: string, repo: CloudRepo, pull: PullFacts): Json {
	return { type: 'pullrequest', id: pull.number, title: pull.title, links: { self: pullLinks(base, repo, pull.number).self, html: pullLinks(base, repo, pull.number).html } };
}

export function pullJson(base: string, model: CloudModel, repo: CloudRepo, store: PullStore, pull: PullFacts, detail: boolean): Json {
	const state = cloudState(pull);
	const author = accountJson(base, model.account(pull.author));
	const comments = bitbucketComments(store, pull.number);
	const description = pull.body ?? '';
	const json: Json = {
		type: 'pullrequest',
		id: pull.number,
		title: pull.title,
		description,
		summary: { type: 'rendered', raw: description, markup: 'markdown', html: description ? `<p>${escapeHtml(description)}</p>` : '' },
		state,
		draft: pull.draft,
		author,
		source: { branch: { name: pull.headRef }, commit: { type: 'commit', hash: shortHash(pull.headSha) }, repository: repositoryRef(base, repo) },
		destination: { branch: { name: pull.baseRef }, commit: { type: 'commit', hash: shortHash(pull.baseSha) }, repository: repositoryRef(base, repo) },
		merge_commit: state === 'MERGED' && pull.mergeSha ? { type: 'commit', hash: shortHash(pull.mergeSha) } : null,
		close_source_branch: false,
		closed_by: state === 'MERGED' ? accountJson(base, model.account(pull.mergedBy)) : state === 'DECLINED' ? author : null,
		reason: '',
		created_on: iso(pull.created),
		updated_on: iso(pull.updated),
		comment_count: comments.length,
		task_count: 0,
		links: pullLinks(base, repo, pull.number)
	};
	if (detail) {
		const states = reviewerStates(store, pull.number);
		const participants = new Map<number, Json>();
		for (const [user, { state: reviewState, at }] of states) {
			participants.set(user, {
				type: 'participant',
				user: accountJson(base, model.account(user)),
				role: 'REVIEWER',
				approved: reviewState === 'APPROVED',
				state: reviewState === 'APPROVED' ? 'approved' : 'changes_requested',
				participated_on: iso(at)
			});
		}
		for (const comment of comments) {
			if (comment.user === null || participants.has(comment.user) || comment.user === pull.author) continue;
			participants.set(comment.user, { type: 'participant', user: accountJson(base, model.account(comment.user)), role: 'PARTICIPANT', approved: false, state: null, participated_on: iso(comment.created) });
		}
		json.participants = [...participants.values()];
		json.reviewers = [...states.keys()].map((user) => accountJson(base, model.account(user)));
	}
	return json;
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function commentJson(base: string, model: CloudModel, repo: CloudRepo, pull: PullFacts, comment: BitbucketComment): Json {
	const api = `${base}/2.0/repositories/${repo.workspace.slug}/${repo.slug}/pullrequests/${pull.number}/comments/${comment.id}`;
	return {
		type: 'pullrequest_comment',
		id: comment.id,
		content: { type: 'rendered', raw: comment.body, markup: 'markdown', html: `<p>${escapeHtml(comment.body)}</p>` },
		user: accountJson(base, model.account(comment.user)),
		created_on: iso(comment.created),
		updated_on: iso(comment.updated),
		deleted: false,
		pending: false,
		...(comment.kind === 'inline' ? { inline: { path: comment.path, from: null, to: comment.line } } : {}),
		...(comment.parent !== null ? { parent: { id: comment.parent, links: { self: href(api.replace(/\/\d+$/, `/${comment.parent}`)) } } } : {}),
		pullrequest: pullRef(base, repo, pull),
		links: { self: href(api), html: href(`${base}/${repo.workspace.slug}/${repo.slug}/pull-requests/${pull.number}/_/diff#comment-${comment.id}`) }
	};
}

/** A pull request's activity, newest first: its opening (and closing) updates, approvals, change requests and comments. */
export function activityJson(base: string, model: CloudModel, repo: CloudRepo, store: PullStore, pull: PullFacts): Json[] {
	const ref = pullRef(base, repo, pull);
	const entries: Array<{ at: number; id: number; json: Json }> = [];
	const update = (state: CloudState, at: number, author: number | null, id: number) =>
		entries.push({
			at,
			id,
			json: {
				update: {
					state,
					draft: pull.draft,
					title: pull.title,
					description: pull.body ?? '',
					reason: '',
					date: iso(at),
					author: accountJson(base, model.account(author)),
					source: { branch: { name: pull.headRef }, commit: { type: 'commit', hash: shortHash(pull.headSha) }, repository: repositoryRef(base, repo) },
					destination: { branch: { name: pull.baseRef }, commit: { type: 'commit', hash: shortHash(pull.baseSha) }, repository: repositoryRef(base, repo) }
				},
				pull_request: ref
			}
		});
	update('OPEN', pull.created, pull.author, 0);
	if (pull.state !== 'open' && pull.closed !== null) update(cloudState(pull), pull.closed, pull.state === 'merged' ? pull.mergedBy : pull.author, 1);
	for (const review of bitbucketReviews(store, pull.number)) {
		const body = { date: iso(review.at), user: accountJson(base, model.account(review.user)), pullrequest: ref };
		entries.push({ at: review.at, id: review.id, json: review.state === 'APPROVED' ? { approval: body, pull_request: ref } : { changes_request: body, pull_request: ref } });
	}
	for (const comment of bitbucketComments(store, pull.number)) entries.push({ at: comment.created, id: comment.id, json: { comment: commentJson(base, model, repo, pull, comment), pull_request: ref } });
	return entries.sort((a, b) => b.at - a.at || b.id - a.id).map((entry) => entry.json);
}
