// GitLab's credentials: an access token (personal, group or project; `glpat-…` on current
// servers). Read from the form, described without the secret, checked for shape before anything
// is sent to GitLab.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Check } from '../provider.ts';
import { readServerUrl } from '../shared/server-address.ts';
import type { GitLabCredentials } from './client.ts';
import type { GitLabForm } from './fields.ts';

export function credentialsFrom(form: GitLabForm, editing = false): Check<GitLabCredentials> {
	const token = form.token?.trim();
	if (!token) return { ok: false, errors: { token: editing ? 'Type the token again to change the authentication.' : 'Paste an access token.' } };
	if (/\s/.test(token)) return { ok: false, errors: { token: 'A token has no spaces or line breaks: paste it again, alone.' } };
	if (!/^[\x21-\x7e]+$/.test(token)) return { ok: false, errors: { token: 'This token contains characters GitLab tokens never have.' } };
	return { ok: true, value: { method: 'personal-access-token', token } };
}

/**
 * What the UI may show about the credentials: never the secret, nor any part of it. `account` is
 * the token's user as the form's test found it (a group or project token's user is a bot).
 */
export function describeCredentials(credentials: GitLabCredentials | null, user: SignedInUser, account?: { username: string; bot: boolean }): string {
	if (!credentials) return 'No credentials';
	if (!account) return `Access token, entered by ${user.email}`;
	const label = account.bot ? 'Group or project access token' : 'Personal access token';
	return `${label} of ${account.username}, entered by ${user.email}`;
}

/** A self-managed server's address; its API is under /api/v4, which the product adds itself. */
export function readBaseUrl(input: string | undefined, allowedSchemes: string[]): Check<string> {
	return readServerUrl(input, allowedSchemes, { product: 'GitLab server', example: 'https://gitlab.example.com', credentials: 'the token below', apiSuffix: /\/api\/v4$/ });
}
