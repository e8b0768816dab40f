// One request through the simulated Bitbucket Data Center REST API
// (`/bitbucket-dc/rest/api/1.0/…` and `/rest/api/latest/…`): faults, the credential (Basic with a
// password or a token, or Bearer with a token), the per-user rate limit, the route, the handler.
// Every authenticated answer names its user in `X-AUSERNAME` and `X-AUSERID`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicCredentials, bearerToken } from '../shared/bitbucket.ts';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { compile } from '../shared/route-match.ts';
import { activitiesJson, dcState, projectJson, pullJson, repositoryJson, userJson, type Json } from './json.ts';
import { DC_PREFIX, DcModel, type DcCredential, type DcProject, type DcRepo } from './model.ts';
import { applyFault, type Fault, type Faults } from '../shared/faults.ts';
import type { RateLimits, RateLimitState } from '../shared/rate-limits.ts';
import type { PullFacts } from '../github/pull-store.ts';

export interface DcContext {
	model: DcModel;
	rateLimits: RateLimits;
	faults: Faults;
	counters: RequestCounters;
	log: (event: string, fields: object) => void;
}

export const DC_VERSION = '8.19.4';

export class DcError extends Error {
	readonly status: number;
	readonly body: Json;
	readonly headers: Record<string, string>;
	constructor(status: number, message: string, exceptionName: string | null, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.body = { errors: [{ context: null, message, exceptionName }] };
		this.headers = headers;
	}
}

interface DcRequest {
	base: string;
	query: URLSearchParams;
	params: Record<string, string>;
	credential: DcCredential | null;
}

interface DcRoute {
	path: string;
	kind: string;
	anonymous?: boolean;
	handle(req: DcRequest): Json | Promise<Json>;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const AUTH_FAILED = 'Authentication failed. Please check your credentials and try again.';

/** `start` and `limit` (default 25, at most 1000), answered as `{size, limit, isLastPage, values, start, nextPageStart?}`. */
function paged<T>(req: DcRequest, items: T[], map: (item: T) => Json): Json {
	const start = Number(req.query.get('start') ?? 0);
	const rawLimit = Number(req.query.get('limit') ?? 25);
	if (!Number.isInteger(start) || start < 0 || !Number.isInteger(rawLimit) || rawLimit < 0) throw new DcError(400, 'Invalid paging parameters', 'com.atlassian.bitbucket.validation.ArgumentValidationException');
	const limit = Math.min(rawLimit || 25, 1000);
	const values = items.slice(start, start + limit).map(map);
	const isLastPage = start + values.length >= items.length;
	return { size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : { nextPageStart: start + values.length }) };
}

export function createDcApi(context: DcContext) {
	const { model, rateLimits, faults, counters } = context;

	const projectOf = (req: DcRequest): DcProject => {
		const project = model.project(req.params.key ?? '');
		if (!project) throw new DcError(404, `Project ${req.params.key} does not exist.`, 'com.atlassian.bitbucket.project.NoSuchProjectException');
		if (!model.canSeeProject(req.credential, project)) throw new DcError(403, 'You are not permitted to access this resource', 'com.atlassian.bitbucket.AuthorisationException');
		return project;
	};
	const repoOf = (req: DcRequest): DcRepo => {
		const project = projectOf(req);
		const repo = model.repository(project.key, req.params.slug ?? '');
		if (!repo) throw new DcError(404, `Repository ${project.key}/${req.params.slug} does not exist.`, 'com.atlassian.bitbucket.repository.NoSuchRepositoryException');
		return repo;
	};
	const pullOf = async (req: DcRequest) => {
		const repo = repoOf(req);
		const store = await model.world.pulls(repo.repo);
		const id = Number(req.params.id);
		if (!store.has(id)) throw new DcError(404, `Pull request ${req.params.id} does not exist in ${repo.project.key}/${repo.slug}.`, 'com.atlassian.bitbucket.pull.NoSuchPullRequestException');
		return { repo, store, pull: store.facts(id) };
	};
	const oneOf = <T extends string>(req: DcRequest, name: string, values: readonly T[], fallback: T): T => {
		const value = req.query.get(name)?.toUpperCase();
		if (!value) return fallback;
		if (!values.includes(value as T)) throw new DcError(400, `${name}: ${value} is not a valid value`, 'com.atlassian.bitbucket.validation.ArgumentValidationException');
		return value as T;
	};
	const RANK = { REPO_READ: 0, REPO_WRITE: 1, REPO_ADMIN: 2 } as const;

	const routes: DcRoute[] = [
		{
			path: '/application-properties',
			kind: 'application-properties',
			anonymous: true,
			handle: () => ({ version: DC_VERSION, buildNumber: DC_VERSION.split('.').map((n) => n.padStart(3, '0')).join(''), buildDate: '1735689600000', displayName: 'Bitbucket' })
		},
		{
			path: '/users/:slug',
			kind: 'users.get',
			handle: (req) => {
				const user = model.userBySlug(req.params.slug ?? '');
				if (!user) throw new DcError(404, `User ${req.params.slug} does not exist.`, 'com.atlassian.bitbucket.user.NoSuchUserException');
				return userJson(req.base, user);
			}
		},
		{ path: '/projects', kind: 'projects.list', handle: (req) => paged(req, model.projects.filter((p) => p.type === 'NORMAL' && model.canSeeProject(req.credential, p)), (p) => projectJson(req.base, p)) },
		{ path: '/projects/:key', kind: 'projects.get', handle: (req) => projectJson(req.base, projectOf(req)) },
		{
			path: '/projects/:key/repos',
			kind: 'repos.list',
			handle: (req) => {
				const project = projectOf(req);
				return paged(req, model.repos.filter((r) => r.project === project), (r) => repositoryJson(req.base, r));
			}
		},
		{
			path: '/repos',
			kind: 'repos.search',
			handle: (req) => {
				const permission = oneOf(req, 'permission', ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'] as const, 'REPO_READ');
				const name = req.query.get('name')?.toLowerCase();
				const projectName = req.query.get('projectname')?.toLowerCase();
				const repos = model.repos.filter(
					(r) =>
						model.canSee(req.credential, r) &&
						RANK[model.permission(req.credential, r)] >= RANK[permission] &&
						(!name || r.repo.name.toLowerCase().includes(name)) &&
						(!projectName || r.project.name.toLowerCase().includes(projectName))
				);
				return paged(req, repos, (r) => repositoryJson(req.base, r));
			}
		},
		{ path: '/projects/:key/repos/:slug', kind: 'repos.get', handle: (req) => repositoryJson(req.base, repoOf(req)) },
		{
			path: '/projects/:key/repos/:slug/pull-requests',
			kind: 'pull-requests.list',
			handle: async (req) => {
				const repo = repoOf(req);
				const store = await model.world.pulls(repo.repo);
				const state = oneOf(req, 'state', ['OPEN', 'DECLINED', 'MERGED', 'ALL'] as const, 'OPEN');
				const order = oneOf(req, 'order', ['NEWEST', 'OLDEST'] as const, 'NEWEST');
				const draft = req.query.get('draft');
				const pulls: PullFacts[] = [];
				for (let n = 1; n <= store.count; n++) {
					const pull = store.facts(n);
					if (state !== 'ALL' && dcState(pull) !== state) continue;
					if (draft !== null && String(pull.draft) !== draft.toLowerCase()) continue;
					pulls.push(pull);
				}
				pulls.sort((a, b) => (order === 'NEWEST' ? b.updated - a.updated || b.number - a.number : a.updated - b.updated || a.number - b.number));
				return paged(req, pulls, (p) => pullJson(req.base, model, repo, store, p));
			}
		},
		{
			path: '/projects/:key/repos/:slug/pull-requests/:id',
			kind: 'pull-requests.get',
			handle: async (req) => {
				const { repo, store, pull } = await pullOf(req);
				return pullJson(req.base, model, repo, store, pull);
			}
		},
		{
			path: '/projects/:key/repos/:slug/pull-requests/:id/activities',
			kind: 'pull-requests.activities',
			handle: async (req) => {
				const { repo, store, pull } = await pullOf(req);
				return paged(req, activitiesJson(req.base, model, repo, store, pull), (a) => a);
			}
		}
	];
	const compiled = routes.map((route) => ({ route, match: compile(route.path) }));

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL, prefix: string): Promise<void> {
		const started = performance.now();
		const path = url.pathname.slice(prefix.length) || '/';
		const method = req.method ?? 'GET';
		const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8', 'x-arequestid': `@${Math.floor(Math.random() * 1e9).toString(36).toUpperCase()}x${Date.now() % 1000}x0`, 'cache-control': 'no-cache, no-transform' };
		let found: { route: DcRoute; params: Record<string, string> } | null = null;
		if (method === 'GET' || method === 'HEAD') {
			for (const { route, match } of compiled) {
				const params = match(path);
				if (params) {
					found = { route, params };
					break;
				}
			}
		}
		const kind = found?.route.kind ?? 'unknown';
		countRequest(counters, kind);
		let status = 500;
		let fault: Fault | undefined;
		try {
			fault = faults.take('bitbucket-dc', method, path);
			if (await applyFault(fault, req, { status: (code) => new DcError(code, REASONS[code] ?? 'Internal Server Error', null), limited: (seconds) => new DcError(429, 'You have been rate limited. Please try again later.', 'com.atlassian.bitbucket.throttle.ThrottledException', { 'retry-after': String(seconds) }) })) {
				status = 0;
				return;
			}

			let credential: DcCredential | null = null;
			const authorization = req.headers.authorization;
			if (authorization !== undefined) {
				const bearer = bearerToken(authorization);
				const basic = bearer === undefined ? basicCredentials(authorization) : undefined;
				const result = bearer !== undefined ? model.check(null, bearer) : basic ? model.check(basic.username, basic.password) : ({ error: 'unknown' } as const);
				if ('error' in result) {
					if (result.error === 'expired') throw new DcError(401, 'Authentication failed. The access token has expired.', 'com.atlassian.bitbucket.auth.ExpiredAccessTokenAuthenticationException');
					throw new DcError(401, AUTH_FAILED, 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException');
				}
				credential = result.credential;
			}
			if (credential) {
				headers['x-ausername'] = credential.user.name;
				headers['x-auserid'] = String(credential.user.id);
				const limit = rateLimits.state(DcModel.bucket(credential.user));
				const spent = !rateLimits.spend(limit);
				Object.assign(headers, rateLimitHeaders(limit));
				if (spent) throw new DcError(429, 'You have been rate limited. Please try again later.', 'com.atlassian.bitbucket.throttle.ThrottledException', { 'retry-after': String(Math.max(1, limit.reset - Math.floor(Date.now() / 1000))) });
			}
			if (!found) throw new DcError(404, `No resource at ${path}`, null);
			const { route, params } = found;
			if (!credential && !route.anonymous) throw new DcError(401, 'Authentication required', 'com.atlassian.bitbucket.AuthorisationException');
			const body = await route.handle({ base: `${origin}${DC_PREFIX}`, query: url.searchParams, params, credential });
			status = 200;
			let text = JSON.stringify(body);
			if (fault?.kind === 'malformed') text = malformed(text);
			if (method === 'HEAD') text = '';
			await writeAnswer(res, status, headers, text, fault);
		} catch (error) {
			const answer = error instanceof DcError ? error : new DcError(500, 'An internal error occurred', null);
			if (!(error instanceof DcError)) context.log('bitbucket-dc.request.failed', { method, path, error: String(error) });
			status = answer.status;
			await writeAnswer(res, status, { ...headers, ...answer.headers }, JSON.stringify(answer.body));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || fault) {
				context.log('bitbucket-dc.request', { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}

/** Data Center's token-bucket headers: the bucket size, what is left, and how it refills (here: all of it once per window). */
function rateLimitHeaders(state: RateLimitState): Record<string, string> {
	const windowSeconds = Math.max(1, state.reset - Math.floor(Date.now() / 1000));
	return {
		'x-ratelimit-limit': String(state.limit),
		'x-ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
		'x-ratelimit-interval-seconds': String(windowSeconds),
		'x-ratelimit-fillrate': String(state.limit)
	};
}
