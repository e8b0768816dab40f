// The GitLab field client: @gitbeaker/rest's resources over a request handler of our own. Its
// default handler retries 429 and 502 ten times with waits of a quarter millisecond onwards,
// ignoring Retry-After, and uses the global fetch (no custom CA, no network rules). Ours sends
// through the providers' own fetch (shared/provider-fetch.ts: network rules, no redirects, the
// token to the server's origin only, Retry-After honoured, 5xx retried) and hears GitLab's quota
// on every answer (RateLimit-Limit / -Remaining / -Reset).
import { Gitlab } from '@gitbeaker/rest';
import { createRequesterFn, type FormattedResponse, type ResponseBodyTypes } from '@gitbeaker/requester-utils';
import type { GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { createProviderAgent } from '../shared/http-agent.ts';
import { createProviderFetch, RedirectRefusedError, type ProviderFetch } from '../shared/provider-fetch.ts';

export type GitLabCredentials = { method: 'personal-access-token'; token: string };

export type GitLabApi = InstanceType<typeof Gitlab<false>>;

/** GitLab's quota is spent until `resetAt`: nothing more can be asked before. */
export class RateLimitedError extends Error {
	readonly resetAt: Date;
	readonly quota: ApiQuota | undefined;
	constructor(resetAt: Date, quota?: ApiQuota) {
		super(`GitLab's rate limit is spent until ${resetAt.toISOString().slice(11, 16)} UTC${quota ? ` (${quota.remaining} of ${quota.limit} left)` : ''}.`);
		this.resetAt = resetAt;
		this.quota = quota;
	}
}

/** An answer other than 2xx: its status, and what GitLab said (`message`, or `error` and `error_description`). */
export class GitLabResponseError extends Error {
	readonly status: number;
	readonly said: string;
	/** GitLab's `error` code where it gives one (`insufficient_scope`, `invalid_token`). */
	readonly code: string | null;
	/** The scopes GitLab says the route needs (on insufficient_scope). */
	readonly neededScope: string | null;
	constructor(status: number, said: string, code: string | null, neededScope: string | null) {
		super(`GitLab answered ${status}${said ? `: ${said}` : ''}`);
		this.status = status;
		this.said = said;
		this.code = code;
		this.neededScope = neededScope;
	}
}

export interface ClientOptions {
	settings: GitSettings;
	caCertificate?: string | null;
	signal?: AbortSignal;
	/** How often a 5xx or a dropped connection is tried again; 3 unless told. */
	retries?: number;
	/** Hears the quota after every answer that carries one. */
	onQuota?: (quota: ApiQuota) => void;
	/**
	 * After every answer: gitbeaker reads all pages of a list in one call, and a long one (a large
	 * instance's projects) must still tell Temporal the activity is alive between them.
	 */
	onAnswer?: () => void;
}

export interface GitLabClient {
	api: GitLabApi;
	/** The last quota GitLab reported, if any answer carried one. */
	quota(): ApiQuota | undefined;
}

function readQuota(headers: Headers): ApiQuota | undefined {
	const limit = Number(headers.get('ratelimit-limit'));
	const remaining = Number(headers.get('ratelimit-remaining'));
	const reset = Number(headers.get('ratelimit-reset'));
	if (!headers.has('ratelimit-limit') || !Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return undefined;
	return { limit, remaining, resetAt: new Date(reset * 1000) };
}

async function readError(response: Response): Promise<GitLabResponseError> {
	const text = (await response.text().catch(() => '')).slice(0, 2_000);
	let said = text.trim().startsWith('<') ? '' : text.trim();
	let code: string | null = null;
	let scope: string | null = null;
	try {
		const body = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown; scope?: unknown };
		const message = typeof body.message === 'string' ? body.message : body.message ? JSON.stringify(body.message) : '';
		code = typeof body.error === 'string' ? body.error : null;
		said = message || (typeof body.error_description === 'string' ? body.error_description : code ?? '');
		scope = typeof body.scope === 'string' ? body.scope : null;
	} catch {
		// Not JSON: the text as it came (a proxy's page is dropped above).
	}
	return new GitLabResponseError(response.status, said.slice(0, 300), code, scope);
}

async function readBody(response: Response): Promise<ResponseBodyTypes> {
	if (response.status === 204) return null;
	const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
	const text = await response.text();
	if (type === 'application/json') return JSON.parse(text) as ResponseBodyTypes;
	return text;
}

function requestHandler(send: ProviderFetch) {
	return async (endpoint: string, request?: Record<string, unknown>): Promise<FormattedResponse> => {
		const { prefixUrl, searchParams, method, headers, body, signal } = (request ?? {}) as {
			prefixUrl?: string;
			searchParams?: string;
			method?: string;
			headers?: Record<string, string>;
			body?: string;
			signal?: AbortSignal;
		};
		const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl ?? ''}/`;
		const url = new URL(endpoint, base);
		if (searchParams) url.search = searchParams;
		let response: Response;
		try {
			response = await send(url, { method: method ?? 'GET', headers, body, signal });
		} catch (error) {
			if (error instanceof RedirectRefusedError) throw new GitLabResponseError(error.status, error.message, 'redirect', null);
			throw error;
		}
		if (!response.ok) throw await readError(response);
		return { body: await readBody(response), headers: Object.fromEntries(response.headers.entries()), status: response.status };
	};
}

/** `host`: gitlab.com's or a self-managed server's address, without /api/v4. */
export function createGitLabClient(host: string, credentials: GitLabCredentials, options: ClientOptions): GitLabClient {
	const agent = createProviderAgent(host, options.settings, options.caCertificate);
	let last: ApiQuota | undefined;
	const heard = (quota: ApiQuota) => {
		last = quota;
		options.onQuota?.(quota);
	};
	const send = createProviderFetch({
		agent,
		origin: new URL(host).origin,
		...(options.signal ? { signal: options.signal } : {}),
		...(options.retries !== undefined ? { retries: options.retries } : {}),
		...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
		readQuota,
		onQuota: heard,
		rateLimited: (resetAt, quota) => new RateLimitedError(resetAt, quota)
	});
	const requesterFn = createRequesterFn((_, requestOptions) => Promise.resolve(requestOptions), requestHandler(send));
	const api = new Gitlab({ host, token: credentials.token, requesterFn, queryTimeout: 120_000 });
	return { api, quota: () => last };
}
