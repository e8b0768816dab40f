// One request through the simulated GitHub REST API, in GitHub's order: faults (which stand in
// for the network and GitHub's edge), credentials, the rate limit, the handler; then the headers
// every response carries (rate limit, scopes, ETag) and conditional requests (304s are free).
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { compile } from '../shared/route-match.ts';
import { Auth, type Principal } from './auth.ts';
import { appRoutes } from './apps.ts';
import { commentRoutes } from './comments.ts';
import { ApiError, type ApiRequest, type ApiResponse, type Route } from './http.ts';
import { pullRoutes } from './pulls.ts';
import { repoRoutes } from './repos.ts';
import { userRoutes } from './users.ts';
import type { Faults, Fault } from '../shared/faults.ts';
import type { RateLimits, RateLimitState } from '../shared/rate-limits.ts';
import type { World } from './data.ts';
import type { RateLimitOverview } from './types.ts';

export interface ApiContext {
	world: World;
	auth: Auth;
	rateLimits: RateLimits;
	faults: Faults;
	counters: RequestCounters;
	log: (event: string, fields: object) => void;
}

const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting';
const SECONDARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

function rateLimitHeaders(state: RateLimitState, resource = 'core'): Record<string, string> {
	return {
		'x-ratelimit-limit': String(state.limit),
		'x-ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
		'x-ratelimit-used': String(state.used),
		'x-ratelimit-reset': String(state.reset),
		'x-ratelimit-resource': resource
	};
}

function expirationHeader(ms: number): string {
	return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	if (chunks.length === 0) return undefined;
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
	} catch {
		throw new ApiError(400, 'Problems parsing JSON', 'https://docs.github.com/rest');
	}
}

export function createApi(context: ApiContext) {
	const { world, auth, rateLimits, faults, counters } = context;
	const rateLimitRoute: Route = {
		method: 'GET',
		path: '/rate_limit',
		kind: 'rate_limit',
		auth: 'any',
		rateLimited: false,
		handle: (req) => {
			const bucket = Auth.bucket(req.principal, '127.0.0.1');
			const core = rateLimits.state(bucket);
			const rate = { limit: core.limit, used: core.used, remaining: Math.max(0, core.limit - core.used), reset: core.reset };
			const fresh = (limit: number) => ({ limit, used: 0, remaining: limit, reset: core.reset });
			const body: RateLimitOverview = { resources: { core: rate, search: fresh(30), graphql: fresh(5000), integration_manifest: fresh(5000) }, rate };
			return { status: 200, body };
		}
	};
	// Specific paths before the ones with a `:number` that could shadow them.
	const routes = [...commentRoutes(world, auth), ...pullRoutes(world, auth), ...repoRoutes(world, auth), ...userRoutes(world), ...appRoutes(world, auth), rateLimitRoute].map(
		(route) => ({ route, match: compile(route.path) })
	);

	function find(method: string, path: string): { route: Route; params: Record<string, string> } | null {
		for (const { route, match } of routes) {
			if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
			const params = match(path);
			if (params) return { route, params };
		}
		return null;
	}

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL): Promise<void> {
		const started = performance.now();
		const requestId = randomUUID().toUpperCase().slice(0, 23).replace(/-/g, ':');
		const prefix = url.pathname === '/api/v3' || url.pathname.startsWith('/api/v3/') ? '/api/v3' : '';
		const path = url.pathname.slice(prefix.length) || '/';
		const method = req.method ?? 'GET';
		const headers: Record<string, string> = {
			'content-type': 'application/json; charset=utf-8',
			'x-github-request-id': requestId,
			'x-github-media-type': 'github.v3; format=json',
			'x-github-api-version-selected': '2022-11-28',
			'access-control-expose-headers': 'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
			vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding'
		};
		if (prefix) headers['x-github-enterprise-version'] = '3.14.0';
		const found = find(method, path);
		const kind = found?.route.kind ?? 'unknown';
		countRequest(counters, kind);
		let status = 500;
		let fault: Fault | undefined;
		try {
			fault = faults.take('github', method, path);
			if (fault?.kind === 'reset') {
				status = 0;
				req.socket.destroy();
				return;
			}
			if (fault?.kind === 'slow') await delay(fault.delayMs ?? 2000);
			if (fault?.kind === 'status') {
				const code = fault.status ?? 502;
				throw new ApiError(code, code === 502 ? 'Server Error' : code === 503 ? 'Service Unavailable' : 'Internal Server Error');
			}
			if (fault?.kind === 'secondary-rate-limit' || fault?.kind === 'abuse') {
				const message =
					fault.kind === 'abuse'
						? 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.'
						: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
				throw new ApiError(403, message, SECONDARY_DOCS, { 'retry-after': String(fault.retryAfter ?? 60) });
			}

			const authResult = auth.authenticate(req.headers.authorization);
			if ('error' in authResult) {
				// A refused token is answered from the caller's address budget, as GitHub does.
				const anonymous = Auth.bucket(null, req.socket.remoteAddress ?? '127.0.0.1');
				Object.assign(headers, rateLimitHeaders(rateLimits.state(anonymous)));
				throw new ApiError(401, authResult.message, 'https://docs.github.com/rest');
			}
			const principal: Principal | null = authResult.principal;
			if (principal?.kind === 'personal') {
				const token = principal.token;
				if (token.scopes) {
					headers['x-oauth-scopes'] = token.scopes.join(', ');
					headers['x-accepted-oauth-scopes'] = found?.route.acceptedScopes ?? '';
				}
				if (token.expiresAt !== null) headers['github-authentication-token-expiration'] = expirationHeader(token.expiresAt);
			}
			const bucket = Auth.bucket(principal, req.socket.remoteAddress ?? '127.0.0.1');
			const limit = rateLimits.state(bucket);
			const spends = found?.route.rateLimited !== false;
			if (spends && !rateLimits.spend(limit)) {
				Object.assign(headers, rateLimitHeaders(limit));
				throw new ApiError(
					limit.status,
					`API rate limit exceeded for ${bucket.subject}. If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${new Date().toISOString()}.`,
					RATE_LIMIT_DOCS
				);
			}
			Object.assign(headers, rateLimitHeaders(limit));

			if (!found) throw new ApiError(404, 'Not Found', 'https://docs.github.com/rest');
			const { route, params } = found;
			if (route.auth === 'app-jwt' && principal?.kind !== 'app') {
				throw new ApiError(401, 'A JSON web token could not be decoded', 'https://docs.github.com/rest');
			}
			if (route.auth !== 'app-jwt' && principal?.kind === 'app') {
				throw new ApiError(403, 'Resource not accessible by integration', 'https://docs.github.com/rest');
			}
			if (route.auth === 'user' && !principal) throw new ApiError(401, 'Requires authentication', 'https://docs.github.com/rest');

			const body = method === 'POST' ? await readBody(req) : undefined;
			const request: ApiRequest = { method, path, prefix, query: url.searchParams, origin, headers: req.headers, principal, params, body };
			const response: ApiResponse = await route.handle(request);
			Object.assign(headers, response.headers);
			let text = JSON.stringify(response.body ?? null);
			status = response.status;
			if (method === 'GET' && status === 200) {
				const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`;
				headers.etag = etag;
				headers['cache-control'] = 'private, max-age=60, s-maxage=60';
				if (req.headers['if-none-match'] === etag) {
					// GitHub does not count a 304 against the rate limit.
					if (spends) limit.used--;
					Object.assign(headers, rateLimitHeaders(limit));
					status = 304;
					res.writeHead(304, headers);
					res.end();
					return;
				}
			}
			if (fault?.kind === 'malformed') text = malformed(text);
			if (method === 'HEAD') text = '';
			await writeAnswer(res, status, headers, text, fault);
		} catch (error) {
			const apiError = error instanceof ApiError ? error : new ApiError(500, 'Internal Server Error');
			if (!(error instanceof ApiError)) context.log('request.failed', { method, path, error: String(error) });
			status = apiError.status;
			await writeAnswer(res, status, { ...headers, ...apiError.headers }, JSON.stringify(apiError.body()));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || fault) {
				context.log('request', { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}
