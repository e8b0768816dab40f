// The GitHub field client: octokit 5 (its throttling and retry plugins included) with a real
// user agent, GitHub Enterprise Server's /api/v3, a custom CA for self-signed servers, the same
// network rules as git (no private addresses unless allowed), and rate limits turned into values:
// a short wait (a secondary limit's few seconds) is taken here; a spent quota ends the call with
// RateLimitedError, and the workflow waits for the reset with a Temporal timer.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from 'octokit';
import { fetch as undiciFetch } from 'undici';
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import type { GitSettings } from '#core/git/run-git.ts';
import { createProviderAgent } from '../shared/http-agent.ts';

export type GitHubCredentials =
	| { method: 'personal-access-token'; token: string }
	| { method: 'github-app'; appId: string; privateKey: string; installationId: string };

/** Where GitHub.com is reached (the settings TRIBUTARY_GITHUB_API_URL and TRIBUTARY_GITHUB_URL). */
export interface GitHubCloud {
	githubApiUrl: string;
	githubUrl: string;
}

export const githubCloud: GitHubCloud = { githubApiUrl: 'https://api.github.com', githubUrl: 'https://github.com' };

/** Where the API is: github.com's, or a GitHub Enterprise Server's under /api/v3. */
export function apiUrlOf(kind: ProviderKind, baseUrl: string | null, cloud: GitHubCloud = githubCloud): string {
	if (kind !== 'github-enterprise' || !baseUrl) return cloud.githubApiUrl;
	const base = baseUrl.replace(/\/+$/, '');
	return base.endsWith('/api/v3') ? base : `${base}/api/v3`;
}

/** The quota as GitHub reported it on the last answer. */
export interface Quota {
	limit: number;
	remaining: number;
	resetAt: Date;
}

/** GitHub's quota is spent until `resetAt`: nothing more can be asked before. */
export class RateLimitedError extends Error {
	readonly resetAt: Date;
	readonly quota: Quota | undefined;
	constructor(resetAt: Date, quota?: Quota) {
		super(`GitHub's rate limit is spent until ${resetAt.toISOString().slice(11, 16)} UTC${quota ? ` (${quota.remaining} of ${quota.limit} left)` : ''}.`);
		this.resetAt = resetAt;
		this.quota = quota;
	}
}

/** Waits this short (a secondary limit's retry-after, usually a minute at most) are taken in the call. */
const inlineWaitSeconds = 60;

export interface ClientOptions {
	settings: GitSettings;
	/** PEM of the CA that signed a self-hosted server's certificate. */
	caCertificate?: string;
	signal?: AbortSignal;
	/** How often a failed request (a 5xx, a network error) is tried again; 3 unless told. */
	retries?: number;
	/** Hears the quota after every answer (the integration's page shows it; concurrency follows it). */
	onQuota?: (quota: Quota) => void;
}

export interface GitHubClient {
	octokit: Octokit;
	/** The last quota GitHub reported, if any answer carried one. */
	quota(): Quota | undefined;
}

function readQuota(headers: Record<string, string | number | undefined>): Quota | undefined {
	const limit = Number(headers['x-ratelimit-limit']);
	const remaining = Number(headers['x-ratelimit-remaining']);
	const reset = Number(headers['x-ratelimit-reset']);
	if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return undefined;
	return { limit, remaining, resetAt: new Date(reset * 1000) };
}

export function createGitHubClient(apiUrl: string, credentials: GitHubCredentials, options: ClientOptions): GitHubClient {
	const agent = createProviderAgent(apiUrl, options.settings, options.caCertificate);
	let lastQuota: Quota | undefined;
	const octokit = new Octokit({
		baseUrl: apiUrl,
		userAgent: 'Tributary (integrations control plane; +https://tributary.example/bot)',
		...(credentials.method === 'personal-access-token'
			? { auth: credentials.token }
			: {
					authStrategy: createAppAuth,
					auth: { appId: credentials.appId, privateKey: credentials.privateKey, installationId: credentials.installationId }
				}),
		retry: { retries: options.retries ?? 3 },
		request: {
			// Redirects are not followed: a token goes only to the host the person entered.
			redirect: 'manual',
			signal: options.signal,
			fetch: (url: string, init: Parameters<typeof undiciFetch>[1]) => undiciFetch(url, { ...init, dispatcher: agent })
		},
		throttle: {
			// A spent quota is never waited for here (that would be a sleeping activity): the call
			// ends with RateLimitedError and the workflow's timer waits for the reset.
			onRateLimit: () => false,
			onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 2 && retryAfter <= inlineWaitSeconds
		},
		log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
	});
	octokit.hook.after('request', (response) => {
		const quota = readQuota(response.headers);
		if (quota) {
			lastQuota = quota;
			options.onQuota?.(quota);
		}
	});
	octokit.hook.error('request', (error) => {
		const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
		const status = (error as { status?: number }).status;
		const quota = readQuota(headers);
		if (quota) lastQuota = quota;
		if ((status === 403 || status === 429) && quota && quota.remaining === 0) throw new RateLimitedError(quota.resetAt, quota);
		const retryAfter = Number(headers['retry-after']);
		if ((status === 403 || status === 429) && Number.isFinite(retryAfter)) throw new RateLimitedError(new Date(Date.now() + retryAfter * 1000), quota);
		throw error;
	});
	return { octokit, quota: () => lastQuota };
}
