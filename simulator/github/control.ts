// The GitHub side of the control API (`/_simulator/…`): what tests, the benchmark and the demo use
// to change the simulated GitHub (pushes, pull requests, reviews, hooks) and to read the truth
// about it. The routes both providers share are in shared/control.ts.
import { ControlError, int, str, strings, type Body, type ControlRoute } from '../shared/control.ts';
import { checkRefName, type Pushed, type RepoChanges } from '../shared/repo-changes.ts';
import { iso } from './http.ts';
import { pullJson, reviewJson } from './pulls.ts';
import { simpleUser } from './users.ts';
import { installationOf, pushPayload, webhookRepository, type HookInput, type Webhooks } from './webhooks.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { Repo, User, World } from './data.ts';
import type { PullFacts, PullStore, ReviewState } from './pull-store.ts';

export interface ControlContext {
	world: World;
	counters: RequestCounters;
	webhooks: Webhooks;
	changes: RepoChanges;
	/** Where webhook payloads and control answers point: the plain HTTP origin. */
	httpOrigin: () => string;
}

export function githubControlRoutes(context: ControlContext): ControlRoute[] {
	const { world, counters, webhooks, changes } = context;
	const r = () => ({ api: context.httpOrigin(), web: context.httpOrigin() });

	const repoOf = (params: Record<string, string>) => {
		const repo = world.repo(params.owner ?? '', params.repo ?? '');
		if (!repo) throw new ControlError(404, `No repository ${params.owner}/${params.repo}.`);
		return repo;
	};
	const userOf = (body: Body): User => {
		const login = str(body, 'user');
		if (!login) return world.viewer;
		const user = world.userByLogin(login);
		if (!user) throw new ControlError(400, `No user ${login}.`);
		return user;
	};
	const pullOf = (store: PullStore, params: Record<string, string>) => {
		const number = Number(params.number);
		if (!store.has(number)) throw new ControlError(404, `No pull request #${params.number}.`);
		return store.facts(number);
	};

	/** Delivers `push` for commits just pushed; answers as the push routes do. */
	async function deliverPush(repo: Repo, push: Pushed) {
		const deliveries = await webhooks.emit(repo, 'push', pushPayload(r(), world, repo, push, world.viewer));
		const { ref: _ref, ...result } = push;
		return { ...result, deliveries };
	}

	async function pullEvent(repo: Repo, store: PullStore, action: string, pull: PullFacts, sender: User) {
		const payload = {
			action,
			number: pull.number,
			pull_request: pullJson(r(), world, repo, store, pull),
			repository: webhookRepository(r(), repo, store.counts().open),
			sender: simpleUser(r(), sender),
			...installationOf(world, repo)
		};
		return webhooks.emit(repo, 'pull_request', payload);
	}

	return [
		{
			method: 'GET',
			path: '/_simulator/stats',
			handle: async () => {
				const repositories = await Promise.all(
					world.repos.map(async (repo) => ({ repository: repo.fullName, private: repo.private, archived: repo.archived, ...(await world.pulls(repo)).counts() }))
				);
				const sum = (key: 'pullRequests' | 'reviews' | 'reviewComments' | 'comments') => repositories.reduce((total, repo) => total + repo[key], 0);
				return {
					orgs: world.orgs.length,
					repos: world.repos.length,
					pullRequests: sum('pullRequests'),
					reviews: sum('reviews'),
					reviewComments: sum('reviewComments'),
					comments: sum('comments'),
					repositories,
					requests: counters
				};
			}
		},
		{ method: 'GET', path: '/_simulator/hooks', handle: () => webhooks.hooks() },
		{
			method: 'POST',
			path: '/_simulator/hooks',
			handle: async (_params, body) => {
				const url = str(body, 'url');
				const owner = str(body, 'owner');
				if (!url || !owner) throw new ControlError(400, 'Give "owner" and "url".');
				const input: HookInput = { owner, repo: str(body, 'repo'), url, secret: str(body, 'secret'), events: strings(body, 'events') };
				const result = await webhooks.register(r(), input);
				if (!result) throw new ControlError(404, 'No such owner or repository.');
				return result;
			}
		},
		{ method: 'GET', path: '/_simulator/deliveries', handle: (_params, _body, query) => webhooks.deliveries(query.has('hookId') ? Number(query.get('hookId')) : undefined) },
		{
			method: 'POST',
			path: '/_simulator/deliveries/:id/redeliver',
			handle: async (params) => {
				const delivery = await webhooks.redeliver(Number(params.id));
				if (!delivery) throw new ControlError(404, `No delivery ${params.id}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/push',
			handle: (params, body) => {
				const repo = repoOf(params);
				const branch = checkRefName(str(body, 'branch') ?? 'main');
				const commits = int(body, 'commits', 1) ?? 1;
				return changes.locked(repo, async () => deliverPush(repo, await changes.push(repo, `refs/heads/${branch}`, commits, branch === 'main' ? undefined : 'refs/heads/main')));
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/pulls',
			handle: (params, body) => {
				const repo = repoOf(params);
				return changes.locked(repo, async () => {
					const store = await world.pulls(repo);
					const author = userOf(body);
					const input = { title: str(body, 'title'), body: str(body, 'body') ?? null, author, draft: body.draft === true, commits: int(body, 'commits', 1) ?? 1 };
					const { pull, pushed: head } = await changes.openPull(repo, store, input);
					await deliverPush(repo, head);
					const deliveries = await pullEvent(repo, store, 'opened', pull, author);
					return { pull: pullJson(r(), world, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'PATCH',
			path: '/_simulator/repos/:owner/:repo/pulls/:number',
			handle: (params, body) => {
				const repo = repoOf(params);
				return changes.locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					const state = str(body, 'state');
					if (state !== undefined && state !== 'open' && state !== 'closed') throw new ControlError(400, '"state" must be open or closed (merge through /merge).');
					if (state === 'open' && before.state === 'merged') throw new ControlError(422, 'A merged pull request cannot be reopened.');
					const title = str(body, 'title');
					const text = str(body, 'body');
					const commits = int(body, 'commits', 1);
					let headSha: string | undefined;
					if (commits) headSha = (await deliverPush(repo, await changes.push(repo, `refs/heads/${before.headRef}`, commits, before.headSha))).after;
					const pull = store.update(before.number, {
						...(title === undefined ? {} : { title }),
						...(text === undefined ? {} : { body: text }),
						...(typeof body.draft === 'boolean' ? { draft: body.draft } : {}),
						...(state === undefined ? {} : { state }),
						...(headSha ? { headSha, commits: before.commits + (commits ?? 0) } : {})
					});
					const action =
						state === 'closed' && before.state === 'open'
							? 'closed'
							: state === 'open' && before.state === 'closed'
								? 'reopened'
								: headSha
									? 'synchronize'
									: typeof body.draft === 'boolean' && body.draft !== before.draft
										? body.draft
											? 'converted_to_draft'
											: 'ready_for_review'
										: 'edited';
					const deliveries = await pullEvent(repo, store, action, pull, world.viewer);
					return { pull: pullJson(r(), world, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/pulls/:number/merge',
			handle: (params, body) => {
				const repo = repoOf(params);
				return changes.locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					if (before.state !== 'open') throw new ControlError(405, 'Pull Request is not mergeable');
					const merger = userOf(body);
					const merge = await deliverPush(repo, await changes.push(repo, 'refs/heads/main', 1));
					const pull = store.update(before.number, { state: 'merged', mergeSha: merge.after, mergedBy: merger.index });
					const deliveries = [...merge.deliveries, ...(await pullEvent(repo, store, 'closed', pull, merger))];
					return { pull: pullJson(r(), world, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/pulls/:number/reviews',
			handle: (params, body) => {
				const repo = repoOf(params);
				return changes.locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					const state = (str(body, 'state') ?? 'APPROVED').toUpperCase();
					if (!['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'].includes(state)) throw new ControlError(400, '"state" must be APPROVED, CHANGES_REQUESTED or COMMENTED.');
					const reviewer = userOf(body);
					const review = store.addReview(before.number, { user: reviewer.index, state: state as ReviewState, body: str(body, 'body') ?? '' });
					const pull = store.facts(before.number);
					const reviewBody = reviewJson(r(), world, repo, review);
					const payload = {
						action: 'submitted',
						review: { ...reviewBody, state: state.toLowerCase(), submitted_at: iso(review.submitted) },
						pull_request: pullJson(r(), world, repo, store, pull),
						repository: webhookRepository(r(), repo, store.counts().open),
						sender: simpleUser(r(), reviewer),
						...installationOf(world, repo)
					};
					const deliveries = await webhooks.emit(repo, 'pull_request_review', payload);
					return { review: reviewBody, deliveries };
				});
			}
		}
	];
}
