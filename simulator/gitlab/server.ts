// One request through the simulated GitLab REST API (`/gitlab/api/v4/…`), in GitLab's order:
// faults (standing in for the network and GitLab's edge), the token, the rate limit (Rack
// Attack's throttle, before routing), the route and its scopes, the handler. Every answer that
// went through the throttle carries its `RateLimit-*` headers.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { compile } from '../shared/route-match.ts';
import { GitLabAuth, type GitLabToken } from './auth.ts';
import { groupRoutes } from './groups.ts';
import { API_PREFIX, GitLabError, type GitLabRequest, type GitLabRoute } from './http.ts';
import { mergeRequestRoutes } from './merge-requests.ts';
import { projectRoutes } from './projects.ts';
import { userRoutes } from './users.ts';
import { applyFault, type Fault, type Faults } from '../shared/faults.ts';
import type { RateLimits, RateLimitState } from '../shared/rate-limits.ts';
import type { GitLabModel } from './model.ts';

export interface GitLabContext {
	model: GitLabModel;
	auth: GitLabAuth;
	rateLimits: RateLimits;
	faults: Faults;
	counters: RequestCounters;
	log: (event: string, fields: object) => void;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** What Rack::Attack adds to a throttled request's answer. */
function rateLimitHeaders(state: RateLimitState): Record<string, string> {
	return {
		'ratelimit-name': 'throttle_authenticated_api',
		'ratelimit-limit': String(state.limit),
		'ratelimit-observed': String(state.used),
		'ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
		'ratelimit-reset': String(state.reset),
		'ratelimit-resettime': new Date(state.reset * 1000).toUTCString()
	};
}

/** The bodies GitLab refuses a token with (rack-oauth2's `invalid_token` for expired and revoked ones). */
function refusal(error: 'unknown' | 'expired' | 'revoked'): GitLabError {
	if (error === 'unknown') return new GitLabError(401, { message: '401 Unauthorized' });
	const description = error === 'expired' ? 'Token is expired. You can either do re-authorization or token refresh.' : 'Token was revoked. You have to re-authorize from the user.';
	return new GitLabError(401, { error: 'invalid_token', error_description: description }, { 'www-authenticate': `Bearer realm="", error="invalid_token", error_description="${description}"` });
}

/** A text answer (`Retry later` and the like), thrown like the JSON ones. */
class TextAnswer extends Error {
	readonly status: number;
	readonly headers: Record<string, string>;
	constructor(status: number, text: string, headers: Record<string, string>) {
		super(text);
		this.status = status;
		this.headers = headers;
	}
}

const retryLater = (seconds: number, headers: Record<string, string> = {}) => new TextAnswer(429, 'Retry later\n', { ...headers, 'retry-after': String(seconds) });

export function createGitLabApi(context: GitLabContext) {
	const { model, auth, rateLimits, faults, counters } = context;
	const routes: GitLabRoute[] = [...userRoutes(model), ...groupRoutes(model, auth), ...projectRoutes(model, auth), ...mergeRequestRoutes(model, auth)];
	const compiled = routes.map((route) => ({ route, match: compile(route.path) }));

	function find(path: string): { route: GitLabRoute; params: Record<string, string> } | null {
		for (const { route, match } of compiled) {
			const params = match(path);
			if (params) return { route, params };
		}
		return null;
	}

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL): Promise<void> {
		const started = performance.now();
		const path = url.pathname.slice(API_PREFIX.length) || '/';
		const method = req.method ?? 'GET';
		const requestId = randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase();
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'cache-control': 'max-age=0, private, must-revalidate',
			vary: 'Origin, Accept-Encoding',
			'x-content-type-options': 'nosniff',
			'x-frame-options': 'SAMEORIGIN',
			'x-request-id': requestId,
			'x-gitlab-meta': JSON.stringify({ correlation_id: requestId, version: '1' })
		};
		const found = method === 'GET' || method === 'HEAD' ? find(path) : null;
		const kind = found?.route.kind ?? 'unknown';
		countRequest(counters, kind);
		let status = 500;
		let fault: Fault | undefined;
		try {
			fault = faults.take('gitlab', method, path);
			if (await applyFault(fault, req, { status: (code) => new GitLabError(code, { message: `${code} ${REASONS[code] ?? 'Internal Server Error'}` }), limited: (seconds) => retryLater(seconds) })) {
				status = 0;
				return;
			}

			const result = auth.authenticate(req.headers);
			if ('error' in result) throw refusal(result.error);
			const token: GitLabToken | null = result.token;
			const limit = rateLimits.state(GitLabAuth.bucket(token, req.socket.remoteAddress ?? '127.0.0.1'));
			if (!rateLimits.spend(limit)) throw retryLater(Math.max(1, limit.reset - Math.floor(Date.now() / 1000)), rateLimitHeaders(limit));
			Object.assign(headers, rateLimitHeaders(limit));

			if (!found) throw new GitLabError(404, { error: '404 Not Found' });
			const { route, params } = found;
			if (token && !token.scopes.some((scope) => route.scopes.includes(scope))) {
				throw new GitLabError(403, {
					error: 'insufficient_scope',
					error_description: 'The request requires higher privileges than provided by the access token.',
					scope: route.scopes.join(' ')
				});
			}
			const request: GitLabRequest = { path, query: url.searchParams, origin, token, params };
			const response = await route.handle(request);
			Object.assign(headers, response.headers);
			status = 200;
			let text = JSON.stringify(response.body);
			if (fault?.kind === 'malformed') text = malformed(text);
			if (method === 'HEAD') text = '';
			await writeAnswer(res, status, headers, text, fault);
		} catch (error) {
			if (error instanceof TextAnswer) {
				status = error.status;
				await writeAnswer(res, status, { ...headers, ...error.headers, 'content-type': 'text/plain; charset=utf-8' }, error.message);
				return;
			}
			const answer = error instanceof GitLabError ? error : new GitLabError(500, { message: '500 Internal Server Error' });
			if (!(error instanceof GitLabError)) context.log('gitlab.request.failed', { method, path, error: String(error) });
			status = answer.status;
			await writeAnswer(res, status, { ...headers, ...answer.headers }, JSON.stringify(answer.body));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || fault) {
				context.log('gitlab.request', { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}
