// The add and edit form of a hosted provider (GitLab, Bitbucket, Azure DevOps…), read the same way
// for each: the server's address and CA for a self-hosted kind, the credentials, and the rules of
// editing — secret fields left empty keep the stored secret, except that a stored secret never
// goes to a new address — with every field's error at once.
import type { AuthMethod } from '#core/domain/integrations/providers.ts';
import type { Check, FormContext, IntegrationDraft } from '../provider.ts';
import { readCaCertificate } from './server-address.ts';

export interface HostedForm {
	name: string;
	authMethod: AuthMethod;
	baseUrl?: string | undefined;
	caCertificate?: string | undefined;
	deploymentsFromTags?: 'on' | undefined;
}

export interface HostedFormRules<Credentials> {
	/** Self-hosted kinds read an address (and an optional CA); hosted ones have neither. */
	readBaseUrl?: (input: string | undefined, allowedSchemes: string[]) => Check<string>;
	/** Whether any secret field was filled in. */
	secretTyped: boolean;
	/** The field an "enter it again" message goes under. */
	secretField: string;
	/** The credentials from the form (called only when they are to be replaced). */
	credentials: () => Check<Credentials>;
}

export function readHostedForm<Credentials>(form: HostedForm, context: FormContext, rules: HostedFormRules<Credentials>): Check<IntegrationDraft<Credentials>> {
	const editing = context.editing;
	const errors: Record<string, string> = {};
	let baseUrl: string | null = null;
	// A new integration imports every group it finds until someone turns that off on its Repos tab.
	const settings: Record<string, unknown> = { autoImportAll: true, ...(editing?.settings ?? {}) };
	if (rules.readBaseUrl) {
		const url = rules.readBaseUrl(form.baseUrl, context.settings.gitAllowedSchemes);
		if (url.ok) baseUrl = url.value;
		else Object.assign(errors, url.errors);
		const ca = readCaCertificate(form.caCertificate);
		if (ca.ok) settings.caCertificate = ca.value;
		else Object.assign(errors, ca.errors);
	}
	const base = { name: form.name, authMethod: form.authMethod, baseUrl, settings, repositories: [], deploymentsFromTags: form.deploymentsFromTags === 'on' };
	// A stored secret goes only to the server it was first tested against.
	if (editing && !rules.secretTyped && baseUrl !== editing.baseUrl && !errors.baseUrl) {
		return { ok: false, errors: { ...errors, [rules.secretField]: 'Enter the credentials again to change the server’s address: stored credentials are never sent to a new address.' } };
	}
	if (editing && form.authMethod === editing.authMethod && !rules.secretTyped) {
		return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { ...base, credentials: null, keepCredentials: true } };
	}
	const credentials = rules.credentials();
	if (!credentials.ok) Object.assign(errors, credentials.errors);
	if (!credentials.ok || Object.keys(errors).length > 0) return { ok: false, errors };
	return { ok: true, value: { ...base, credentials: credentials.value } };
}
