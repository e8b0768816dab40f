// The shape every GitLab REST handler shares: a parsed request in, a JSON body out. Refusals are
// thrown as GitLabError and leave with GitLab's bodies (`{"message": "404 Project Not Found"}`,
// `{"error": "state does not have a valid value"}`).
import type { GitLabToken } from './auth.ts';

/** Where GitLab lives on the simulator: `<origin>/gitlab` is the host a user types. */
export const GITLAB_PREFIX = '/gitlab';
export const API_PREFIX = `${GITLAB_PREFIX}/api/v4`;

export interface GitLabRequest {
	/** Path after `/gitlab/api/v4`, as sent (a project path stays `acme%2Fapi`). */
	path: string;
	query: URLSearchParams;
	/** `http://127.0.0.1:P` or `https://…`: where the request came, for the URLs we answer with. */
	origin: string;
	token: GitLabToken | null;
	params: Record<string, string>;
}

export interface GitLabResponse {
	body: unknown;
	headers?: Record<string, string>;
}

/** A GET route: the simulator's GitLab API is read-only (changes go through the control API). */
export interface GitLabRoute {
	/** A template for `compile`, after `/gitlab/api/v4`. */
	path: string;
	/** The route's kind in the request counters (`merge_requests.list`…). */
	kind: string;
	/** Token scopes that may call it; `read_api` and `api` read everything. */
	scopes: string[];
	handle(req: GitLabRequest): GitLabResponse | Promise<GitLabResponse>;
}

export class GitLabError extends Error {
	readonly status: number;
	readonly body: Record<string, unknown>;
	readonly headers: Record<string, string>;
	constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
		super(String(body.message ?? body.error));
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

export const API_SCOPES = ['api', 'read_api'];
export const USER_SCOPES = ['api', 'read_api', 'read_user'];

/** `404 Project Not Found`, `404 Group Not Found`…: what GitLab answers for what the caller may not see either. */
export const notFound = (what: string) => new GitLabError(404, { message: `404 ${what} Not Found` });

/** Grape's answer to a parameter outside its allowed values. */
export const notValid = (name: string) => new GitLabError(400, { error: `${name} does not have a valid value` });

/** The host (`<origin>/gitlab`) the request came to: the root of web URLs. */
export function hostOf(req: Pick<GitLabRequest, 'origin'>): string {
	return `${req.origin}${GITLAB_PREFIX}`;
}

/** GitLab's timestamps keep their milliseconds. */
export function time(ms: number): string;
export function time(ms: number | null): string | null;
export function time(ms: number | null): string | null {
	return ms === null ? null : new Date(ms).toISOString();
}

/** A query parameter among `values`, or the default; anything else is refused as GitLab does. */
export function oneOf<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback: T): T {
	const value = query.get(name);
	if (value === null || value === '') return fallback;
	if (!values.includes(value as T)) throw notValid(name);
	return value as T;
}

export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
	const value = query.get(name);
	if (value === null || value === '') return undefined;
	if (['true', '1', 'yes', 't'].includes(value.toLowerCase())) return true;
	if (['false', '0', 'no', 'f'].includes(value.toLowerCase())) return false;
	throw new GitLabError(400, { error: `${name} is invalid` });
}

export function integerParam(query: URLSearchParams, name: string): number | undefined {
	const value = query.get(name);
	if (value === null || value === '') return undefined;
	if (!/^-?\d+$/.test(value)) throw new GitLabError(400, { error: `${name} is invalid` });
	return Number(value);
}

/** An ISO 8601 time parameter, in epoch milliseconds. */
export function timeParam(query: URLSearchParams, name: string): number | undefined {
	const value = query.get(name);
	if (value === null || value === '') return undefined;
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) throw new GitLabError(400, { error: `${name} is invalid` });
	return ms;
}
