// Bitbucket Cloud's credentials from the form, checked for shape before anything is sent, and
// described without the secret.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Check } from '../provider.ts';
import type { CloudForm } from './fields.ts';
import type { BitbucketCloudCredentials } from './session.ts';

const printable = /^[\x21-\x7e]+$/;

function secretProblem(secret: string, what: string): string | null {
	if (/\s/.test(secret)) return `An ${what} has no spaces or line breaks: paste it again, alone.`;
	if (!printable.test(secret)) return `This ${what} contains characters Bitbucket never puts in one.`;
	return null;
}

export function cloudCredentialsFrom(form: CloudForm, editing = false): Check<BitbucketCloudCredentials> {
	const errors: Record<string, string> = {};
	if (form.authMethod === 'api-token') {
		const email = form.email?.trim() ?? '';
		const token = form.token?.trim() ?? '';
		if (!/^[^\s@:]+@[^\s@:]+$/.test(email)) errors.email = 'Enter the email of the Atlassian account the token belongs to.';
		if (!token) errors.token = editing ? 'Type the API token again to change the authentication.' : 'Paste an API token.';
		else {
			const problem = secretProblem(token, 'API token');
			if (problem) errors.token = problem;
		}
		return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'api-token', email, token } };
	}
	const username = form.username?.trim() ?? '';
	const password = form.appPassword?.trim() ?? '';
	if (!/^[A-Za-z0-9_.-]{1,100}$/.test(username)) errors.username = 'Enter your Bitbucket username (letters, digits, “_”, “-” and “.”), not your email.';
	if (!password) errors.appPassword = editing ? 'Type the app password again to change the authentication.' : 'Paste the app password.';
	else {
		const problem = secretProblem(password, 'app password');
		if (problem) errors.appPassword = problem;
	}
	return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { method: 'app-password', username, password } };
}

/** What the UI may show: whose credentials, never any part of the secret. */
export function describeCloudCredentials(credentials: BitbucketCloudCredentials | null, user: SignedInUser, account?: string): string {
	if (!credentials) return 'No credentials';
	const whose = account ?? (credentials.method === 'api-token' ? credentials.email : credentials.username);
	return `${credentials.method === 'api-token' ? 'API token' : 'App password'} of ${whose}, entered by ${user.email}`;
}
