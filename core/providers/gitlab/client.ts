// The GitLab field client: @gitbeaker/rest's resources over a request handler of our own. Its
// default handler retries 429 and 502 ten times with waits of a quarter millisecond onwards,
// ignoring Retry-After, and uses the global fetch (no custom CA, no network rules). Ours:
// - one agent with the server's CA and git's network rules (shared/http-agent.ts);
// - never follows redirects, and never sends the token to another origin than the server's
//   (gitbeaker follows pagination links by their query only; a handler check holds it anyway);
// - hears GitLab's quota on every answer (RateLimit-Limit / -Remaining / -Reset);
// - a 429 with a short Retry-After is waited out here, twice at most; a longer one ends the call
//   with RateLimitedError and the workflow waits for the reset with a Temporal timer;
// - 5xx and dropped connections are tried again a few times, with backoff.
import { setTimeout as delay } from 'node:timers/promises';
import { Gitlab } from '@gitbeaker/rest';
import { createRequesterFn, type FormattedResponse, type ResponseBodyTypes } from '@gitbeaker/requester-utils';
import { fetch as undiciFetch, type Agent } from 'undici';
import type { GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { createProviderAgent } from '../shared/http-agent.ts';

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

/** Retry-After waits up to this long are taken in the call. */
const inlineWaitSeconds = 10;

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

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
	if (!header) return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
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

function requestHandler(agent: Agent, origin: string, options: ClientOptions, heard: (quota: ApiQuota) => void) {
	const retries = options.retries ?? 3;
	return async (endpoint: string, request?: Record<string, unknown>): Promise<FormattedResponse> => {
		const { prefixUrl, searchParams, method, headers, body, signal: timeout } = (request ?? {}) as {
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
		if (url.origin !== origin) throw new Error(`Refused to send the token to ${url.origin}: only ${origin} gets it.`);
		const signal = AbortSignal.any([timeout, options.signal].filter((s): s is AbortSignal => s !== undefined));
		let waited = 0;
		for (let attempt = 0; ; attempt++) {
			let response: Response;
			try {
				response = (await undiciFetch(url, {
					method: method ?? 'GET',
					headers: { 'user-agent': 'Tributary (integrations control plane; +https://tributary.example/bot)', ...headers },
					body,
					redirect: 'manual',
					signal,
					dispatcher: agent
				})) as unknown as Response;
			} catch (error) {
				if (signal.aborted || attempt >= retries) throw error;
				await delay(250 * 2 ** attempt, undefined, { signal });
				continue;
			}
			options.onAnswer?.();
			const quota = readQuota(response.headers);
			if (quota) heard(quota);
			if (response.status === 429) {
				await response.body?.cancel();
				const wait = retryAfterMs(response.headers.get('retry-after'));
				if (wait !== null && wait <= inlineWaitSeconds * 1000 && waited < 2) {
					waited++;
					await delay(wait, undefined, { signal });
					attempt--;
					continue;
				}
				const resetAt = wait !== null ? new Date(Date.now() + wait) : (quota?.resetAt ?? new Date(Date.now() + 60_000));
				throw new RateLimitedError(resetAt, quota);
			}
			if (response.status >= 500 && attempt < retries) {
				await response.body?.cancel();
				await delay(250 * 2 ** attempt, undefined, { signal });
				continue;
			}
			if (response.status >= 300 && response.status < 400) {
				await response.body?.cancel();
				const to = response.headers.get('location');
				throw new GitLabResponseError(response.status, `a redirect${to ? ` to ${to.slice(0, 200)}` : ''}, which Tributary does not follow with a token`, 'redirect', null);
			}
			if (!response.ok) throw await readError(response);
			return { body: await readBody(response), headers: Object.fromEntries(response.headers.entries()), status: response.status };
		}
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
	const requesterFn = createRequesterFn((_, requestOptions) => Promise.resolve(requestOptions), requestHandler(agent, new URL(host).origin, options, heard));
	const api = new Gitlab({ host, token: credentials.token, requesterFn, queryTimeout: 120_000 });
	return { api, quota: () => last };
}
