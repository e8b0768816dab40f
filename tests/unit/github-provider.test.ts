// GitHub's form and the small rules of its connection test, without a server.
import { describe, expect, it } from 'vitest';
import { missingScopes, neededScopes, parseExpiration } from '#core/providers/github/connection.ts';
import { describeCredentials, readBaseUrl, readCaCertificate, tokenKind } from '#core/providers/github/credentials.ts';
import { githubFields } from '#core/providers/github/fields.ts';

const user = { email: 'max@acme.example' } as Parameters<typeof describeCredentials>[1];

describe('the GitHub form', () => {
	it('asks for a server address and CA only for GitHub Enterprise Server', () => {
		expect(githubFields('github').map((f) => f.name)).toEqual(['token', 'appId', 'installationId', 'privateKey', 'deploymentsFromTags']);
		expect(githubFields('github-enterprise').map((f) => f.name)).toEqual(['baseUrl', 'token', 'appId', 'installationId', 'privateKey', 'caCertificate', 'deploymentsFromTags']);
		expect(githubFields('github').filter((f) => f.secret).map((f) => f.name)).toEqual(['token', 'privateKey']);
	});

	it('reads a server address without its API path, and refuses what is not one', () => {
		expect(readBaseUrl('https://github.example.com/api/v3/', ['https'])).toEqual({ ok: true, value: 'https://github.example.com' });
		expect(readBaseUrl('http://github.example.com', ['https']).ok).toBe(false);
		expect(readBaseUrl('https://me:pw@github.example.com', ['https']).ok).toBe(false);
		expect(readBaseUrl('github.example.com', ['https']).ok).toBe(false);
	});

	it('takes a CA certificate, never a private key', () => {
		expect(readCaCertificate('')).toEqual({ ok: true, value: null });
		expect(readCaCertificate('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----').ok).toBe(true);
		expect(readCaCertificate('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----').ok).toBe(false);
	});

	it('describes credentials by kind and account, with no part of the secret', () => {
		const token = 'github_pat_11ABCDEFG_secretsecretsecret';
		expect(tokenKind(token)).toBe('fine-grained');
		const summary = describeCredentials({ method: 'personal-access-token', token }, user, 'octocat');
		expect(summary).toBe('Fine-grained personal access token of octocat, entered by max@acme.example');
		expect(summary).not.toMatch(/secret|ABCDEFG/);
	});
});

describe('the connection test’s rules', () => {
	it('needs repo and read:org of a classic token, and names what is missing', () => {
		expect(neededScopes(['repos', 'pull-requests'])).toEqual(['repo', 'read:org']);
		expect(missingScopes(['read:user'], ['repo', 'read:org'])).toEqual(['repo', 'read:org']);
		expect(missingScopes(['repo', 'admin:org'], ['repo', 'read:org'])).toEqual([]);
	});

	it('reads GitHub’s token expiry header in its forms', () => {
		expect(parseExpiration('2026-12-11 22:54:28 UTC')?.toISOString()).toBe('2026-12-11T22:54:28.000Z');
		expect(parseExpiration('2026-12-11 22:54:28 -0800')?.toISOString()).toBe('2026-12-12T06:54:28.000Z');
		expect(parseExpiration(undefined)).toBeNull();
		expect(parseExpiration('soon')).toBeNull();
	});
});
