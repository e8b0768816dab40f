// Comments: review comments (on the diff) and conversation comments (on the pull request's
// issue), per pull request and for the whole repository, with `sort`, `direction` and `since`.
import { nodeId } from './hash.ts';
import { iso, roots, sinceParam, type ApiRequest, type Route } from './http.ts';
import { paginate, pageOf } from './pagination.ts';
import { association, pullNumber, pullsOf } from './pulls.ts';
import { nullableUser } from './users.ts';
import type { Auth } from './auth.ts';
import type { Repo, World } from './data.ts';
import type { CommentKind, CommentRecord, PullStore, ReviewCommentRecord } from './pull-store.ts';
import type { IssueComment, PullRequestReviewComment } from './types.ts';

type Roots = ReturnType<typeof roots>;

function reviewCommentJson(r: Roots, world: World, repo: Repo, c: ReviewCommentRecord): PullRequestReviewComment {
	const api = `${r.api}/repos/${repo.fullName}`;
	const url = `${api}/pulls/comments/${c.id}`;
	const html = `${r.web}/${repo.fullName}/pull/${c.pull}#discussion_r${c.id}`;
	const pullUrl = `${api}/pulls/${c.pull}`;
	return {
		url,
		pull_request_review_id: c.reviewId,
		id: c.id,
		node_id: nodeId('PullRequestReviewComment', c.id),
		diff_hunk: `@@ -${c.line},6 +${c.line},7 @@ export function handle() {`,
		path: c.path,
		position: 4,
		original_position: 4,
		commit_id: c.commitId,
		original_commit_id: c.commitId,
		...(c.inReplyTo === null ? {} : { in_reply_to_id: c.inReplyTo }),
		user: nullableUser(r, world.user(c.user)),
		body: c.body,
		created_at: iso(c.created),
		updated_at: iso(c.updated),
		html_url: html,
		pull_request_url: pullUrl,
		author_association: association(world, repo, c.user),
		_links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
		start_line: null,
		original_start_line: null,
		start_side: null,
		line: c.line,
		original_line: c.line,
		side: 'RIGHT',
		subject_type: 'line'
	};
}

function issueCommentJson(r: Roots, world: World, repo: Repo, c: CommentRecord): IssueComment {
	const api = `${r.api}/repos/${repo.fullName}`;
	return {
		id: c.id,
		node_id: nodeId('IssueComment', c.id),
		url: `${api}/issues/comments/${c.id}`,
		html_url: `${r.web}/${repo.fullName}/pull/${c.pull}#issuecomment-${c.id}`,
		body: c.body,
		user: nullableUser(r, world.user(c.user)),
		created_at: iso(c.created),
		updated_at: iso(c.updated),
		issue_url: `${api}/issues/${c.pull}`,
		author_association: association(world, repo, c.user),
		performed_via_github_app: null
	};
}

function commentJson(r: Roots, world: World, repo: Repo, kind: CommentKind, c: CommentRecord | ReviewCommentRecord) {
	return kind === 'review-comment' ? reviewCommentJson(r, world, repo, c as ReviewCommentRecord) : issueCommentJson(r, world, repo, c);
}

/** Every comment of the repository: by creation (GitHub's default, by id) or by update, `since` by update. */
function listRepoComments(req: ApiRequest, world: World, repo: Repo, store: PullStore, kind: CommentKind) {
	const index = store.commentIndex(kind);
	const sort = req.query.get('sort') === 'updated' ? 'updated' : 'created';
	const direction = req.query.get('direction') === 'desc' ? 'desc' : 'asc';
	const since = sinceParam(req.query);
	let order: ArrayLike<number> = sort === 'updated' ? index.byUpdated : index.byCreated;
	if (since !== null) order = Array.from(order).filter((i) => index.updated[i]! >= since);
	const { start, end, headers } = paginate(req, order.length);
	const r = roots(req);
	const body = [];
	for (let k = start; k < end; k++) {
		const i = direction === 'desc' ? order[order.length - 1 - k]! : order[k]!;
		body.push(commentJson(r, world, repo, kind, store.comment(kind, index.pulls[i]!, index.indexes[i]!)));
	}
	return { status: 200, body, headers };
}

function listPullComments(req: ApiRequest, world: World, repo: Repo, store: PullStore, kind: CommentKind) {
	const number = pullNumber(req, store);
	const since = sinceParam(req.query);
	let list: Array<CommentRecord | ReviewCommentRecord> = kind === 'review-comment' ? store.reviewComments(number) : store.issueComments(number);
	if (since !== null) list = list.filter((c) => c.updated >= since);
	if (req.query.get('sort') === 'updated') list = [...list].sort((a, b) => a.updated - b.updated || a.id - b.id);
	if (req.query.get('direction') === 'desc') list = [...list].reverse();
	const { items, headers } = pageOf(req, list);
	return { status: 200, body: items.map((c) => commentJson(roots(req), world, repo, kind, c)), headers };
}

export function commentRoutes(world: World, auth: Auth): Route[] {
	const route = (path: string, kind: string, handle: Route['handle']): Route => ({ method: 'GET', path, kind, auth: 'any', acceptedScopes: 'repo', handle });
	return [
		route('/repos/:owner/:repo/pulls/comments', 'pulls.comments.repo', async (req) => {
			const { repo, store } = await pullsOf(req, world, auth);
			return listRepoComments(req, world, repo, store, 'review-comment');
		}),
		route('/repos/:owner/:repo/issues/comments', 'issues.comments.repo', async (req) => {
			const { repo, store } = await pullsOf(req, world, auth);
			return listRepoComments(req, world, repo, store, 'issue-comment');
		}),
		route('/repos/:owner/:repo/pulls/:number/comments', 'pulls.comments', async (req) => {
			const { repo, store } = await pullsOf(req, world, auth);
			return listPullComments(req, world, repo, store, 'review-comment');
		}),
		route('/repos/:owner/:repo/issues/:number/comments', 'issues.comments', async (req) => {
			const { repo, store } = await pullsOf(req, world, auth);
			return listPullComments(req, world, repo, store, 'issue-comment');
		})
	];
}
