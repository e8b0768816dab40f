// One conversation with a Bitbucket Data Center server: its field client (@coderabbitai/bitbucket's
// Server client, on `<server>/rest`) with the integration's credentials, how messages name the
// server, and what git sends for clones.
import { createBitbucketServerClient } from '@coderabbitai/bitbucket/server';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { GitCredentials, GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota, Check } from '../provider.ts';
import { describeBitbucketError, malformed, type ErrorContext } from '../bitbucket/errors.ts';
import { bitbucketTransport, type BitbucketClientOptions } from '../bitbucket/http.ts';
import { basic } from '../shared/provider-fetch.ts';
import { readServerUrl } from '../shared/server-address.ts';
import { readTokenBucketQuota } from '../shared/token-bucket-quota.ts';
import type { DataCenterForm } from './fields.ts';

/** `username` of a token: its user, as the server named it when the form was tested (git needs one). */
export type BitbucketDataCenterCredentials = { method: 'personal-access-token'; token: string; username?: string } | { method: 'basic'; username: string; password: string };

export type ServerApi = ReturnType<typeof createBitbucketServerClient>;

export interface DataCenterSession {
	api: ServerApi;
	quota(): ApiQuota | undefined;
	/** The server's address, without /rest. */
	baseUrl: string;
	credentials: BitbucketDataCenterCredentials;
	caCertificate: string | null;
	errors: ErrorContext;
	git: GitSettings;
}

export function dataCenterErrors(baseUrl: string): ErrorContext {
	return {
		server: `Your Bitbucket server (${new URL(baseUrl).host})`,
		caField: true,
		renew: 'Create a new HTTP access token (Manage account → HTTP access tokens), then edit the integration and enter it.',
		needs: 'the token needs Project read and Repository read (a user token), or Repository read (a project or repository token).'
	};
}

/** Data Center's rate limiting: a token bucket per user (shared/token-bucket-quota.ts). */
export const readDataCenterQuota = readTokenBucketQuota;

function authorization(credentials: BitbucketDataCenterCredentials): string {
	return credentials.method === 'personal-access-token' ? `Bearer ${credentials.token}` : basic(credentials.username, credentials.password);
}

export function openDataCenterSession(
	input: { baseUrl: string | null; settings: Record<string, unknown>; credentials: BitbucketDataCenterCredentials },
	git: GitSettings,
	options: Omit<BitbucketClientOptions, 'settings' | 'caCertificate'> = {}
): DataCenterSession {
	if (!input.baseUrl) throw new Error('This integration has no server address: edit it and enter one.');
	const errors = dataCenterErrors(input.baseUrl);
	const caCertificate = typeof input.settings.caCertificate === 'string' ? input.settings.caCertificate : null;
	try {
		const restUrl = `${input.baseUrl}/rest`;
		const transport = bitbucketTransport(restUrl, authorization(input.credentials), { ...options, settings: git, caCertificate }, readDataCenterQuota);
		const api = createBitbucketServerClient({ baseUrl: restUrl, fetch: transport.fetch });
		return { api, quota: transport.quota, baseUrl: input.baseUrl, credentials: input.credentials, caCertificate, errors, git };
	} catch (error) {
		throw describeBitbucketError(error, errors);
	}
}

/** What git sends for clones: the user and the token (or password); a token of unknown user takes any name. */
export function dataCenterGitCredentials(session: DataCenterSession): GitCredentials {
	const { credentials } = session;
	const secret = credentials.method === 'basic' ? { username: credentials.username, token: credentials.password } : { username: credentials.username ?? 'x-token-auth', token: credentials.token };
	return { method: 'https-token', ...secret, ...(session.caCertificate ? { caCertificate: session.caCertificate } : {}) };
}

/** The server's address; its API is under /rest, which the product adds itself. */
export function readDataCenterUrl(input: string | undefined, allowedSchemes: string[]): Check<string> {
	return readServerUrl(input, allowedSchemes, { product: 'Bitbucket server', example: 'https://bitbucket.example.com', credentials: 'the token or password below', apiSuffix: /\/rest(\/api\/(1\.0|latest))?$/ });
}

const printable = /^[\x21-\x7e]+$/;

export function dataCenterCredentialsFrom(form: DataCenterForm, editing = false): Check<BitbucketDataCenterCredentials> {
	if (form.authMethod === 'personal-access-token') {
		const token = form.token?.trim() ?? '';
		if (!token) return { ok: false, errors: { token: editing ? 'Type the token again to change the authentication.' : 'Paste an HTTP access token.' } };
		if (!printable.test(token)) return { ok: false, errors: { token: 'A token has no spaces, line breaks or accented characters: paste it again, alone.' } };
		return { ok: true, value: { method: 'personal-access-token', token } };
	}
	const errors: Record<string, string> = {};
	const username = form.username?.trim() ?? '';
	const password = form.password ?? '';
	if (!username || /[\s:]/.test(username)) errors.username = 'Enter the Bitbucket username (no spaces or “:”).';
	if (!password) errors.password = editing ? 'Type the password again to change the authentication.' : 'Enter the password.';
	return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'basic', username, password } };
}

/** What the UI may show: whose credentials, never the secret. */
export function describeDataCenterCredentials(credentials: BitbucketDataCenterCredentials | null, user: SignedInUser): string {
	if (!credentials) return 'No credentials';
	if (credentials.method === 'basic') return `Password of ${credentials.username}, entered by ${user.email}`;
	return `HTTP access token${credentials.username ? ` of ${credentials.username}` : ''}, entered by ${user.email}`;
}

/** An answer's data, or the malformed-answer error when there is none. */
export function required<T>(session: DataCenterSession, data: T | undefined, what: string): T {
	if (data === undefined || data === null) throw malformed(session.errors, what);
	return data;
}
