// Generic Git's credentials: none (public repositories), an HTTPS username and token, or an SSH
// private key; each works only for URLs of its own transport.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { GitCredentials } from '#core/git/run-git.ts';
import type { Check } from '../provider.ts';
import type { GenericGitForm } from './fields.ts';
import type { ParsedRepository } from './repositories.ts';

/**
 * The credentials a form asks for. When editing, a form that leaves every secret field empty keeps
 * the sealed value without coming here; one that changes part of them must give them all, since
 * the web process never opens the stored secret to fill the rest in.
 */
export function credentialsFrom(form: GenericGitForm, repositories: ParsedRepository[], editing = false): Check<GitCredentials> {
	const needs = (...schemes: string[]) => repositories.filter((r) => !schemes.some((s) => r.url.startsWith(`${s}://`))).map((r) => r.display);
	switch (form.authMethod) {
		case 'none':
			return { ok: true, value: { method: 'none' } };
		case 'https-token': {
			const others = needs('https', 'http');
			if (others.length > 0) return { ok: false, errors: { authMethod: `A token works only for https:// URLs; these are not: ${others.join(', ')}.` } };
			const username = form.username?.trim();
			const token = form.token;
			const errors: Record<string, string> = {};
			if (!username) errors.username = editing ? 'Type the username again to change the token: the two are tested together.' : 'Username is required for token authentication.';
			if (!token) errors.token = editing ? 'Type the token again to change the username: the two are tested together.' : 'Token is required.';
			return username && token ? { ok: true, value: { method: 'https-token', username, token } } : { ok: false, errors };
		}
		case 'ssh-key': {
			const others = needs('ssh');
			if (others.length > 0) return { ok: false, errors: { authMethod: `An SSH key works only for SSH URLs; these are not: ${others.join(', ')}.` } };
			const privateKey = form.privateKey?.trim() ? `${form.privateKey.trim()}\n` : undefined;
			if (!privateKey) return { ok: false, errors: { privateKey: 'Paste the private key (the whole "-----BEGIN … PRIVATE KEY-----" block).' } };
			if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
				return { ok: false, errors: { privateKey: 'This does not look like a private key: it should start with "-----BEGIN" and end with "PRIVATE KEY-----".' } };
			}
			return { ok: true, value: { method: 'ssh-key', privateKey } };
		}
	}
}

export function describeCredentials(credentials: GitCredentials, user: SignedInUser): string {
	switch (credentials.method) {
		case 'none':
			return 'No credentials: public repositories';
		case 'https-token':
			return `HTTPS token of “${credentials.username}”, entered by ${user.email}`;
		case 'ssh-key':
			return `SSH private key, entered by ${user.email}`;
	}
}

