// Pull requests and their reviews: `/repos/{o}/{r}/pulls`, `/pulls/{n}`, `/pulls/{n}/reviews`.
import { nodeId } from './hash.ts';
import { ApiError, iso, notFound, roots, type ApiRequest, type Route } from './http.ts';
import { paginate, pageOf } from './pagination.ts';
import { accessibleRepo, repoJson } from './repos.ts';
import { nullableUser } from './users.ts';
import type { Auth } from './auth.ts';
import type { Repo, World } from './data.ts';
import type { PullFacts, PullStore, ReviewRecord } from './pull-store.ts';
import type { PullRequest, PullRequestReview, PullRequestSimple } from './types.ts';

type Roots = ReturnType<typeof roots>;

export function association(world: World, repo: Repo, userIndex: number | null): PullRequestSimple['author_association'] {
	if (userIndex === null) return 'NONE';
	if (repo.owner.type === 'User') return repo.owner.user.index === userIndex ? 'OWNER' : 'CONTRIBUTOR';
	return userIndex % 3 === 0 ? 'MEMBER' : 'CONTRIBUTOR';
}

/** What the list and the single pull request share. */
function pullCommon(r: Roots, world: World, repo: Repo, store: PullStore, pull: PullFacts, repoBody = repoJson(r, repo, store.counts().open)) {
	const api = `${r.api}/repos/${repo.fullName}`;
	const self = `${api}/pulls/${pull.number}`;
	const html = `${r.web}/${repo.fullName}/pull/${pull.number}`;
	const author = nullableUser(r, world.user(pull.author));
	const side = (ref: string, sha: string) => ({ label: `${repo.ownerLogin}:${ref}`, ref, sha, user: repoBody.owner, repo: repoBody });
	return {
		url: self,
		id: store.pullId(pull.number),
		node_id: nodeId('PullRequest', store.pullId(pull.number)),
		html_url: html,
		diff_url: `${html}.diff`,
		patch_url: `${html}.patch`,
		issue_url: `${api}/issues/${pull.number}`,
		commits_url: `${self}/commits`,
		review_comments_url: `${self}/comments`,
		review_comment_url: `${api}/pulls/comments{/number}`,
		comments_url: `${api}/issues/${pull.number}/comments`,
		statuses_url: `${api}/statuses/${pull.headSha}`,
		number: pull.number,
		state: pull.state === 'open' ? ('open' as const) : ('closed' as const),
		locked: pull.locked,
		title: pull.title,
		user: author,
		body: pull.body,
		labels: [],
		milestone: null,
		active_lock_reason: pull.locked ? 'resolved' : null,
		created_at: iso(pull.created),
		updated_at: iso(pull.updated),
		closed_at: iso(pull.closed),
		merged_at: iso(pull.merged),
		merge_commit_sha: pull.mergeSha,
		assignee: null,
		assignees: [],
		requested_reviewers: [],
		requested_teams: [],
		head: side(pull.headRef, pull.headSha),
		base: side(pull.baseRef, pull.baseSha),
		_links: {
			self: { href: self },
			html: { href: html },
			issue: { href: `${api}/issues/${pull.number}` },
			comments: { href: `${api}/issues/${pull.number}/comments` },
			review_comments: { href: `${self}/comments` },
			review_comment: { href: `${api}/pulls/comments{/number}` },
			commits: { href: `${self}/commits` },
			statuses: { href: `${api}/statuses/${pull.headSha}` }
		},
		author_association: association(world, repo, pull.author),
		auto_merge: null,
		draft: pull.draft
	};
}

/** A pull request as lists show it: no merge state, counts of lines, commits or files. */
export function pullSimpleJson(r: Roots, world: World, repo: Repo, store: PullStore, pull: PullFacts, repoBody?: ReturnType<typeof repoJson>): PullRequestSimple {
	return pullCommon(r, world, repo, store, pull, repoBody);
}

export function pullJson(r: Roots, world: World, repo: Repo, store: PullStore, pull: PullFacts): PullRequest {
	return {
		...pullCommon(r, world, repo, store, pull),
		merged: pull.state === 'merged',
		mergeable: pull.state === 'open' ? true : null,
		rebaseable: pull.state === 'open' ? true : null,
		mergeable_state: pull.state === 'open' ? (pull.draft ? 'draft' : 'clean') : 'unknown',
		merged_by: nullableUser(r, world.user(pull.mergedBy)),
		comments: pull.comments,
		review_comments: pull.reviewComments,
		maintainer_can_modify: false,
		commits: pull.commits,
		additions: pull.additions,
		deletions: pull.deletions,
		changed_files: pull.changedFiles
	};
}

export function reviewJson(r: Roots, world: World, repo: Repo, review: ReviewRecord): PullRequestReview {
	const pullUrl = `${r.api}/repos/${repo.fullName}/pulls/${review.pull}`;
	const html = `${r.web}/${repo.fullName}/pull/${review.pull}#pullrequestreview-${review.id}`;
	return {
		id: review.id,
		node_id: nodeId('PullRequestReview', review.id),
		user: nullableUser(r, world.user(review.user)),
		body: review.body,
		state: review.state,
		html_url: html,
		pull_request_url: pullUrl,
		_links: { html: { href: html }, pull_request: { href: pullUrl } },
		submitted_at: iso(review.submitted),
		commit_id: review.commitId,
		author_association: association(world, repo, review.user)
	};
}

/** The repository and its pull requests, after the access check for pull requests. */
export async function pullsOf(req: ApiRequest, world: World, auth: Auth): Promise<{ repo: Repo; store: PullStore }> {
	const repo = accessibleRepo(req, world, auth, 'pull_requests');
	return { repo, store: await world.pulls(repo) };
}

export function pullNumber(req: ApiRequest, store: PullStore): number {
	const number = Number(req.params.number);
	if (!store.has(number)) throw notFound();
	return number;
}

function listPulls(req: ApiRequest, world: World, repo: Repo, store: PullStore) {
	const state = req.query.get('state') ?? 'open';
	if (!['open', 'closed', 'all'].includes(state)) throw new ApiError(422, 'Validation Failed');
	const sort = req.query.get('sort') ?? 'created';
	// GitHub: descending by default when sorting by creation, ascending otherwise.
	const direction = req.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
	const base = req.query.get('base');
	const head = req.query.get('head');
	let numbers: ArrayLike<number> = store.order(sort === 'updated' ? 'updated' : 'created', state as 'open' | 'closed' | 'all');
	if (base || head) {
		numbers = Array.from(numbers).filter((n) => {
			const pull = store.facts(n);
			if (base && pull.baseRef !== base) return false;
			if (head && `${repo.ownerLogin}:${pull.headRef}` !== head) return false;
			return true;
		});
	}
	const { start, end, headers } = paginate(req, numbers.length);
	const r = roots(req);
	// Every item carries the repository twice (head and base): build it once per page.
	const repoBody = repoJson(r, repo, store.counts().open);
	const body: PullRequestSimple[] = [];
	for (let i = start; i < end; i++) {
		const n = direction === 'desc' ? numbers[numbers.length - 1 - i]! : numbers[i]!;
		body.push(pullSimpleJson(r, world, repo, store, store.facts(n), repoBody));
	}
	return { status: 200, body, headers };
}

export function pullRoutes(world: World, auth: Auth): Route[] {
	return [
		{
			method: 'GET',
			path: '/repos/:owner/:repo/pulls',
			kind: 'pulls.list',
			auth: 'any',
			acceptedScopes: 'repo',
			handle: async (req) => {
				const { repo, store } = await pullsOf(req, world, auth);
				return listPulls(req, world, repo, store);
			}
		},
		{
			method: 'GET',
			path: '/repos/:owner/:repo/pulls/:number',
			kind: 'pulls.get',
			auth: 'any',
			acceptedScopes: 'repo',
			handle: async (req) => {
				const { repo, store } = await pullsOf(req, world, auth);
				const number = pullNumber(req, store);
				return { status: 200, body: pullJson(roots(req), world, repo, store, store.facts(number)) };
			}
		},
		{
			method: 'GET',
			path: '/repos/:owner/:repo/pulls/:number/reviews',
			kind: 'pulls.reviews',
			auth: 'any',
			acceptedScopes: 'repo',
			handle: async (req) => {
				const { repo, store } = await pullsOf(req, world, auth);
				const { items, headers } = pageOf(req, store.reviews(pullNumber(req, store)));
				return { status: 200, body: items.map((review) => reviewJson(roots(req), world, repo, review)), headers };
			}
		}
	];
}
