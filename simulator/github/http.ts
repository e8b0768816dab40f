// The shape every REST handler shares: a parsed request in, a status and a JSON body out.
// Errors are thrown as ApiError and leave as GitHub's `{message, documentation_url, status}`.
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './auth.ts';

export interface ApiRequest {
	method: string;
	/** Path without the GHES `/api/v3` prefix and without the query. */
	path: string;
	/** `/api/v3` when the request came to the GHES-style path, else ''. */
	prefix: string;
	query: URLSearchParams;
	/** `http://127.0.0.1:P` or `https://…`: where the request came, for the URLs we answer with. */
	origin: string;
	headers: IncomingHttpHeaders;
	principal: Principal | null;
	params: Record<string, string>;
	body: unknown;
}

export interface ApiResponse {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Route {
	method: 'GET' | 'POST';
	/** A path template: `:name` matches one segment. */
	path: string;
	/** The route's kind in the request counters (`pulls.list`…). */
	kind: string;
	/** Who may call it: anyone, only authenticated callers, or only the App's JWT. */
	auth: 'any' | 'user' | 'app-jwt';
	/** Scopes GitHub lists in `X-Accepted-OAuth-Scopes` for it. */
	acceptedScopes?: string;
	/** Counts against the core rate limit (GET /rate_limit does not). */
	rateLimited?: boolean;
	handle(req: ApiRequest): ApiResponse | Promise<ApiResponse>;
}

export class ApiError extends Error {
	readonly status: number;
	readonly documentation: string;
	readonly headers: Record<string, string>;
	constructor(status: number, message: string, documentation = 'https://docs.github.com/rest', headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.documentation = documentation;
		this.headers = headers;
	}

	body(): { message: string; documentation_url: string; status: string } {
		return { message: this.message, documentation_url: this.documentation, status: String(this.status) };
	}
}

export const notFound = () => new ApiError(404, 'Not Found');

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
	return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The API root and the web root a response's URLs point at. */
export function roots(req: Pick<ApiRequest, 'origin' | 'prefix'>): { api: string; web: string } {
	return { api: `${req.origin}${req.prefix}`, web: req.origin };
}

/** An integer query parameter, or the default when absent or not a number. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
	const value = Number.parseInt(query.get(name) ?? '', 10);
	return Number.isFinite(value) ? value : fallback;
}

export function sinceParam(query: URLSearchParams): number | null {
	const since = query.get('since');
	if (!since) return null;
	const ms = Date.parse(since);
	if (Number.isNaN(ms)) throw new ApiError(422, 'Invalid request.\n\nInvalid value for parameter since.', 'https://docs.github.com/rest');
	return ms;
}
