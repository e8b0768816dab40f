// Two people editing one integration (SPEC F11). The edit form sends, beside each value, the value
// it started from (its base). A save made on an older version than the stored one is merged field
// by field: a field this person left as it was takes the stored value, a field only they changed
// keeps theirs, and a field both changed differently is a conflict that the person decides.
// Pure: the edit action and the browser share it.
import type { FormField } from './form-fields.ts';

export const basePrefix = 'base.';
/** The pseudo-field for the credentials: a summary stands for them (secrets never reach the page). */
export const credentialsField = 'credentials';

export interface EditConflict {
	field: string;
	label: string;
	/** What is stored now (someone else's save). */
	theirs: string;
	/** What this person's form holds. */
	yours: string;
}

/**
 * The provider fields stored in the clear, which the edit page shows as they are (a server's
 * address, its CA). The others that remain (tokens, keys, a username, an App's id) are parts of
 * the credentials: shown empty, and filling any of them replaces the credentials.
 */
export const clearFields = ['baseUrl', 'caCertificate'];

/** The fields a save is merged on: the name, the authentication method, and the provider's fields kept in the clear. */
export function comparedFields(fields: FormField[]): Array<{ name: string; label: string }> {
	return [
		{ name: 'name', label: 'Name' },
		{ name: 'authMethod', label: 'Authentication' },
		...fields.filter((field) => !field.addOnly && clearFields.includes(field.name)).map((field) => ({ name: field.name, label: field.label }))
	];
}

export type MergeOutcome =
	| { ok: true; values: Record<string, string>; replacesCredentials: boolean }
	| { ok: false; conflicts: EditConflict[] }
	| { ok: false; noBase: true };

/**
 * Merges what a form sent (`sent`: every field, with `base.<field>` beside each) onto what is
 * stored now (`stored`: the compared fields, and `credentials`: the stored credentials' summary).
 * Credential fields travel as they are: any filled one replaces the credentials, which conflicts
 * only when someone else replaced them meanwhile.
 */
export function mergeEdit(sent: Record<string, string>, stored: Record<string, string>, fields: FormField[]): MergeOutcome {
	const values: Record<string, string> = { ...sent };
	const conflicts: EditConflict[] = [];
	for (const { name, label } of comparedFields(fields)) {
		const base = sent[basePrefix + name];
		if (base === undefined) return { ok: false, noBase: true };
		const yours = sent[name] ?? '';
		const theirs = stored[name] ?? '';
		if (yours === base) values[name] = theirs;
		else if (theirs !== base && theirs !== yours) conflicts.push({ field: name, label, theirs, yours });
	}
	const replacesCredentials = fields.some((field) => !field.addOnly && !clearFields.includes(field.name) && field.type !== 'checkbox' && (sent[field.name] ?? '') !== '');
	const credentialsBase = sent[basePrefix + credentialsField];
	if (credentialsBase === undefined) return { ok: false, noBase: true };
	if (replacesCredentials && (stored[credentialsField] ?? '') !== credentialsBase) {
		conflicts.push({ field: credentialsField, label: 'Credentials', theirs: stored[credentialsField] ?? '', yours: 'the new credentials you entered' });
	}
	if (conflicts.length > 0) return { ok: false, conflicts };
	for (const key of Object.keys(values)) if (key.startsWith(basePrefix)) delete values[key];
	return { ok: true, values, replacesCredentials };
}
