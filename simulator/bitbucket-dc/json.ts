// Bitbucket Data Center's JSON for the World's things. `base` is `<origin>/bitbucket-dc`, the
// server's base URL.
import { bitbucketComments, bitbucketReviews, reviewerStates, type BitbucketComment } from '../shared/bitbucket.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';
import type { DcModel, DcProject, DcRepo, DcUser } from './model.ts';

export type Json = Record<string, unknown>;

export function userJson(base: string, user: DcUser): Json {
	return {
		name: user.name,
		emailAddress: user.emailAddress,
		active: user.active,
		displayName: user.displayName,
		id: user.id,
		slug: user.slug,
		type: user.type,
		links: { self: [{ href: `${base}/users/${user.slug}` }] }
	};
}

export function projectJson(base: string, project: DcProject): Json {
	return {
		key: project.key,
		id: project.id,
		name: project.name,
		...(project.description ? { description: project.description } : {}),
		public: project.public,
		type: project.type,
		...(project.owner ? { owner: userJson(base, project.owner) } : {}),
		links: { self: [{ href: project.owner ? `${base}/users/${project.owner.slug}` : `${base}/projects/${project.key}` }] }
	};
}

function scmPath(repo: DcRepo): string {
	return `${repo.project.key.toLowerCase()}/${repo.slug}`;
}

export function repositoryJson(base: string, repo: DcRepo): Json {
	const host = new URL(base).hostname;
	const browse = repo.project.owner ? `${base}/users/${repo.project.owner.slug}/repos/${repo.slug}/browse` : `${base}/projects/${repo.project.key}/repos/${repo.slug}/browse`;
	return {
		slug: repo.slug,
		id: repo.repo.id,
		name: repo.repo.name,
		description: repo.repo.description,
		hierarchyId: repo.repo.id.toString(16).padStart(20, '0'),
		scmId: 'git',
		state: 'AVAILABLE',
		statusMessage: 'Available',
		forkable: true,
		public: !repo.repo.private,
		archived: repo.repo.archived,
		defaultBranch: 'main',
		project: projectJson(base, repo.project),
		...(repo.origin ? { origin: repositoryJson(base, repo.origin) } : {}),
		links: {
			clone: [
				{ href: `${base}/scm/${scmPath(repo)}.git`, name: 'http' },
				{ href: `ssh://git@${host}:7999/${scmPath(repo)}.git`, name: 'ssh' }
			],
			self: [{ href: browse }]
		}
	};
}

export type DcState = 'OPEN' | 'MERGED' | 'DECLINED';

export function dcState(pull: PullFacts): DcState {
	return pull.state === 'open' ? 'OPEN' : pull.state === 'merged' ? 'MERGED' : 'DECLINED';
}

function ref(base: string, repo: DcRepo, branch: string, sha: string): Json {
	return { id: `refs/heads/${branch}`, displayId: branch, latestCommit: sha, type: 'BRANCH', repository: repositoryJson(base, repo) };
}

export function pullJson(base: string, model: DcModel, repo: DcRepo, store: PullStore, pull: PullFacts): Json {
	const state = dcState(pull);
	const states = reviewerStates(store, pull.number);
	const comments = bitbucketComments(store, pull.number);
	const reviewers = [...states].map(([user, { state: reviewState, at }]) => ({
		user: userJson(base, model.user(user)),
		role: 'REVIEWER',
		approved: reviewState === 'APPROVED',
		status: reviewState === 'APPROVED' ? 'APPROVED' : 'NEEDS_WORK',
		lastReviewedCommit: pull.headSha,
		_at: at
	}));
	const participants = [...new Set(comments.map((c) => c.user).filter((u): u is number => u !== null && u !== pull.author && !states.has(u)))].map((user) => ({
		user: userJson(base, model.user(user)),
		role: 'PARTICIPANT',
		approved: false,
		status: 'UNAPPROVED'
	}));
	const path = repo.project.owner ? `users/${repo.project.owner.slug}` : `projects/${repo.project.key}`;
	return {
		id: pull.number,
		version: 0,
		title: pull.title,
		...(pull.body ? { description: pull.body } : {}),
		state,
		open: state === 'OPEN',
		closed: state !== 'OPEN',
		draft: pull.draft,
		createdDate: pull.created,
		updatedDate: pull.updated,
		...(pull.closed !== null && state !== 'OPEN' ? { closedDate: pull.closed } : {}),
		fromRef: ref(base, repo, pull.headRef, pull.headSha),
		toRef: ref(base, repo, pull.baseRef, pull.baseSha),
		locked: false,
		author: { user: userJson(base, model.user(pull.author)), role: 'AUTHOR', approved: false, status: 'UNAPPROVED' },
		reviewers: reviewers.map(({ _at: _ignored, ...reviewer }) => reviewer),
		participants,
		properties: {
			...(state === 'MERGED' && pull.mergeSha ? { mergeCommit: { displayId: pull.mergeSha.slice(0, 11), id: pull.mergeSha } } : {}),
			commentCount: comments.length,
			openTaskCount: 0,
			resolvedTaskCount: 0
		},
		links: { self: [{ href: `${base}/${path}/repos/${repo.slug}/pull-requests/${pull.number}` }] }
	};
}

export function commentJson(base: string, model: DcModel, repo: DcRepo, comment: BitbucketComment, replies: Json[]): Json {
	return {
		properties: { repositoryId: repo.repo.id },
		id: comment.id,
		version: comment.updated === comment.created ? 0 : 1,
		text: comment.body,
		author: userJson(base, model.user(comment.user)),
		createdDate: comment.created,
		updatedDate: comment.updated,
		comments: replies,
		threadResolved: false,
		severity: 'NORMAL',
		state: 'OPEN',
		permittedOperations: { editable: false, transitionable: true, deletable: false }
	};
}

/** A pull request's activities, newest first; inline replies are nested in their parent's `comments`. */
export function activitiesJson(base: string, model: DcModel, repo: DcRepo, store: PullStore, pull: PullFacts): Json[] {
	const comments = bitbucketComments(store, pull.number);
	const children = new Map<number, BitbucketComment[]>();
	for (const comment of comments) if (comment.parent !== null) children.set(comment.parent, [...(children.get(comment.parent) ?? []), comment]);
	const known = new Set(comments.map((c) => c.id));
	const tree = (comment: BitbucketComment): Json => commentJson(base, model, repo, comment, (children.get(comment.id) ?? []).map(tree));
	const entries: Array<{ at: number; id: number; json: Json }> = [];
	const activity = (id: number, at: number, user: number | null, action: string, extra: Json = {}) =>
		entries.push({ at, id, json: { id, createdDate: at, user: userJson(base, model.user(user)), action, ...extra } });
	const baseId = store.pullId(pull.number) * 10;
	activity(baseId + 1, pull.created, pull.author, 'OPENED');
	if (pull.state !== 'open' && pull.closed !== null) activity(baseId + 2, pull.closed, pull.state === 'merged' ? pull.mergedBy : pull.author, dcState(pull));
	for (const review of bitbucketReviews(store, pull.number)) activity(review.id, review.at, review.user, review.state === 'APPROVED' ? 'APPROVED' : 'REVIEWED');
	for (const comment of comments) {
		if (comment.parent !== null && known.has(comment.parent)) continue;
		activity(comment.id, comment.created, comment.user, 'COMMENTED', {
			commentAction: 'ADDED',
			comment: tree(comment),
			...(comment.kind === 'inline'
				? { commentAnchor: { fromHash: pull.baseSha, toHash: pull.headSha, line: comment.line, lineType: 'ADDED', fileType: 'TO', path: comment.path, diffType: 'EFFECTIVE', orphaned: false } }
				: {})
		});
	}
	return entries.sort((a, b) => b.at - a.at || b.id - a.id).map((entry) => entry.json);
}
