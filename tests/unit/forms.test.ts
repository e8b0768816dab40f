// A form that fails validation is shown again with what was typed, but never with a secret.
import { describe, expect, it } from 'vitest';
import { readForm } from '#core/forms.ts';
import { genericGitForm } from '#core/providers/generic-git/fields.ts';

describe('readForm', () => {
	it('gives back what was typed, except tokens and private keys', () => {
		const form = new FormData();
		form.set('name', 'Shop');
		form.set('urls', 'not a url');
		form.set('authMethod', 'https-token');
		form.set('username', 'reader');
		form.set('token', 'tok-very-secret');
		form.set('privateKey', '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret');
		form.set('name', '');
		const result = readForm(form, genericGitForm);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.values).toMatchObject({ authMethod: 'https-token', username: 'reader' });
		expect(JSON.stringify(result.values)).not.toMatch(/secret/);
		expect(result.values).not.toHaveProperty('token');
		expect(result.values).not.toHaveProperty('privateKey');
	});
});
