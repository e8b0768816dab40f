// What went wrong talking to Jira (Cloud or Data Center), as one category and a sentence a person
// can act on: the connection test shows it, and an update that fails on it shows it on the
// integration or the project.
import { describeNetworkFailure, networkCodeOf, type NetworkFailureCategory } from '../shared/network-failure.ts';
import { ProviderError } from '../shared/provider-error.ts';
import { RedirectRefusedError } from '../shared/provider-fetch.ts';
import type { ApiQuota } from '../provider.ts';

export type JiraFailureCategory = NetworkFailureCategory | 'bad-credentials' | 'missing-permission' | 'not-found' | 'rate-limited' | 'server-error' | 'malformed' | 'bad-request' | 'other';

export class JiraError extends ProviderError<JiraFailureCategory> {
	override readonly name = 'JiraError';
}

/** Jira's quota is spent until `resetAt`: nothing more can be asked before. */
export class JiraRateLimitedError extends Error {
	readonly resetAt: Date;
	readonly quota: ApiQuota | undefined;
	constructor(resetAt: Date, quota?: ApiQuota) {
		super(`Jira's rate limit is spent until ${resetAt.toISOString().slice(11, 16)} UTC.`);
		this.resetAt = resetAt;
		this.quota = quota;
	}
}

/** An answer other than 2xx: its status and what Jira said (`errorMessages` and `errors`). */
export class JiraResponseError extends Error {
	readonly status: number;
	readonly said: string;
	/** Data Center's reason for a refused sign-in (X-Seraph-LoginReason), when it gives one. */
	readonly loginReason: string | null;
	constructor(status: number, said: string, loginReason: string | null = null) {
		super(`Jira answered ${status}${said ? `: ${said}` : ''}`);
		this.status = status;
		this.said = said;
		this.loginReason = loginReason;
	}
}

/** Reads an error answer: `{errorMessages:[…], errors:{field: message}}`, or text (a proxy's HTML page is dropped). */
export async function readJiraError(response: Response): Promise<JiraResponseError> {
	const text = (await response.text().catch(() => '')).slice(0, 4_000);
	let said = text.trim().startsWith('<') ? '' : text.trim();
	try {
		const body = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
		const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === 'string') : [];
		const fields = typeof body.errors === 'object' && body.errors !== null ? Object.values(body.errors).filter((m): m is string => typeof m === 'string') : [];
		if (messages.length + fields.length > 0) said = [...messages, ...fields].join(' ');
		else if (typeof body.message === 'string') said = body.message;
	} catch {
		// Not JSON: the text as it came.
	}
	return new JiraResponseError(response.status, said.slice(0, 300), response.headers.get('x-seraph-loginreason'));
}

export interface ErrorContext {
	/** "Jira Cloud (acme.atlassian.net)" or "Your Jira server (jira.example.com)". */
	server: string;
	/** The integration has a CA certificate field (Data Center). */
	caField: boolean;
	/** What to create instead of refused credentials, in the edition's words. */
	renew: string;
}

const time = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/** Any error from a request (or our own checks) as a JiraError. */
export function describeJiraError(error: unknown, context: ErrorContext): JiraError {
	if (error instanceof JiraError) return error;
	const { server } = context;
	if (error instanceof JiraRateLimitedError) {
		return new JiraError('rate-limited', `${server}'s rate limit is spent until about ${time(error.resetAt)}: Tributary waits and tries again then.`, error.resetAt);
	}
	if (error instanceof RedirectRefusedError) {
		return new JiraError('other', `${server} answered with ${error.message}: check the address (its https:// form, and any path Jira is served under).`);
	}
	if (error instanceof JiraResponseError) {
		const quoted = error.said ? ` (“${error.said}”)` : '';
		if (error.status === 401 || error.loginReason === 'AUTHENTICATED_FAILED' || error.loginReason === 'AUTHENTICATION_DENIED') {
			const captcha = error.loginReason === 'AUTHENTICATION_DENIED';
			return new JiraError(
				'bad-credentials',
				captcha
					? `${server} refused the sign-in and asks for a CAPTCHA after failed attempts: sign in to Jira in a browser once, or use a personal access token.`
					: `${server} refused the credentials${quoted}: they were revoked, have expired or were mistyped. ${context.renew}`
			);
		}
		if (error.status === 403) return new JiraError('missing-permission', `${server} refused access${quoted}: the credentials' user may not do this. They need the Browse projects permission on the projects to import.`);
		if (error.status === 404) return new JiraError('not-found', `${server} answered 404 Not Found${quoted}: it does not exist, or these credentials may not see it.`);
		if (error.status >= 500) return new JiraError('server-error', `${server} answered with server errors (${error.status}) several times in a row: it may be having an outage. Try again later.`);
		if (error.status === 400) return new JiraError('bad-request', `${server} refused a request${quoted}.`);
		return new JiraError('other', `${server} answered ${error.status}${quoted}.`);
	}
	if (error instanceof SyntaxError) return malformed(context, 'a request');
	const network = networkCodeOf(error);
	if (network) {
		const fix = context.caField ? 'paste the CA certificate that signed it in the “CA certificate” field' : 'check that nothing between this server and Atlassian intercepts HTTPS';
		const failure = describeNetworkFailure(network, server, fix);
		return new JiraError(failure.category, failure.message);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new JiraError('other', `Talking to ${server} failed: ${message}`);
}

/** An answer that is not what Jira sends. */
export function malformed(context: ErrorContext, what: string): JiraError {
	return new JiraError('malformed', `${context.server} sent an answer Tributary cannot read for ${what} (not the JSON Jira sends): a proxy may be in the way, or the address is not a Jira site.`);
}
