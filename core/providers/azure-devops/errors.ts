// What went wrong talking to Azure DevOps, as one category and a sentence a person can act on: the
// connection test shows it, and an update that fails on it shows it as the integration's status.
// Answers other than 2xx are read into AzureResponseError first (Azure's exception body:
// `{message, typeKey, …}`, the message again in X-TFS-ServiceError); a 203 with an HTML page is
// Azure's sign-in page, which is how it answers credentials it did not accept on most routes.
import type { ApiQuota } from '../provider.ts';
import { describeNetworkFailure, networkCodeOf, type NetworkFailureCategory } from '../shared/network-failure.ts';
import { ProviderError } from '../shared/provider-error.ts';
import { RedirectRefusedError } from '../shared/provider-fetch.ts';

export type AzureFailureCategory = NetworkFailureCategory | 'bad-credentials' | 'missing-permission' | 'not-found' | 'rate-limited' | 'server-error' | 'malformed' | 'other';

export class AzureDevOpsError extends ProviderError<AzureFailureCategory> {
	override readonly name = 'AzureDevOpsError';
	/** The scopes Azure named as missing (`vso.code`). */
	readonly missingScopes: string[];
	constructor(category: AzureFailureCategory, message: string, options: { resetAt?: Date; missingScopes?: string[] } = {}) {
		super(category, message, options.resetAt);
		this.missingScopes = options.missingScopes ?? [];
	}
}

/** Azure DevOps's quota is spent until `resetAt`: nothing more can be asked before. */
export class AzureRateLimitedError extends Error {
	readonly resetAt: Date;
	readonly quota: ApiQuota | undefined;
	constructor(resetAt: Date, quota?: ApiQuota) {
		super(`Azure DevOps's rate limit is spent until ${resetAt.toISOString().slice(11, 16)} UTC.`);
		this.resetAt = resetAt;
		this.quota = quota;
	}
}

/** An answer other than 2xx (or the 203 sign-in page): its status, what Azure said, and its exception's type. */
export class AzureResponseError extends Error {
	readonly status: number;
	readonly said: string;
	readonly typeKey: string | null;
	/** 203 with HTML: the sign-in page, served instead of the resource. */
	readonly signIn: boolean;
	constructor(status: number, said: string, typeKey: string | null = null, signIn = false) {
		super(`Azure DevOps answered ${status}${said ? `: ${said}` : ''}`);
		this.status = status;
		this.said = said;
		this.typeKey = typeKey;
		this.signIn = signIn;
	}
}

/** Reads an error answer: Azure's exception body, else X-TFS-ServiceError, else the text (a proxy's HTML page is dropped). */
export async function readAzureError(response: Response): Promise<AzureResponseError> {
	const text = (await response.text().catch(() => '')).slice(0, 4_000);
	let said = text.trim().startsWith('<') ? '' : text.trim();
	let typeKey: string | null = null;
	try {
		const body = JSON.parse(text) as { message?: unknown; typeKey?: unknown };
		if (typeof body.message === 'string') said = body.message;
		if (typeof body.typeKey === 'string') typeKey = body.typeKey;
	} catch {
		const header = response.headers.get('x-tfs-serviceerror');
		if (header) {
			try {
				said = decodeURIComponent(header);
			} catch {
				said = header;
			}
		}
	}
	return new AzureResponseError(response.status, said.replace(/\s+/g, ' ').trim().slice(0, 300), typeKey);
}

export interface ErrorContext {
	/** "Azure DevOps (dev.azure.com/contoso)". */
	server: string;
	/** What to create instead of refused credentials. */
	renew: string;
}

export function azureErrors(baseUrl: string): ErrorContext {
	const url = new URL(baseUrl);
	return {
		server: `Azure DevOps (${url.host}${url.pathname.replace(/\/+$/, '')})`,
		renew: 'Create a new personal access token (User settings → Personal access tokens) with the scopes Code: Read and Project and Team: Read, then edit the integration and enter it.'
	};
}

const time = (date: Date) => `${date.toISOString().slice(11, 16)} UTC`;

/** The scopes a 401 names as required (`… requires scope vso.code …`). */
export function scopesNamed(said: string): string[] {
	if (!/requires? (?:the )?scopes?\b/i.test(said)) return [];
	return [...new Set(said.match(/\bvso\.\w+(?:\.\w+)*/gi) ?? [])];
}

/** Any error from our requests (or our own checks) as an AzureDevOpsError. */
export function describeAzureError(error: unknown, context: ErrorContext): AzureDevOpsError {
	if (error instanceof AzureDevOpsError) return error;
	const { server } = context;
	if (error instanceof AzureRateLimitedError) {
		return new AzureDevOpsError('rate-limited', `${server}'s rate limit is spent until about ${time(error.resetAt)}: Tributary waits and tries again then.`, { resetAt: error.resetAt });
	}
	if (error instanceof RedirectRefusedError) {
		return new AzureDevOpsError('other', `${server} answered with ${error.message}: check the organization URL (https://dev.azure.com/your-organization, or your server’s collection URL).`);
	}
	if (error instanceof AzureResponseError) {
		const quoted = error.said ? ` (“${error.said}”)` : '';
		if (error.signIn) {
			return new AzureDevOpsError('bad-credentials', `${server} answered with its sign-in page: it did not accept the credentials. ${context.renew}`);
		}
		if (error.status === 401 || error.status === 403) {
			const scopes = scopesNamed(error.said);
			if (scopes.length > 0) {
				const named = scopes.map((s) => `“${s}”`).join(' and ');
				return new AzureDevOpsError(
					'missing-permission',
					`${server} accepted the personal access token, but it lacks the scope ${named}${quoted}: create a token with the scopes Code: Read and Project and Team: Read.`,
					{ missingScopes: scopes }
				);
			}
			if (error.status === 403) return new AzureDevOpsError('missing-permission', `${server} refused access${quoted}: the token's user may not read this.`);
			const why = /expired/i.test(error.said) ? 'it has expired' : /revoked/i.test(error.said) ? 'it was revoked' : 'it was revoked, has expired, was mistyped or belongs to another organization';
			return new AzureDevOpsError('bad-credentials', `${server} refused the personal access token${quoted}: ${why}. ${context.renew}`);
		}
		if (error.status === 404) {
			if (/organization .* could not be found/i.test(error.said) || error.typeKey === 'OrganizationNotFoundException') {
				return new AzureDevOpsError('not-found', `${server} answered that there is no such organization${quoted}: check the organization URL.`);
			}
			return new AzureDevOpsError('not-found', `${server} answered 404 Not Found${quoted}: it does not exist, or this token may not see it.`);
		}
		if (error.status >= 500) return new AzureDevOpsError('server-error', `${server} answered with server errors (${error.status}) several times in a row: it may be having an outage. Try again later.`);
		return new AzureDevOpsError('other', `${server} answered ${error.status}${quoted}.`);
	}
	if (error instanceof SyntaxError) return malformed(context, 'a request');
	const network = networkCodeOf(error);
	if (network) {
		const failure = describeNetworkFailure(network, server, 'paste the CA certificate that signed it in the “CA certificate” field');
		return new AzureDevOpsError(failure.category, failure.message);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new AzureDevOpsError('other', `Talking to ${server} failed: ${message}`);
}

/** An answer that is not what Azure DevOps sends. */
export function malformed(context: ErrorContext, what: string): AzureDevOpsError {
	return new AzureDevOpsError(
		'malformed',
		`${context.server} sent an answer Tributary cannot read for ${what} (not the JSON Azure DevOps sends): a proxy may be in the way, or the address is not an Azure DevOps organization or collection.`
	);
}
