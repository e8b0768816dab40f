// One conversation with a Jira site (Cloud) or server (Data Center): JSON requests through the
// providers' own fetch (shared/provider-fetch.ts: the server's CA, no redirects, this origin
// only, Retry-After, 5xx retries) with the integration's credentials; answers other than 2xx
// thrown as JiraResponseError; the quota as each edition reports it.
import type { GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { createProviderAgent } from '../shared/http-agent.ts';
import { basic, createProviderFetch } from '../shared/provider-fetch.ts';
import { readTokenBucketQuota } from '../shared/token-bucket-quota.ts';
import type { JiraCredentials } from './credentials.ts';
import { describeJiraError, JiraRateLimitedError, malformed, readJiraError, type ErrorContext } from './errors.ts';

export type JiraEdition = 'cloud' | 'data-center';

export interface JiraSessionOptions {
	signal?: AbortSignal;
	/** How often a 5xx or a dropped connection is tried again; 3 unless told. */
	retries?: number;
	onQuota?: (quota: ApiQuota) => void;
	/** After every answer (activities heartbeat through it). */
	onAnswer?: () => void;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface JiraSession {
	edition: JiraEdition;
	/** The site's address, without a trailing slash (Jira's REST API is under /rest). */
	baseUrl: string;
	errors: ErrorContext;
	/** A JSON request to `{baseUrl}{path}`; the answer's JSON, or an error thrown. */
	request<T>(method: 'GET' | 'POST', path: string, options?: { query?: Query; body?: unknown }): Promise<T>;
	quota(): ApiQuota | undefined;
}

export function jiraErrors(edition: JiraEdition, baseUrl: string): ErrorContext {
	const host = new URL(baseUrl).host;
	return edition === 'cloud'
		? { server: `Jira Cloud (${host})`, caField: false, renew: 'Create a new API token (id.atlassian.com → Security → API tokens), then edit the integration and enter it.' }
		: { server: `Your Jira server (${host})`, caField: true, renew: 'Create a new personal access token (your profile → Personal access tokens), then edit the integration and enter it.' };
}

/**
 * Jira Cloud reports its quota only near or over the limit: X-RateLimit-Limit, -Remaining and
 * -Reset (an ISO 8601 time). Before that, nothing: plentiful.
 */
export function readCloudQuota(headers: Headers): ApiQuota | undefined {
	if (!headers.has('x-ratelimit-limit') || !headers.has('x-ratelimit-remaining')) return undefined;
	const limit = Number(headers.get('x-ratelimit-limit'));
	const remaining = Number(headers.get('x-ratelimit-remaining'));
	if (!Number.isFinite(limit) || !Number.isFinite(remaining)) return undefined;
	const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
	return { limit, remaining: Math.max(0, remaining), resetAt: Number.isNaN(reset) ? new Date(Date.now() + 60_000) : new Date(reset) };
}

export function authorization(credentials: JiraCredentials): string {
	switch (credentials.method) {
		case 'api-token':
			return basic(credentials.email, credentials.token);
		case 'personal-access-token':
			return `Bearer ${credentials.token}`;
		case 'basic':
			return basic(credentials.username, credentials.password);
	}
}

function queryString(query: Query | undefined): string {
	const params = new URLSearchParams();
	for (const [name, value] of Object.entries(query ?? {})) {
		if (value === undefined) continue;
		params.set(name, Array.isArray(value) ? value.join(',') : String(value));
	}
	const text = params.toString();
	return text ? `?${text}` : '';
}

export function openJiraSession(
	edition: JiraEdition,
	input: { baseUrl: string | null; settings: Record<string, unknown>; credentials: JiraCredentials },
	git: GitSettings,
	options: JiraSessionOptions = {}
): JiraSession {
	if (!input.baseUrl) throw new Error('This integration has no site address: edit it and enter one.');
	const baseUrl = input.baseUrl.replace(/\/+$/, '');
	const errors = jiraErrors(edition, baseUrl);
	const caCertificate = edition === 'data-center' && typeof input.settings.caCertificate === 'string' ? input.settings.caCertificate : null;
	let last: ApiQuota | undefined;
	let send: ReturnType<typeof createProviderFetch>;
	try {
		send = createProviderFetch({
			agent: createProviderAgent(baseUrl, git, caCertificate),
			origin: new URL(baseUrl).origin,
			// Data Center answers a refused basic sign-in with a CAPTCHA after a few tries unless told not to.
			headers: { authorization: authorization(input.credentials), accept: 'application/json', 'x-atlassian-token': 'no-check' },
			...(options.signal ? { signal: options.signal } : {}),
			...(options.retries !== undefined ? { retries: options.retries } : {}),
			...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
			readQuota: edition === 'cloud' ? readCloudQuota : readTokenBucketQuota,
			onQuota: (quota) => {
				last = quota;
				options.onQuota?.(quota);
			},
			rateLimited: (resetAt, quota) => new JiraRateLimitedError(resetAt, quota),
			unknownWaitMs: 60_000
		});
	} catch (error) {
		throw describeJiraError(error, errors);
	}
	return {
		edition,
		baseUrl,
		errors,
		async request<T>(method: 'GET' | 'POST', path: string, request: { query?: Query; body?: unknown } = {}): Promise<T> {
			let response: Response;
			try {
				response = await send(`${baseUrl}${path}${queryString(request.query)}`, {
					method,
					...(request.body === undefined ? {} : { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } })
				});
			} catch (error) {
				throw describeJiraError(error, errors);
			}
			if (!response.ok) throw describeJiraError(await readJiraError(response), errors);
			const text = await response.text();
			try {
				return JSON.parse(text) as T;
			} catch {
				throw malformed(errors, `${method} ${path.split('?')[0]}`);
			}
		},
		quota: () => last
	};
}
