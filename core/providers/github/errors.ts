// What went wrong talking to GitHub, as one category and a sentence a person can act on: the
// connection test shows it, and an update that fails on it shows it as the integration's status.
import { describeNetworkFailure, networkCodeOf } from '../shared/network-failure.ts';
import { ProviderError } from '../shared/provider-error.ts';
import { RateLimitedError } from './client.ts';

export type GitHubFailureCategory =
	| 'bad-credentials'
	| 'missing-permission'
	| 'not-found'
	| 'tls'
	| 'dns'
	| 'unreachable'
	| 'private-network'
	| 'rate-limited'
	| 'server-error'
	| 'malformed'
	| 'other';

/** A failure already put in words; `permanent` ones will not go away by trying again. */
export class GitHubError extends ProviderError<GitHubFailureCategory> {
	override readonly name = 'GitHubError';
}

/** Where the answer came from and what the person can change, to name in the sentence. */
export interface ErrorContext {
	/** "GitHub" or "your GitHub Enterprise Server (github.example.com)". */
	server: string;
	/** The integration has a CA certificate field (GitHub Enterprise Server). */
	caField: boolean;
	/** The credentials are an App's (its private key and installation are named, not a token). */
	app: boolean;
}

const time = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/** Any error from the field client (or our own checks) as a GitHubError. */
export function describeGitHubError(error: unknown, context: ErrorContext): GitHubError {
	if (error instanceof GitHubError) return error;
	const { server } = context;
	if (error instanceof RateLimitedError) {
		const quota = error.quota ? ` (${error.quota.remaining} of ${error.quota.limit} requests left)` : '';
		return new GitHubError('rate-limited', `${server} rate limit is spent until ${time(error.resetAt)}${quota}: Tributary waits and tries again after the reset.`, error.resetAt);
	}
	const network = networkCodeOf(error);
	const status = (error as { status?: unknown }).status;
	const response = (error as { response?: { data?: unknown } }).response;
	if (network && (typeof status !== 'number' || status === 500) && !response) {
		const fix = context.caField ? 'paste the CA certificate that signed it in the “CA certificate” field' : 'check that nothing between this server and GitHub intercepts HTTPS';
		const failure = describeNetworkFailure(network, server, fix);
		return new GitHubError(failure.category, failure.message);
	}
	if (typeof status === 'number') {
		const data = response?.data;
		const said = typeof data === 'object' && data && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : '';
		const quoted = said ? ` (“${said.slice(0, 200)}”)` : '';
		if (status === 401) {
			if (context.app) {
				return new GitHubError('bad-credentials', `${server} refused the GitHub App's credentials${quoted}: check the App ID and that the private key is the App's current one (it may have been revoked).`);
			}
			return new GitHubError('bad-credentials', `${server} refused the token${quoted}: it was revoked, has expired or was mistyped. Edit the integration and enter a valid token.`);
		}
		if (status === 403) return new GitHubError('missing-permission', `${server} refused access${quoted}: the ${context.app ? 'App lacks a permission' : 'token lacks a scope or permission'} this needs.`);
		if (status === 404) return new GitHubError('not-found', `${server} answered 404 Not Found${quoted}: it does not exist, or the ${context.app ? 'App' : 'token'} may not see it.`);
		if (status >= 500) return new GitHubError('server-error', `${server} answered with server errors (${status}) several times in a row: it may be having an outage. Try again later.`);
		return new GitHubError('other', `${server} answered ${status}${quoted}.`);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new GitHubError('other', `Talking to ${server} failed: ${message}`);
}

/** An answer that is not what GitHub sends (not JSON, or missing what every such answer has). */
export function malformed(context: ErrorContext, what: string): GitHubError {
	return new GitHubError('malformed', `${context.server} sent an answer Tributary cannot read for ${what} (not the JSON GitHub sends): a proxy may be in the way, or the address is not a GitHub API.`);
}
