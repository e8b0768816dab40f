// The control API under `/_simulator/…` (loopback only, JSON, no auth): what tests, the
// benchmark and the demo use to change the simulated GitHub and to read the truth about it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Auth } from './auth.ts';
import { pushCommits, revParse } from './git-repos.ts';
import { hash } from './hash.ts';
import { ApiError, compile, iso } from './http.ts';
import { pullJson, reviewJson } from './pulls.ts';
import { simpleUser } from './users.ts';
import { installationOf, pushPayload, webhookRepository, type HookInput, type Webhooks } from './webhooks.ts';
import type { ApiContext } from './server.ts';
import type { Repo, User } from './data.ts';
import type { FaultInput } from './faults.ts';
import type { PullFacts, PullStore, ReviewState } from './pull-store.ts';
import type { RateLimitSetting } from './rate-limits.ts';

export interface ControlContext extends ApiContext {
	webhooks: Webhooks;
	/** Where webhook payloads and control answers point: the plain HTTP origin. */
	httpOrigin: () => string;
}

type Body = Record<string, unknown>;
interface ControlRoute {
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
	path: string;
	handle(params: Record<string, string>, body: Body, query: URLSearchParams): unknown;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

async function readJson(req: IncomingMessage): Promise<Body> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	if (!text) return {};
	const value = JSON.parse(text) as unknown;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'The body must be a JSON object.');
	return value as Body;
}

function str(body: Body, name: string): string | undefined {
	const value = body[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new ApiError(400, `"${name}" must be a string.`);
	return value;
}

function int(body: Body, name: string, min = 0): number | undefined {
	const value = body[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new ApiError(400, `"${name}" must be an integer ≥ ${min}.`);
	return value;
}

/** Serialises changes to one repository: git's fast-import must not run twice at once on it. */
function lockPerRepo() {
	const tails = new Map<number, Promise<unknown>>();
	return <T>(repo: Repo, work: () => Promise<T>): Promise<T> => {
		const run = (tails.get(repo.id) ?? Promise.resolve()).then(work, work);
		tails.set(
			repo.id,
			run.catch(() => undefined)
		);
		return run;
	};
}

export function createControl(context: ControlContext) {
	const { world, auth, rateLimits, faults, counters, webhooks } = context;
	const locked = lockPerRepo();
	const r = () => ({ api: context.httpOrigin(), web: context.httpOrigin() });
	let pushes = 0;

	const repoOf = (params: Record<string, string>) => {
		const repo = world.repo(params.owner ?? '', params.repo ?? '');
		if (!repo) throw new ApiError(404, `No repository ${params.owner}/${params.repo}.`);
		return repo;
	};
	const userOf = (body: Body): User => {
		const login = str(body, 'user');
		if (!login) return world.viewer;
		const user = world.userByLogin(login);
		if (!user) throw new ApiError(400, `No user ${login}.`);
		return user;
	};
	const pullOf = (store: PullStore, params: Record<string, string>) => {
		const number = Number(params.number);
		if (!store.has(number)) throw new ApiError(404, `No pull request #${params.number}.`);
		return store.facts(number);
	};

	async function push(repo: Repo, ref: string, commits: number, from?: string) {
		const result = await pushCommits(repo.gitDir, { ref, from, commits, seed: hash(world.options.seed, repo.id, ++pushes) });
		repo.pushed = Date.now();
		const deliveries = await webhooks.emit(repo, 'push', pushPayload(r(), world, repo, { ref, ...result }, world.viewer));
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

	const routes: ControlRoute[] = [
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
		{
			method: 'POST',
			path: '/_simulator/requests/reset',
			handle: () => {
				counters.total = 0;
				counters.byKind = {};
				counters.byStatus = {};
				return counters;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/rate-limits',
			handle: (_params, body) => {
				const token = str(body, 'token');
				const installationId = int(body, 'installationId', 1);
				const setting: RateLimitSetting = {
					limit: int(body, 'limit', 0) ?? 5000,
					remaining: int(body, 'remaining', 0),
					resetInSeconds: int(body, 'resetInSeconds', 1),
					status: body.status === 429 ? 429 : 403
				};
				let key: string;
				if (installationId !== undefined) key = `installation:${installationId}`;
				else if (token) {
					const result = auth.authenticate(`token ${token}`);
					if ('error' in result || !result.principal) throw new ApiError(400, 'Unknown token.');
					key = Auth.bucket(result.principal, '127.0.0.1').key;
				} else throw new ApiError(400, 'Give "token" or "installationId".');
				return { key, ...rateLimits.set(key, setting) };
			}
		},
		{ method: 'GET', path: '/_simulator/faults', handle: () => faults.list() },
		{
			method: 'POST',
			path: '/_simulator/faults',
			handle: (_params, body) => {
				const kinds = ['status', 'slow', 'trickle', 'malformed', 'reset', 'secondary-rate-limit', 'abuse'];
				if (!kinds.includes(String(body.kind))) throw new ApiError(400, `"kind" must be one of ${kinds.join(', ')}.`);
				return faults.add({
					kind: body.kind as FaultInput['kind'],
					path: str(body, 'path'),
					method: str(body, 'method'),
					count: int(body, 'count', 1),
					status: int(body, 'status', 100),
					delayMs: int(body, 'delayMs'),
					bytesPerSecond: int(body, 'bytesPerSecond', 1),
					retryAfter: int(body, 'retryAfter')
				});
			}
		},
		{
			method: 'DELETE',
			path: '/_simulator/faults',
			handle: () => {
				faults.clear();
				return [];
			}
		},
		{
			method: 'POST',
			path: '/_simulator/tokens/revoke',
			handle: (_params, body) => {
				const token = str(body, 'token');
				if (!token) throw new ApiError(400, 'Give "token".');
				return { revoked: auth.revoke(token) };
			}
		},
		{ method: 'GET', path: '/_simulator/hooks', handle: () => webhooks.hooks() },
		{
			method: 'POST',
			path: '/_simulator/hooks',
			handle: async (_params, body) => {
				const url = str(body, 'url');
				const owner = str(body, 'owner');
				if (!url || !owner) throw new ApiError(400, 'Give "owner" and "url".');
				const events = body.events;
				if (events !== undefined && (!Array.isArray(events) || !events.every((e) => typeof e === 'string'))) throw new ApiError(400, '"events" must be a list of names.');
				const input: HookInput = { owner, repo: str(body, 'repo'), url, secret: str(body, 'secret'), events: events as string[] | undefined };
				const result = await webhooks.register(r(), input);
				if (!result) throw new ApiError(404, 'No such owner or repository.');
				return result;
			}
		},
		{ method: 'GET', path: '/_simulator/deliveries', handle: (_params, _body, query) => webhooks.deliveries(query.has('hookId') ? Number(query.get('hookId')) : undefined) },
		{
			method: 'POST',
			path: '/_simulator/deliveries/:id/redeliver',
			handle: async (params) => {
				const delivery = await webhooks.redeliver(Number(params.id));
				if (!delivery) throw new ApiError(404, `No delivery ${params.id}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/push',
			handle: (params, body) => {
				const repo = repoOf(params);
				const branch = str(body, 'branch') ?? 'main';
				if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('-')) throw new ApiError(400, 'Bad branch name.');
				const ref = `refs/heads/${branch}`;
				return locked(repo, () => push(repo, ref, int(body, 'commits', 1) ?? 1, branch === 'main' ? undefined : 'refs/heads/main'));
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/pulls',
			handle: (params, body) => {
				const repo = repoOf(params);
				return locked(repo, async () => {
					const store = await world.pulls(repo);
					const author = userOf(body);
					const number = store.count + 1;
					const headRef = `sim/pull-${number}`;
					const commits = int(body, 'commits', 1) ?? 1;
					const { after } = await push(repo, `refs/heads/${headRef}`, commits, 'refs/heads/main');
					const base = await revParse(repo.gitDir, 'refs/heads/main');
					const pull = store.open({
						title: str(body, 'title') ?? `Simulated change ${number}`,
						body: str(body, 'body') ?? null,
						author: author.index,
						headRef,
						headSha: after,
						baseSha: base,
						draft: body.draft === true,
						commits
					});
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
				return locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					const state = str(body, 'state');
					if (state !== undefined && state !== 'open' && state !== 'closed') throw new ApiError(400, '"state" must be open or closed (merge through /merge).');
					if (state === 'open' && before.state === 'merged') throw new ApiError(422, 'A merged pull request cannot be reopened.');
					const title = str(body, 'title');
					const text = str(body, 'body');
					const commits = int(body, 'commits', 1);
					let headSha: string | undefined;
					if (commits) headSha = (await push(repo, `refs/heads/${before.headRef}`, commits, before.headSha)).after;
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
				return locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					if (before.state !== 'open') throw new ApiError(405, 'Pull Request is not mergeable');
					const merger = userOf(body);
					const pushed = await push(repo, 'refs/heads/main', 1);
					const pull = store.update(before.number, { state: 'merged', mergeSha: pushed.after, mergedBy: merger.index });
					const deliveries = [...pushed.deliveries, ...(await pullEvent(repo, store, 'closed', pull, merger))];
					return { pull: pullJson(r(), world, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/repos/:owner/:repo/pulls/:number/reviews',
			handle: (params, body) => {
				const repo = repoOf(params);
				return locked(repo, async () => {
					const store = await world.pulls(repo);
					const before = pullOf(store, params);
					const state = (str(body, 'state') ?? 'APPROVED').toUpperCase();
					if (!['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'].includes(state)) throw new ApiError(400, '"state" must be APPROVED, CHANGES_REQUESTED or COMMENTED.');
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
	const compiled = routes.map((route) => ({ route, match: compile({ path: route.path } as Parameters<typeof compile>[0]) }));

	return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const reply = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
			res.end(JSON.stringify(body));
		};
		if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return reply(403, { message: 'The control API answers loopback only.' });
		try {
			for (const { route, match } of compiled) {
				if (route.method !== req.method) continue;
				const params = match(url.pathname);
				if (!params) continue;
				const body = req.method === 'GET' ? {} : await readJson(req);
				const result = await route.handle(params, body, url.searchParams);
				context.log('control', { method: req.method, path: url.pathname });
				return reply(200, result);
			}
			reply(404, { message: `No control route ${req.method} ${url.pathname}.` });
		} catch (error) {
			if (error instanceof ApiError) return reply(error.status, { message: error.message });
			if (error instanceof SyntaxError) return reply(400, { message: 'The body is not JSON.' });
			context.log('control.failed', { path: url.pathname, error: String(error) });
			reply(500, { message: String(error) });
		}
	};
}
