// What went wrong talking to Bitbucket (Cloud or Data Center), as one category and a sentence a
// person can act on: the connection test shows it, and an update that fails on it shows it as the
// integration's status. Both editions' answers are read into BitbucketResponseError first.
import { describeNetworkFailure, networkCodeOf, type NetworkFailureCategory } from '../shared/network-failure.ts';
import { ProviderError } from '../shared/provider-error.ts';
import { RedirectRefusedError } from '../shared/provider-fetch.ts';
import type { ApiQuota } from '../provider.ts';

export type BitbucketFailureCategory = NetworkFailureCategory | 'bad-credentials' | 'missing-permission' | 'not-found' | 'rate-limited' | 'server-error' | 'malformed' | 'other';

export class BitbucketError extends ProviderError<BitbucketFailureCategory> {
	override readonly name = 'BitbucketError';
}

/** Bitbucket's quota is spent until `resetAt`: nothing more can be asked before. */
export class BitbucketRateLimitedError extends Error {
	readonly resetAt: Date;
	readonly quota: ApiQuota | undefined;
	constructor(resetAt: Date, quota?: ApiQuota) {
		super(`Bitbucket's rate limit is spent until ${resetAt.toISOString().slice(11, 16)} UTC.`);
		this.resetAt = resetAt;
		this.quota = quota;
	}
}

/** An answer other than 2xx: its status, what Bitbucket said, and the scopes it names (Cloud's scope refusals). */
export class BitbucketResponseError extends Error {
	readonly status: number;
	readonly said: string;
	readonly granted: string[] | null;
	readonly required: string[] | null;
	constructor(status: number, said: string, scopes: { granted?: string[] | null; required?: string[] | null } = {}) {
		super(`Bitbucket answered ${status}${said ? `: ${said}` : ''}`);
		this.status = status;
		this.said = said;
		this.granted = scopes.granted ?? null;
		this.required = scopes.required ?? null;
	}
}

const strings = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null);

/**
 * Reads an error answer: Cloud's `{type:"error", error:{message, detail:{granted, required}}}`,
 * Data Center's `{errors:[{message}]}`, or text (a proxy's page is dropped).
 */
export async function readBitbucketError(response: Response): Promise<BitbucketResponseError> {
	const text = (await response.text().catch(() => '')).slice(0, 4_000);
	let said = text.trim().startsWith('<') ? '' : text.trim();
	let scopes: { granted?: string[] | null; required?: string[] | null } = {};
	try {
		const body = JSON.parse(text) as { error?: { message?: unknown; detail?: unknown }; errors?: Array<{ message?: unknown }> };
		if (body.error && typeof body.error.message === 'string') {
			said = body.error.message;
			const detail = body.error.detail;
			if (typeof detail === 'object' && detail !== null) scopes = { granted: strings((detail as { granted?: unknown }).granted), required: strings((detail as { required?: unknown }).required) };
			else if (typeof detail === 'string') said = `${said} ${detail}`;
		} else if (Array.isArray(body.errors)) {
			said = body.errors.map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean).join(' ');
		}
	} catch {
		// Not JSON: the text as it came.
	}
	return new BitbucketResponseError(response.status, said.slice(0, 300), scopes);
}

export interface ErrorContext {
	/** "Bitbucket Cloud" or "Your Bitbucket server (bitbucket.example.com)". */
	server: string;
	/** The integration has a CA certificate field (Data Center). */
	caField: boolean;
	/** What to create instead of refused credentials, in the edition's words. */
	renew: string;
	/** What the credentials need, in the edition's words. */
	needs: string;
}

const time = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/** Any error from the field client (or our own checks) as a BitbucketError. */
export function describeBitbucketError(error: unknown, context: ErrorContext): BitbucketError {
	if (error instanceof BitbucketError) return error;
	const { server } = context;
	if (error instanceof BitbucketRateLimitedError) {
		return new BitbucketError('rate-limited', `${server}'s rate limit is spent until about ${time(error.resetAt)}: Tributary waits and tries again then.`, error.resetAt);
	}
	if (error instanceof RedirectRefusedError) {
		return new BitbucketError('other', `${server} answered with ${error.message}: check the address (its https:// form, and any path it is served under).`);
	}
	if (error instanceof BitbucketResponseError) {
		const quoted = error.said ? ` (“${error.said}”)` : '';
		if (error.status === 401) {
			const expired = /expired/i.test(error.said);
			return new BitbucketError('bad-credentials', `${server} refused the credentials${quoted}: ${expired ? 'they have expired' : 'they were revoked, have expired or were mistyped'}. ${context.renew}`);
		}
		if (error.status === 403) {
			if (error.required && error.required.length > 0) {
				const needed = error.required.map((s) => `“${s}”`).join(' and ');
				return new BitbucketError('missing-permission', `${server} accepted the credentials, but they lack a scope this needs (${needed}): ${context.needs}`);
			}
			return new BitbucketError('missing-permission', `${server} refused access${quoted}: the credentials' user may not read this. ${context.needs}`);
		}
		if (error.status === 404) return new BitbucketError('not-found', `${server} answered 404 Not Found${quoted}: it does not exist, or these credentials may not see it.`);
		if (error.status >= 500) return new BitbucketError('server-error', `${server} answered with server errors (${error.status}) several times in a row: it may be having an outage. Try again later.`);
		return new BitbucketError('other', `${server} answered ${error.status}${quoted}.`);
	}
	if (error instanceof SyntaxError) return malformed(context, 'a request');
	const network = networkCodeOf(error);
	if (network) {
		const fix = context.caField ? 'paste the CA certificate that signed it in the “CA certificate” field' : 'check that nothing between this server and Bitbucket intercepts HTTPS';
		const failure = describeNetworkFailure(network, server, fix);
		return new BitbucketError(failure.category, failure.message);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new BitbucketError('other', `Talking to ${server} failed: ${message}`);
}

/** An answer that is not what Bitbucket sends. */
export function malformed(context: ErrorContext, what: string): BitbucketError {
	return new BitbucketError('malformed', `${context.server} sent an answer Tributary cannot read for ${what} (not the JSON Bitbucket sends): a proxy may be in the way, or the address is not a Bitbucket server.`);
}
