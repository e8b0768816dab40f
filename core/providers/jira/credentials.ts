// Jira's credentials: on Cloud an Atlassian account's email and an API token (HTTP basic); on
// Data Center a personal access token (bearer) or a username and password (basic). Read from the
// form, described without the secret.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Check } from '../provider.ts';

export type JiraCredentials =
	| { method: 'api-token'; email: string; token: string }
	| { method: 'personal-access-token'; token: string }
	| { method: 'basic'; username: string; password: string };

export interface JiraCredentialsForm {
	authMethod: string;
	email?: string | undefined;
	token?: string | undefined;
	username?: string | undefined;
	password?: string | undefined;
}

const printable = /^[\x21-\x7e]+$/;
const email = /^[^\s@]+@[^\s@]+$/;

export function jiraCredentialsFrom(form: JiraCredentialsForm, editing = false): Check<JiraCredentials> {
	const errors: Record<string, string> = {};
	const token = form.token?.trim() ?? '';
	if (form.authMethod === 'api-token' || form.authMethod === 'personal-access-token') {
		if (!token) errors.token = editing ? 'Type the token again to change the authentication.' : form.authMethod === 'api-token' ? 'Paste an API token.' : 'Paste a personal access token.';
		else if (!printable.test(token)) errors.token = 'A token has no spaces, line breaks or accented characters: paste it again, alone.';
		if (form.authMethod === 'personal-access-token') return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'personal-access-token', token } };
		const address = form.email?.trim() ?? '';
		if (!email.test(address)) errors.email = 'Enter the email address of the Atlassian account the token belongs to.';
		return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'api-token', email: address, token } };
	}
	const username = form.username?.trim() ?? '';
	const password = form.password ?? '';
	if (!username || /[\s:]/.test(username)) errors.username = 'Enter the Jira username (no spaces or “:”).';
	if (!password) errors.password = editing ? 'Type the password again to change the authentication.' : 'Enter the password.';
	return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'basic', username, password } };
}

/** What the UI may show: whose credentials, never the secret. `account`: the name Jira gave them, when known. */
export function describeJiraCredentials(credentials: JiraCredentials | null, user: SignedInUser, account?: string): string {
	if (!credentials) return 'No credentials';
	switch (credentials.method) {
		case 'api-token':
			return `API token of ${credentials.email}, entered by ${user.email}`;
		case 'personal-access-token':
			return `Personal access token${account ? ` of ${account}` : ''}, entered by ${user.email}`;
		case 'basic':
			return `Password of ${credentials.username}, entered by ${user.email}`;
	}
}
