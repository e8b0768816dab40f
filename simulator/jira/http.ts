// The shape every Jira REST handler shares, and Jira's refusals: thrown as JiraError, they leave
// as `{errorMessages, errors}` with their status.
import type { Flavour } from './flavour.ts';
import type { JiraModel } from './model.ts';
import type { JiraUser } from './people.ts';
import type { JiraErrorBody } from './types.ts';
import type { Searcher } from './search.ts';

export interface JiraRequest {
	method: string;
	/** Path after the REST root (`/search/jql`), as sent. */
	path: string;
	query: URLSearchParams;
	/** The JSON body of a POST; undefined otherwise. */
	body: unknown;
	/** The site's base URL as the caller reached it (`http://127.0.0.1:P/jira-cloud`). */
	base: string;
	/** The REST root answers name: `<base>/rest/api/3`. */
	api: string;
	flavour: Flavour;
	/** Null on the routes anyone may call (serverInfo). */
	user: JiraUser | null;
	model: JiraModel;
	searcher: Searcher;
	params: Record<string, string>;
}

export interface JiraResponse {
	body: unknown;
	status?: number;
	headers?: Record<string, string>;
}

/** A request whose caller signed in. */
export type AuthedRequest = JiraRequest & { user: JiraUser };

interface RouteBase {
	method: 'GET' | 'POST';
	/** A template for `compile` (`:name` one segment). */
	path: string;
	/** The route's kind in the request counters. */
	kind: string;
}

/** A route; the anonymous ones (serverInfo) answer without credentials too. */
export type JiraRoute = RouteBase & ({ anonymous: true; handle(req: JiraRequest): JiraResponse } | { anonymous?: false; handle(req: AuthedRequest): JiraResponse });

export class JiraError extends Error {
	readonly status: number;
	readonly body: JiraErrorBody;
	readonly headers: Record<string, string>;
	constructor(status: number, body: JiraErrorBody, headers: Record<string, string> = {}) {
		super(body.errorMessages[0] ?? `HTTP ${status}`);
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

export const jiraError = (status: number, message: string, headers: Record<string, string> = {}) => new JiraError(status, { errorMessages: [message], errors: {} }, headers);

/** A JQL refusal: Jira adds `warningMessages`. */
export const jqlError = (message: string) => new JiraError(400, { errorMessages: [message], errors: {}, warningMessages: [] });

export const issueNotFound = () => jiraError(404, 'Issue does not exist or you do not have permission to see it.');

export const projectNotFound = (ref: string) => jiraError(404, `No project could be found with key '${ref}'.`);

/** Jira Cloud's answer to a body that is not the JSON the route takes. */
export const badPayload = () => jiraError(400, 'Invalid request payload. Refer to the REST API documentation and try again.');

/** An integer query parameter within [min, max] (values above max are clamped, as Jira does with page sizes). */
export function intParam(query: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw)) throw jiraError(400, `The value '${raw}' is not valid for the parameter '${name}'.`);
	const value = Number(raw);
	if (value < 0) throw jiraError(400, `The '${name}' parameter must not be negative.`);
	return Math.min(value, max);
}

/** A body's integer field: the same rules as `intParam`. */
export function intField(body: Record<string, unknown>, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
	const value = body[name];
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw badPayload();
	return Math.min(value, max);
}

/** A list parameter sent repeated (`fields=a&fields=b`) or comma-separated (`fields=a,b`), or a JSON array. */
export function listParam(values: unknown): string[] | undefined {
	if (values === undefined || values === null) return undefined;
	const items = Array.isArray(values) ? values : [values];
	if (!items.every((item) => typeof item === 'string')) throw badPayload();
	const list = (items as string[]).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean);
	return list;
}

/** The body of a POST as an object. */
export function objectBody(body: unknown): Record<string, unknown> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badPayload();
	return body as Record<string, unknown>;
}
