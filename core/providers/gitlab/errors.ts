// What went wrong talking to GitLab, as one category and a sentence a person can act on: the
// connection test shows it, and an update that fails on it shows it as the integration's status.
import { describeNetworkFailure, networkCodeOf, type NetworkFailureCategory } from '../shared/network-failure.ts';
import { ProviderError } from '../shared/provider-error.ts';
import { GitLabResponseError, RateLimitedError } from './client.ts';

export type GitLabFailureCategory = NetworkFailureCategory | 'bad-credentials' | 'missing-permission' | 'not-found' | 'rate-limited' | 'server-error' | 'malformed' | 'other';

/** A failure already put in words; `permanent` ones will not go away by trying again. */
export class GitLabError extends ProviderError<GitLabFailureCategory> {
	override readonly name = 'GitLabError';
}

export interface ErrorContext {
	/** "GitLab" or "Your GitLab server (gitlab.example.com)". */
	server: string;
	/** The integration has a CA certificate field (self-managed). */
	caField: boolean;
}

const time = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/** Any error from the field client (or our own checks) as a GitLabError. */
export function describeGitLabError(error: unknown, context: ErrorContext): GitLabError {
	if (error instanceof GitLabError) return error;
	const { server } = context;
	if (error instanceof RateLimitedError) {
		const quota = error.quota ? ` (${error.quota.remaining} of ${error.quota.limit} requests left)` : '';
		return new GitLabError('rate-limited', `${server}'s rate limit is spent until ${time(error.resetAt)}${quota}: Tributary waits and tries again after the reset.`, error.resetAt);
	}
	if (error instanceof GitLabResponseError) {
		const quoted = error.said ? ` (“${error.said}”)` : '';
		if (error.status === 401) {
			const expired = /expired/i.test(error.said);
			const revoked = /revoked/i.test(error.said);
			const why = expired ? 'it has expired' : revoked ? 'it was revoked' : 'it was revoked, has expired or was mistyped';
			return new GitLabError('bad-credentials', `${server} refused the token${quoted}: ${why}. Create a new token, then edit the integration and enter it.`);
		}
		if (error.status === 403) {
			if (error.code === 'insufficient_scope') {
				const needed = error.neededScope ? ` (it needs ${error.neededScope.split(/\s+/).map((s) => `“${s}”`).join(' or ')})` : '';
				return new GitLabError('missing-permission', `${server} accepted the token, but it lacks a scope this needs${needed}: create a token with the scopes read_api and read_repository.`);
			}
			return new GitLabError('missing-permission', `${server} refused access${quoted}: the token's user (or the token's role) may not read this.`);
		}
		if (error.status === 404) return new GitLabError('not-found', `${server} answered 404 Not Found${quoted}: it does not exist, or the token may not see it.`);
		if (error.status >= 500) return new GitLabError('server-error', `${server} answered with server errors (${error.status}) several times in a row: it may be having an outage. Try again later.`);
		if (error.code === 'redirect') return new GitLabError('other', `${server} answered with ${error.said}: check the address (its https:// form, and any path it is served under).`);
		return new GitLabError('other', `${server} answered ${error.status}${quoted}.`);
	}
	if (error instanceof SyntaxError) return malformed(context, 'a request');
	const network = networkCodeOf(error);
	if (network) {
		const fix = context.caField ? 'paste the CA certificate that signed it in the “CA certificate” field' : 'check that nothing between this server and GitLab intercepts HTTPS';
		const failure = describeNetworkFailure(network, server, fix);
		return new GitLabError(failure.category, failure.message);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new GitLabError('other', `Talking to ${server} failed: ${message}`);
}

/** An answer that is not what GitLab sends (not JSON, or missing what every such answer has). */
export function malformed(context: ErrorContext, what: string): GitLabError {
	return new GitLabError('malformed', `${context.server} sent an answer Tributary cannot read for ${what} (not the JSON GitLab sends): a proxy may be in the way, or the address is not a GitLab server.`);
}
