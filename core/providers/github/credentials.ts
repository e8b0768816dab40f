// GitHub's credentials: a personal access token (classic `ghp_…` or fine-grained `github_pat_…`)
// or a GitHub App's id, private key and installation. Read from the form, described without
// their secret, and checked for shape before anything is sent to GitHub.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Check } from '../provider.ts';
import { readCaCertificate, readServerUrl } from '../shared/server-address.ts';
import type { GitHubCredentials } from './client.ts';
import type { GitHubForm } from './fields.ts';

/** Which kind of personal token this is, by GitHub's own prefixes. */
export function tokenKind(token: string): 'classic' | 'fine-grained' | 'other' {
	if (token.startsWith('github_pat_')) return 'fine-grained';
	if (token.startsWith('ghp_')) return 'classic';
	return 'other';
}

const pem = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]+-----END \1PRIVATE KEY-----/;

/**
 * The credentials a form asks for. When editing, a form that types no secret keeps the sealed
 * value without coming here; one that changes part of an App's must give it all again, since the
 * web process never opens the stored secret to fill the rest in.
 */
export function credentialsFrom(form: GitHubForm, editing = false): Check<GitHubCredentials> {
	if (form.authMethod === 'personal-access-token') {
		const token = form.token?.trim();
		if (!token) return { ok: false, errors: { token: editing ? 'Type the token again to change the authentication.' : 'Paste a personal access token.' } };
		if (/\s/.test(token)) return { ok: false, errors: { token: 'A token has no spaces or line breaks: paste it again, alone.' } };
		if (!/^[\x21-\x7e]+$/.test(token)) return { ok: false, errors: { token: 'This token contains characters GitHub tokens never have.' } };
		return { ok: true, value: { method: 'personal-access-token', token } };
	}
	const errors: Record<string, string> = {};
	const appId = form.appId?.trim() ?? '';
	const installationId = form.installationId?.trim() ?? '';
	const privateKey = form.privateKey?.trim() ? `${form.privateKey.replace(/\r\n?/g, '\n').trim()}\n` : '';
	const again = editing ? ' (type all three again to change the App)' : '';
	if (!/^\d{1,20}$/.test(appId)) errors.appId = appId ? 'The App ID is a number, like 123456 (not the client ID “Iv1.…”).' : `The App ID is required${again}.`;
	if (!/^\d{1,20}$/.test(installationId)) {
		errors.installationId = installationId ? 'The installation ID is a number, the end of the installation’s settings URL.' : `The installation ID is required${again}.`;
	}
	if (!privateKey) errors.privateKey = `Paste the App’s private key (the whole .pem file)${again}.`;
	else if (!pem.test(privateKey)) errors.privateKey = 'This does not look like a private key: it should start with “-----BEGIN RSA PRIVATE KEY-----” and end with “PRIVATE KEY-----”.';
	if (Object.keys(errors).length > 0) return { ok: false, errors };
	return { ok: true, value: { method: 'github-app', appId, installationId, privateKey } };
}

/** What the UI may show about the credentials: never the secret, nor any part of it. */
export function describeCredentials(credentials: GitHubCredentials | null, user: SignedInUser, account?: string): string {
	const whose = account ? ` of ${account}` : '';
	if (!credentials) return 'No credentials';
	if (credentials.method === 'github-app') return `GitHub App ${credentials.appId}, installation ${credentials.installationId}${account ? ` on ${account}` : ''}, entered by ${user.email}`;
	const kind = tokenKind(credentials.token);
	const label = kind === 'classic' ? 'Classic personal access token' : kind === 'fine-grained' ? 'Fine-grained personal access token' : 'Personal access token';
	return `${label}${whose}, entered by ${user.email}`;
}

/** A GitHub Enterprise Server's address; its API is under /api/v3, which the product adds itself. */
export function readBaseUrl(input: string | undefined, allowedSchemes: string[]): Check<string> {
	return readServerUrl(input, allowedSchemes, { product: 'GitHub Enterprise Server', example: 'https://github.example.com', credentials: 'the token or App below', apiSuffix: /\/api\/v3$/ });
}

export { readCaCertificate };
