// One request through the simulated Bitbucket Cloud REST API (`/bitbucket-cloud/2.0/…`): faults,
// the credential (HTTP Basic), the `/repositories/*` rate limit, the route and its scopes, the
// handler. Pagination, `q` (a BBQL subset) and `sort` as Bitbucket Cloud does them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicCredentials, bitbucketComments } from '../shared/bitbucket.ts';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { compile } from '../shared/route-match.ts';
import { accountJson, activityJson, cloudState, commentJson, projectJson, pullJson, repositoryJson, workspaceJson, type Json } from './json.ts';
import { CLOUD_API_PREFIX, CLOUD_PREFIX, CloudModel, type CloudCredential, type CloudRepo, type CloudScope, type Workspace } from './model.ts';
import { applyFault, type Fault, type Faults } from '../shared/faults.ts';
import type { RateLimits, RateLimitState } from '../shared/rate-limits.ts';
import type { PullFacts } from '../github/pull-store.ts';

export interface CloudContext {
	model: CloudModel;
	rateLimits: RateLimits;
	faults: Faults;
	counters: RequestCounters;
	log: (event: string, fields: object) => void;
}

export class CloudError extends Error {
	readonly status: number;
	readonly body: Json;
	readonly headers: Record<string, string>;
	constructor(status: number, message: string, detail?: unknown, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.body = { type: 'error', error: { message, ...(detail === undefined ? {} : { detail }) } };
		this.headers = headers;
	}
}

interface CloudRequest {
	base: string;
	url: URL;
	query: URLSearchParams;
	params: Record<string, string>;
	credential: CloudCredential | null;
}

interface CloudRoute {
	path: string;
	kind: string;
	scope: CloudScope | null;
	handle(req: CloudRequest): Json | Promise<Json>;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const ROLES = ['member', 'contributor', 'admin', 'owner'] as const;
const RANK = { member: 0, contributor: 1, admin: 2, owner: 3 } as const;

/** `pagelen` (default 10, at most `max`) and `page` (from 1); `next`/`previous` keep the request's own URL and query. */
function paged<T>(req: CloudRequest, items: T[], map: (item: T) => Json, max = 100): Json {
	const rawLen = req.query.get('pagelen');
	const pagelen = rawLen === null ? 10 : Number(rawLen);
	if (!Number.isInteger(pagelen) || pagelen < 1) throw new CloudError(400, 'Invalid pagelen');
	const size = Math.min(pagelen, max);
	const rawPage = req.query.get('page');
	const page = rawPage === null ? 1 : Number(rawPage);
	if (!Number.isInteger(page) || page < 1) throw new CloudError(400, 'Invalid page');
	const values = items.slice((page - 1) * size, page * size).map(map);
	const link = (to: number) => {
		const url = new URL(req.url);
		url.searchParams.set('page', String(to));
		return url.toString();
	};
	return {
		pagelen: size,
		size: items.length,
		page,
		...(page * size < items.length ? { next: link(page + 1) } : {}),
		...(page > 1 ? { previous: link(page - 1) } : {}),
		values
	};
}

type Value = string | number | boolean | null;
interface Condition {
	field: string;
	op: string;
	value: Value;
}

/** `field op value [AND …]`: the subset of BBQL the simulator reads (no OR, no parentheses). */
function parseQuery(q: string | null): Condition[] {
	if (!q) return [];
	const conditions: Condition[] = [];
	for (const part of q.trim().split(/\s+AND\s+/i)) {
		const match = /^([a-z_.]+)\s*(!=|>=|<=|=|>|<|~|!~)\s*(".*"|-?\d+(?:\.\d+)?|true|false|null)$/i.exec(part.trim());
		if (!match) throw new CloudError(400, `Invalid query: ${part.trim()}`);
		const raw = match[3]!;
		const value: Value = raw.startsWith('"') ? raw.slice(1, -1) : raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : Number(raw);
		conditions.push({ field: match[1]!, op: match[2]!, value });
	}
	return conditions;
}

function compare(actual: Value, op: string, wanted: Value, isTime: boolean): boolean {
	let a: Value = actual;
	let b: Value = wanted;
	if (isTime && typeof b === 'string') {
		const parsed = Date.parse(b);
		if (Number.isNaN(parsed)) throw new CloudError(400, `Invalid date: ${b}`);
		b = parsed;
	}
	if (typeof a === 'string' && typeof b === 'string' && !isTime) {
		a = a.toLowerCase();
		b = b.toLowerCase();
	}
	switch (op) {
		case '=':
			return a === b;
		case '!=':
			return a !== b;
		case '~':
			return typeof a === 'string' && typeof b === 'string' && a.includes(b);
		case '!~':
			return !(typeof a === 'string' && typeof b === 'string' && a.includes(b));
		case '>':
			return a !== null && b !== null && a > b;
		case '>=':
			return a !== null && b !== null && a >= b;
		case '<':
			return a !== null && b !== null && a < b;
		default:
			return a !== null && b !== null && a <= b;
	}
}

function filterAndSort<T>(items: T[], query: URLSearchParams, fields: Record<string, (item: T) => Value>, timeFields: string[], fallbackSort: string): T[] {
	let result = items;
	for (const condition of parseQuery(query.get('q'))) {
		const read = fields[condition.field];
		if (!read) throw new CloudError(400, `Invalid field name: ${condition.field}`);
		result = result.filter((item) => compare(read(item), condition.op, condition.value, timeFields.includes(condition.field)));
	}
	const sort = query.get('sort') || fallbackSort;
	const descending = sort.startsWith('-');
	const read = fields[descending ? sort.slice(1) : sort];
	if (!read) throw new CloudError(400, `Invalid sort field: ${sort}`);
	return [...result].sort((x, y) => {
		const a = read(x);
		const b = read(y);
		const order = a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
		return descending ? -order : order;
	});
}

export function createCloudApi(context: CloudContext) {
	const { model, rateLimits, faults, counters } = context;

	const canSee = (credential: CloudCredential | null, repo: CloudRepo) => credential !== null || !repo.repo.private;
	const workspaceOf = (slug: string | undefined): Workspace => {
		const workspace = model.workspace(slug ?? '');
		if (!workspace) throw new CloudError(404, `No workspace with identifier '${slug}'.`);
		return workspace;
	};
	const repoOf = (req: CloudRequest): CloudRepo => {
		const repo = model.repository(req.params.workspace ?? '', req.params.slug ?? '');
		if (!repo || !canSee(req.credential, repo)) throw new CloudError(404, `Repository ${req.params.workspace}/${req.params.slug} not found`);
		return repo;
	};
	const pullOf = async (req: CloudRequest): Promise<{ repo: CloudRepo; store: Awaited<ReturnType<typeof model.world.pulls>>; pull: PullFacts }> => {
		const repo = repoOf(req);
		const store = await model.world.pulls(repo.repo);
		const id = Number(req.params.id);
		if (!store.has(id)) throw new CloudError(404, 'Not found');
		return { repo, store, pull: store.facts(id) };
	};
	const username = () => model.viewer.nickname;

	const repoFields: Record<string, (r: CloudRepo) => Value> = {
		name: (r) => r.repo.name,
		slug: (r) => r.slug,
		full_name: (r) => `${r.workspace.slug}/${r.slug}`,
		'project.key': (r) => r.project.key,
		'project.name': (r) => r.project.name,
		is_private: (r) => r.repo.private,
		created_on: (r) => r.repo.created,
		updated_on: (r) => r.repo.pushed,
		uuid: (r) => r.uuid
	};
	const pullFields: Record<string, (p: PullFacts) => Value> = {
		id: (p) => p.number,
		title: (p) => p.title,
		state: (p) => cloudState(p),
		draft: (p) => p.draft,
		created_on: (p) => p.created,
		updated_on: (p) => p.updated,
		'source.branch.name': (p) => p.headRef,
		'destination.branch.name': (p) => p.baseRef
	};

	const routes: CloudRoute[] = [
		{
			path: '/user',
			kind: 'user',
			scope: 'read:user:bitbucket',
			handle: (req) => ({ ...accountJson(req.base, model.viewer), username: model.viewer.nickname, created_on: new Date(model.viewer.created).toISOString(), is_staff: false, location: null, has_2fa_enabled: null })
		},
		{
			path: '/user/workspaces',
			kind: 'workspaces.list',
			scope: 'read:workspace:bitbucket',
			handle: (req) =>
				paged(req, model.workspaces, (workspace) => ({
					type: 'workspace_access',
					administrator: workspace.role !== 'contributor',
					workspace: workspaceJson(req.base, workspace),
					links: { self: { href: `${req.base}/2.0/user/workspaces/${workspace.slug}` } }
				}))
		},
		{ path: '/workspaces', kind: 'workspaces.list', scope: 'read:workspace:bitbucket', handle: (req) => paged(req, model.workspaces, (w) => workspaceJson(req.base, w)) },
		{ path: '/workspaces/:workspace', kind: 'workspaces.get', scope: 'read:workspace:bitbucket', handle: (req) => workspaceJson(req.base, workspaceOf(req.params.workspace)) },
		{
			path: '/workspaces/:workspace/projects',
			kind: 'projects.list',
			scope: 'read:project:bitbucket',
			handle: (req) => paged(req, workspaceOf(req.params.workspace).projects, (p) => projectJson(req.base, p))
		},
		{
			path: '/workspaces/:workspace/projects/:key',
			kind: 'projects.get',
			scope: 'read:project:bitbucket',
			handle: (req) => {
				const project = workspaceOf(req.params.workspace).projects.find((p) => p.key.toLowerCase() === req.params.key?.toLowerCase());
				if (!project) throw new CloudError(404, `Project ${req.params.key} not found`);
				return projectJson(req.base, project);
			}
		},
		{
			path: '/repositories/:workspace',
			kind: 'repositories.list',
			scope: 'read:repository:bitbucket',
			handle: (req) => {
				const workspace = workspaceOf(req.params.workspace);
				const role = req.query.get('role');
				if (role !== null && !ROLES.includes(role as (typeof ROLES)[number])) throw new CloudError(400, `Invalid role: ${role}`);
				let repos = model.reposIn(workspace).filter((r) => canSee(req.credential, r));
				if (role !== null) repos = req.credential && RANK[workspace.role] >= RANK[role as (typeof ROLES)[number]] ? repos : [];
				return paged(req, filterAndSort(repos, req.query, repoFields, ['created_on', 'updated_on'], 'created_on'), (r) => repositoryJson(req.base, r, username()));
			}
		},
		{ path: '/repositories/:workspace/:slug', kind: 'repositories.get', scope: 'read:repository:bitbucket', handle: (req) => repositoryJson(req.base, repoOf(req), username()) },
		{
			path: '/repositories/:workspace/:slug/pullrequests',
			kind: 'pullrequests.list',
			scope: 'read:pullrequest:bitbucket',
			handle: async (req) => {
				const repo = repoOf(req);
				const store = await model.world.pulls(repo.repo);
				const states = req.query.getAll('state').map((s) => s.toUpperCase());
				for (const state of states) if (!['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED'].includes(state)) throw new CloudError(400, `Invalid state: ${state}`);
				const wanted = states.length > 0 ? states : ['OPEN'];
				const pulls: PullFacts[] = [];
				for (let n = 1; n <= store.count; n++) {
					const pull = store.facts(n);
					if (wanted.includes(cloudState(pull))) pulls.push(pull);
				}
				return paged(req, filterAndSort(pulls, req.query, pullFields, ['created_on', 'updated_on'], '-id'), (p) => pullJson(req.base, model, repo, store, p, false), 50);
			}
		},
		{
			path: '/repositories/:workspace/:slug/pullrequests/:id',
			kind: 'pullrequests.get',
			scope: 'read:pullrequest:bitbucket',
			handle: async (req) => {
				const { repo, store, pull } = await pullOf(req);
				return pullJson(req.base, model, repo, store, pull, true);
			}
		},
		{
			path: '/repositories/:workspace/:slug/pullrequests/:id/comments',
			kind: 'pullrequests.comments',
			scope: 'read:pullrequest:bitbucket',
			handle: async (req) => {
				const { repo, store, pull } = await pullOf(req);
				const comments = bitbucketComments(store, pull.number);
				const fields: Record<string, (c: (typeof comments)[number]) => Value> = {
					id: (c) => c.id,
					created_on: (c) => c.created,
					updated_on: (c) => c.updated,
					'inline.path': (c) => c.path,
					deleted: () => false
				};
				return paged(req, filterAndSort(comments, req.query, fields, ['created_on', 'updated_on'], 'created_on'), (c) => commentJson(req.base, model, repo, pull, c));
			}
		},
		{
			path: '/repositories/:workspace/:slug/pullrequests/:id/activity',
			kind: 'pullrequests.activity',
			scope: 'read:pullrequest:bitbucket',
			handle: async (req) => {
				const { repo, store, pull } = await pullOf(req);
				return paged(req, activityJson(req.base, model, repo, store, pull), (entry) => entry, 50);
			}
		}
	];
	const compiled = routes.map((route) => ({ route, match: compile(route.path) }));

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL): Promise<void> {
		const started = performance.now();
		const path = url.pathname.slice(CLOUD_API_PREFIX.length) || '/';
		const method = req.method ?? 'GET';
		const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', vary: 'Authorization', 'x-request-id': crypto.randomUUID().replace(/-/g, '') };
		let found: { route: CloudRoute; params: Record<string, string> } | null = null;
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
			fault = faults.take('bitbucket-cloud', method, path);
			if (await applyFault(fault, req, { status: (code) => new CloudError(code, REASONS[code] ?? 'Something went wrong'), limited: (seconds) => new CloudError(429, 'Rate limit for this resource has been exceeded', undefined, { 'retry-after': String(seconds) }) })) {
				status = 0;
				return;
			}

			const basic = basicCredentials(req.headers.authorization);
			let credential: CloudCredential | null = null;
			if (req.headers.authorization !== undefined) {
				credential = basic ? model.check(basic.username, basic.password, false) : null;
				if (!credential) throw new CloudError(401, 'Unauthorized', undefined, { 'www-authenticate': 'Basic realm="Bitbucket.org HTTP"' });
			}
			if (path.startsWith('/repositories/') && credential) {
				const limit = rateLimits.state(CloudModel.bucket(credential));
				const spent = !rateLimits.spend(limit);
				Object.assign(headers, rateLimitHeaders(limit));
				if (spent) throw new CloudError(429, 'Rate limit for this resource has been exceeded', undefined, { 'retry-after': String(Math.max(1, limit.reset - Math.floor(Date.now() / 1000))) });
			}
			if (!found) throw new CloudError(404, `Resource not found`);
			const { route, params } = found;
			if (route.scope) {
				if (!credential) {
					if (!path.startsWith('/repositories/')) throw new CloudError(401, 'Unauthorized', undefined, { 'www-authenticate': 'Basic realm="Bitbucket.org HTTP"' });
				} else if (!credential.scopes.includes(route.scope)) {
					const required = credential.kind === 'app-password' ? [legacyName(route.scope)] : [route.scope];
					throw new CloudError(403, 'Your credentials lack one or more required privilege scopes.', { granted: credential.granted, required });
				}
			}
			const body = await route.handle({ base: `${origin}${CLOUD_PREFIX}`, url, query: url.searchParams, params, credential });
			status = 200;
			let text = JSON.stringify(body);
			if (fault?.kind === 'malformed') text = malformed(text);
			if (method === 'HEAD') text = '';
			await writeAnswer(res, status, headers, text, fault);
		} catch (error) {
			const answer = error instanceof CloudError ? error : new CloudError(500, 'Something went wrong');
			if (!(error instanceof CloudError)) context.log('bitbucket-cloud.request.failed', { method, path, error: String(error) });
			status = answer.status;
			await writeAnswer(res, status, { ...headers, ...answer.headers }, JSON.stringify(answer.body));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || fault) {
				context.log('bitbucket-cloud.request', { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}

/** What Bitbucket Cloud sends on `/repositories/*`: the budget, the resource, and a warning below 20% left. */
function rateLimitHeaders(state: RateLimitState): Record<string, string> {
	const remaining = Math.max(0, state.limit - state.used);
	return {
		'x-ratelimit-limit': String(state.limit),
		'x-ratelimit-resource': 'api-repository',
		...(remaining < state.limit * 0.2 ? { 'x-ratelimit-nearlimit': 'true' } : {})
	};
}

function legacyName(scope: CloudScope): string {
	return { 'read:user:bitbucket': 'account', 'read:workspace:bitbucket': 'team', 'read:project:bitbucket': 'project', 'read:repository:bitbucket': 'repository', 'read:pullrequest:bitbucket': 'pullrequest' }[scope];
}
