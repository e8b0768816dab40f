// Reading forms: every field is checked before anything touches the database, and every refusal
// is a sentence about the field, never an exception.
import { z } from 'zod';

// NUL and other control characters cannot be stored in Postgres text (or mean nothing in a name).
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function text(label: string, max: number) {
	return z
		.string({ error: `${label} must be text.` })
		.trim()
		.min(1, `${label} is required.`)
		.max(max, `${label} can be at most ${max} characters.`)
		.refine((value) => !controlCharacters.test(value), `${label} contains control characters, which are not allowed.`);
}

export function email(label = 'Email') {
	return text(label, 254).pipe(z.email({ error: `${label} must be an email address, like name@example.com.` }));
}

/**
 * An optional field kept as typed (secrets, URLs, PEM text): no trimming, only its length and the
 * NUL character Postgres cannot store are checked; what it means is the provider's to read.
 */
export function optionalText(label: string, max: number) {
	return z
		.string({ error: `${label} must be text.` })
		.max(max, `${label} can be at most ${max} characters.`)
		.refine((v) => !v.includes('\u0000'), `${label} contains a NUL character.`)
		.optional();
}

/** Passwords keep their spaces: only their length and storability are checked. */
export function password(label = 'Password', min = 1) {
	return z
		.string({ error: `${label} must be text.` })
		.min(min, min === 1 ? `${label} is required.` : `${label} needs at least ${min} characters.`)
		.max(256, `${label} can be at most 256 characters.`)
		.refine((value) => !value.includes('\u0000'), `${label} contains a NUL character, which is not allowed.`);
}

export function choice<const T extends readonly [string, ...string[]]>(label: string, values: T) {
	return z.enum(values, { error: `${label} must be one of: ${values.join(', ')}.` });
}

export function id(label: string) {
	return z.uuid({ error: `${label} is not a valid id.` });
}

export type FormResult<T> =
	| { ok: true; data: T }
	| { ok: false; errors: Record<string, string>; values: Record<string, string> };

/** Fields whose values never go back to the browser, not even to refill a form. */
const secretField = /password|token|privatekey|secret/i;

/**
 * Checks a form against a schema. On failure, returns one message per field and the submitted
 * values to show again (never a password, token or key).
 */
export function readForm<S extends z.ZodObject>(form: FormData, schema: S): FormResult<z.infer<S>> {
	const raw: Record<string, unknown> = {};
	for (const key of Object.keys(schema.shape)) {
		const all = form.getAll(key);
		// A repeated field is a tampered form: take nothing from it.
		raw[key] = all.length === 1 ? all[0] : all.length === 0 ? undefined : all;
	}
	const parsed = schema.safeParse(raw);
	if (parsed.success) return { ok: true, data: parsed.data };
	const errors: Record<string, string> = {};
	for (const issue of parsed.error.issues) {
		const field = String(issue.path[0] ?? 'form');
		errors[field] ??= issue.code === 'invalid_type' && raw[field] === undefined ? `${field} is required.` : issue.message;
	}
	const values: Record<string, string> = {};
	for (const [key, value] of Object.entries(raw)) {
		if (typeof value === 'string' && !secretField.test(key)) values[key] = value.slice(0, 300);
	}
	return { ok: false, errors, values };
}

/** What of a read form may go back to the page to refill it: never a password, token or key. */
export function publicValues(data: Record<string, unknown>): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [key, value] of Object.entries(data)) {
		if (typeof value === 'string' && !secretField.test(key)) values[key] = value.slice(0, 300);
	}
	return values;
}

/** A path to go back to after signing in: a path of this site, never another site. */
export function safeNext(next: string | null): string {
	if (!next?.startsWith('/')) return '/';
	// Read it the way a browser reads a Location header (tabs and line breaks dropped, `\` taken
	// as `/`, `%2F` left alone), against a placeholder origin: whatever leaves it is another site.
	const origin = 'http://tributary.invalid';
	let url: URL;
	try {
		url = new URL(next, origin);
	} catch {
		return '/';
	}
	const path = url.pathname + url.search + url.hash;
	// `/.//evil.example` reads as the path `//evil.example`, which a browser takes for a host.
	if (url.origin !== origin || path.startsWith('//')) return '/';
	return path;
}
