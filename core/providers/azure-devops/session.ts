// One conversation with an Azure DevOps organization (or an Azure DevOps Server collection): its
// REST API under `{organization URL}/_apis` and `{organization URL}/{project}/_apis`, called through
// the providers' own fetch (shared/provider-fetch.ts: network rules, no redirects, this origin only,
// Retry-After, 5xx retries) with the personal access token as HTTP basic's password and an empty
// user name, every call at api-version 7.1. The field client (azure-devops-node-api) is not used to
// send: its typed methods drop the answer's headers (continuation tokens, the quota) and it never
// waits out a 429; its interfaces type the answers (types.ts).
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { GitCredentials, GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota, Check } from '../provider.ts';
import { createProviderAgent } from '../shared/http-agent.ts';
import { basic, createProviderFetch } from '../shared/provider-fetch.ts';
import { readServerUrl } from '../shared/server-address.ts';
import { AzureRateLimitedError, AzureResponseError, azureErrors, describeAzureError, malformed, readAzureError, type ErrorContext } from './errors.ts';
import type { AzureForm } from './fields.ts';

export type AzureDevOpsCredentials = { method: 'personal-access-token'; token: string };

export const apiVersion = '7.1';

export interface AzureSessionOptions {
	signal?: AbortSignal;
	/** How often a 5xx or a dropped connection is tried again; 3 unless told. */
	retries?: number;
	onQuota?: (quota: ApiQuota) => void;
	/** After every answer (activities heartbeat through it). */
	onAnswer?: () => void;
}

export interface AzureAnswer<T> {
	data: T;
	headers: Headers;
}

export interface AzureSession {
	/** The organization URL, without a trailing slash. */
	baseUrl: string;
	/** GET `{baseUrl}{path}` with the query and api-version; JSON back, or an error thrown (AzureResponseError, AzureRateLimitedError, network). */
	get<T>(path: string, query?: Record<string, string | number | undefined>, what?: string): Promise<AzureAnswer<T>>;
	/** POST a JSON body (a WIQL query, a batch of work item ids) the same way. */
	post<T>(path: string, body: unknown, query?: Record<string, string | number | undefined>, what?: string): Promise<AzureAnswer<T>>;
	quota(): ApiQuota | undefined;
	credentials: AzureDevOpsCredentials;
	caCertificate: string | null;
	errors: ErrorContext;
	git: GitSettings;
}

/**
 * Azure DevOps reports its throttling only once a user nears it: X-RateLimit-Limit, -Remaining and
 * -Reset (epoch seconds, when the window has room again). Before that, nothing: plentiful.
 */
export function readAzureQuota(headers: Headers): ApiQuota | undefined {
	if (!headers.has('x-ratelimit-limit') || !headers.has('x-ratelimit-remaining')) return undefined;
	const limit = Number(headers.get('x-ratelimit-limit'));
	const remaining = Number(headers.get('x-ratelimit-remaining'));
	if (!Number.isFinite(limit) || !Number.isFinite(remaining)) return undefined;
	const reset = Number(headers.get('x-ratelimit-reset'));
	const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 300_000);
	return { limit, remaining: Math.max(0, remaining), resetAt };
}

export function openAzureSession(
	input: { baseUrl: string | null; settings: Record<string, unknown>; credentials: AzureDevOpsCredentials },
	git: GitSettings,
	options: AzureSessionOptions = {}
): AzureSession {
	if (!input.baseUrl) throw new Error('This integration has no organization URL: edit it and enter one.');
	const baseUrl = input.baseUrl.replace(/\/+$/, '');
	const errors = azureErrors(baseUrl);
	const caCertificate = typeof input.settings.caCertificate === 'string' ? input.settings.caCertificate : null;
	let last: ApiQuota | undefined;
	let send: ReturnType<typeof createProviderFetch>;
	try {
		send = createProviderFetch({
			agent: createProviderAgent(baseUrl, git, caCertificate),
			origin: new URL(baseUrl).origin,
			headers: { authorization: basic('', input.credentials.token), accept: 'application/json', 'x-tfs-fedauthredirect': 'Suppress' },
			...(options.signal ? { signal: options.signal } : {}),
			...(options.retries !== undefined ? { retries: options.retries } : {}),
			...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
			readQuota: readAzureQuota,
			onQuota: (quota) => {
				last = quota;
				options.onQuota?.(quota);
			},
			rateLimited: (resetAt, quota) => new AzureRateLimitedError(resetAt, quota),
			// Azure meters a sliding five-minute window: a minute frees a fifth of it.
			unknownWaitMs: 60_000
		});
	} catch (error) {
		throw describeAzureError(error, errors);
	}
	async function call<T>(method: 'GET' | 'POST', path: string, query: Record<string, string | number | undefined>, body: unknown, what?: string): Promise<AzureAnswer<T>> {
		const url = new URL(`${baseUrl}${path}`);
		for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
		url.searchParams.set('api-version', apiVersion);
		const response = await send(url, body === undefined ? {} : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
		const type = response.headers.get('content-type') ?? '';
		// Credentials Azure did not take: its sign-in page, with 203 Non-Authoritative Information.
		if (response.status === 203 && /text\/html/i.test(type)) {
			await response.body?.cancel();
			throw new AzureResponseError(response.status, '', null, true);
		}
		if (!response.ok) throw await readAzureError(response);
		const text = await response.text();
		try {
			return { data: JSON.parse(text) as T, headers: response.headers };
		} catch {
			throw malformed(errors, what ?? `${method} ${url.pathname.slice(new URL(baseUrl).pathname.length) || '/'}`);
		}
	}
	return {
		baseUrl,
		credentials: input.credentials,
		caCertificate,
		errors,
		git,
		quota: () => last,
		get: <T>(path: string, query: Record<string, string | number | undefined> = {}, what?: string) => call<T>('GET', path, query, undefined, what),
		post: <T>(path: string, body: unknown, query: Record<string, string | number | undefined> = {}, what?: string) => call<T>('POST', path, query, body, what)
	};
}

/** What git sends for clones: any user name (Azure ignores it) and the token. */
export function azureGitCredentials(session: Pick<AzureSession, 'credentials' | 'caCertificate'>): GitCredentials {
	return { method: 'https-token', username: 'pat', token: session.credentials.token, ...(session.caCertificate ? { caCertificate: session.caCertificate } : {}) };
}

/**
 * The organization URL: https://dev.azure.com/{organization} (anything pasted after the
 * organization, like a project or repository path, dropped), https://{organization}.visualstudio.com,
 * or a server's collection URL; an `/_apis…` path pasted with it is dropped too.
 */
export function readAzureUrl(input: string | undefined, allowedSchemes: string[]): Check<string> {
	const read = readServerUrl(input, allowedSchemes, {
		product: 'Azure DevOps organization',
		example: 'https://dev.azure.com/your-organization',
		credentials: 'the personal access token below',
		apiSuffix: /\/_apis(\/.*)?$/i
	});
	if (!read.ok) return read;
	const url = new URL(read.value);
	if (url.hostname.toLowerCase() === 'dev.azure.com') {
		const organization = url.pathname.split('/').find(Boolean);
		if (!organization || organization.startsWith('_')) return { ok: false, errors: { baseUrl: 'Add your organization to the address: https://dev.azure.com/your-organization.' } };
		return { ok: true, value: `${url.protocol}//${url.host}/${organization}` };
	}
	return read;
}

/** Azure DevOps PATs are 52 characters of base32 (84 in the newer format); any printable run is taken. */
const printable = /^[\x21-\x7e]+$/;

export function azureCredentialsFrom(form: AzureForm, editing = false): Check<AzureDevOpsCredentials> {
	const token = form.token?.trim() ?? '';
	if (!token) return { ok: false, errors: { token: editing ? 'Type the token again to change the authentication.' : 'Paste a personal access token.' } };
	if (!printable.test(token)) return { ok: false, errors: { token: 'A token has no spaces, line breaks or accented characters: paste it again, alone.' } };
	return { ok: true, value: { method: 'personal-access-token', token } };
}

/** What the UI may show: whose token, never any part of it. */
export function describeAzureCredentials(credentials: AzureDevOpsCredentials | null, user: SignedInUser, account?: string): string {
	if (!credentials) return 'No credentials';
	return `Personal access token${account ? ` of ${account}` : ''}, entered by ${user.email}`;
}
