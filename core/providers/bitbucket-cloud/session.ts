// One conversation with Bitbucket Cloud: its field client (@coderabbitai/bitbucket's Cloud client)
// with the integration's credentials, how messages name it, and what git sends for clones.
//
// Credentials: an API token (with the Atlassian account's email for the REST API; git takes the
// fixed user name x-bitbucket-api-token-auth) or, on accounts that still have one, an app password
// (with the Bitbucket username, for both).
import { createBitbucketCloudClient } from '@coderabbitai/bitbucket/cloud';
import type { GitCredentials, GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { describeBitbucketError, malformed, type ErrorContext } from '../bitbucket/errors.ts';
import { bitbucketTransport, type BitbucketClientOptions } from '../bitbucket/http.ts';
import { basic } from '../shared/provider-fetch.ts';

export type BitbucketCloudCredentials = { method: 'api-token'; email: string; token: string } | { method: 'app-password'; username: string; password: string };

export type CloudApi = ReturnType<typeof createBitbucketCloudClient>;

export interface BitbucketCloudSession {
	api: CloudApi;
	/** The last quota heard, if any answer reported one. */
	quota(): ApiQuota | undefined;
	apiUrl: string;
	/** Where clone URLs may point (bitbucket.org beside api.bitbucket.org): credentials go there only. */
	cloneOrigin: string;
	credentials: BitbucketCloudCredentials;
	errors: ErrorContext;
	git: GitSettings;
}

export const cloudErrors: ErrorContext = {
	server: 'Bitbucket Cloud',
	caField: false,
	renew: 'Create a new API token (Atlassian account settings → Security → API tokens), then edit the integration and enter it.',
	needs: 'give the API token the scopes read:user, read:workspace, read:repository and read:pullrequest (all :bitbucket).'
};

/**
 * Bitbucket Cloud reports the limit and, when under a fifth of it is left, X-RateLimit-NearLimit;
 * never how much is left. Near the limit the quota is taken as a fifth left (an upper bound), so
 * fewer requests run at once; otherwise as plentiful.
 */
export function readCloudQuota(headers: Headers): ApiQuota | undefined {
	const limit = Number(headers.get('x-ratelimit-limit'));
	if (!headers.has('x-ratelimit-limit') || !Number.isFinite(limit) || limit <= 0) return undefined;
	const near = headers.get('x-ratelimit-nearlimit') === 'true';
	return { limit, remaining: near ? Math.floor(limit / 5) : limit, resetAt: new Date(Date.now() + 3_600_000) };
}

/** The web (and git) origin beside an API origin: api.bitbucket.org's is bitbucket.org; a proxy's, its own. */
export function cloneOriginOf(apiUrl: string): string {
	const url = new URL(apiUrl);
	return url.hostname.startsWith('api.') ? `${url.protocol}//${url.host.slice(4)}` : url.origin;
}

function authorization(credentials: BitbucketCloudCredentials): string {
	return credentials.method === 'api-token' ? basic(credentials.email, credentials.token) : basic(credentials.username, credentials.password);
}

export function openCloudSession(
	credentials: BitbucketCloudCredentials,
	settings: GitSettings & { bitbucketCloudApiUrl?: string },
	options: Omit<BitbucketClientOptions, 'settings' | 'caCertificate'> = {}
): BitbucketCloudSession {
	const apiUrl = settings.bitbucketCloudApiUrl ?? 'https://api.bitbucket.org/2.0';
	try {
		const transport = bitbucketTransport(apiUrl, authorization(credentials), { ...options, settings }, readCloudQuota);
		const api = createBitbucketCloudClient({ baseUrl: apiUrl, fetch: transport.fetch });
		return { api, quota: transport.quota, apiUrl, cloneOrigin: cloneOriginOf(apiUrl), credentials, errors: cloudErrors, git: settings };
	} catch (error) {
		throw describeBitbucketError(error, cloudErrors);
	}
}

/** What git sends for clones: the API token with Bitbucket's fixed user name, or the username and app password. */
export function cloudGitCredentials(credentials: BitbucketCloudCredentials): GitCredentials {
	return credentials.method === 'api-token'
		? { method: 'https-token', username: 'x-bitbucket-api-token-auth', token: credentials.token }
		: { method: 'https-token', username: credentials.username, token: credentials.password };
}

/** A clone URL as Bitbucket gives it (`https://user@bitbucket.org/ws/repo.git`), without its user name. */
export function withoutUser(url: string): string {
	const parsed = new URL(url);
	parsed.username = '';
	parsed.password = '';
	return parsed.toString();
}

/** An answer's data, or the malformed-answer error when there is none. */
export function required<T>(data: T | undefined, what: string): T {
	if (data === undefined || data === null) throw malformed(cloudErrors, what);
	return data;
}
