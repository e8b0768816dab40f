import { describe, expect, it } from 'vitest';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { mergeEdit } from '#core/domain/integrations/concurrent-edit.ts';

const fields: FormField[] = [
	{ name: 'baseUrl', label: 'Server URL', type: 'url' },
	{ name: 'token', label: 'Token', type: 'password', secret: true },
	{ name: 'urls', label: 'Repository URLs', type: 'textarea', addOnly: true }
];
const base = { name: 'Payments', authMethod: 'personal-access-token', baseUrl: 'https://git.example.com', credentials: 'token of ada' };
/** A form as the browser sends it: the values, and each base beside them. */
const form = (values: Record<string, string>) => ({
	...base,
	token: '',
	...values,
	...Object.fromEntries(Object.entries(base).map(([key, value]) => [`base.${key}`, value]))
});

describe('merging two people’s edits', () => {
	it('takes their change to a field this person left alone, and keeps this person’s to another field', () => {
		const stored = { ...base, baseUrl: 'https://git2.example.com' };
		expect(mergeEdit(form({ name: 'Payments API' }), stored, fields)).toEqual({
			ok: true,
			replacesCredentials: false,
			values: { name: 'Payments API', authMethod: 'personal-access-token', baseUrl: 'https://git2.example.com', credentials: 'token of ada', token: '' }
		});
	});

	it('is a conflict, with both values, where both changed one field differently', () => {
		const stored = { ...base, name: 'Billing' };
		expect(mergeEdit(form({ name: 'Payments API' }), stored, fields)).toEqual({ ok: false, conflicts: [{ field: 'name', label: 'Name', theirs: 'Billing', yours: 'Payments API' }] });
		// The same new value from both is no conflict.
		expect(mergeEdit(form({ name: 'Billing' }), stored, fields)).toMatchObject({ ok: true, values: { name: 'Billing' } });
	});

	it('replaces credentials unless someone else replaced them meanwhile', () => {
		expect(mergeEdit(form({ token: 'ghp_new' }), base, fields)).toMatchObject({ ok: true, replacesCredentials: true, values: { token: 'ghp_new' } });
		const replaced = { ...base, credentials: 'token of max' };
		expect(mergeEdit(form({ token: 'ghp_new' }), replaced, fields)).toMatchObject({ ok: false, conflicts: [{ field: 'credentials', theirs: 'token of max' }] });
		// Not touching them keeps theirs.
		expect(mergeEdit(form({ name: 'Payments API' }), replaced, fields)).toMatchObject({ ok: true, replacesCredentials: false });
	});

	it('cannot merge a form that does not say what it started from', () => {
		expect(mergeEdit({ ...base, token: '' }, base, fields)).toEqual({ ok: false, noBase: true });
	});
});
