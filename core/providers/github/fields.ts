// GitHub's form, for github.com and for a GitHub Enterprise Server (which adds its address and
// an optional CA certificate): what the page shows, as data, and the shape the form is read in.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { caField, tagsField } from '../shared/server-fields.ts';

export const githubAuthMethods = ['personal-access-token', 'github-app'] as const;
export type GitHubKind = Extract<ProviderKind, 'github' | 'github-enterprise'>;

export const githubForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', githubAuthMethods),
	baseUrl: optionalText('Server URL', 500),
	token: optionalText('Token', 4_000),
	appId: optionalText('App ID', 40),
	installationId: optionalText('Installation ID', 40),
	privateKey: optionalText('Private key', 20_000),
	caCertificate: optionalText('CA certificate', 100_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type GitHubForm = z.infer<typeof githubForm>;

const serverFields: FormField[] = [
	{
		name: 'baseUrl',
		label: 'Server URL',
		type: 'url',
		required: true,
		maxLength: 500,
		placeholder: 'https://github.example.com',
		help: 'The address of your GitHub Enterprise Server; its API is under /api/v3.'
	}
];

const credentialFields: FormField[] = [
	{
		name: 'token',
		label: 'Personal access token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['personal-access-token'],
		maxLength: 4_000,
		placeholder: 'ghp_… or github_pat_…',
		help: 'Classic: scopes repo and read:org. Fine-grained: read access to metadata, contents and pull requests of the repositories to import.'
	},
	{ name: 'appId', label: 'App ID', type: 'text', required: true, authMethods: ['github-app'], maxLength: 40, help: 'On the App’s settings page (“App ID”).' },
	{
		name: 'installationId',
		label: 'Installation ID',
		type: 'text',
		required: true,
		authMethods: ['github-app'],
		maxLength: 40,
		help: 'The number at the end of the installation’s settings URL (…/settings/installations/12345).'
	},
	{
		name: 'privateKey',
		label: 'App private key',
		type: 'textarea',
		rows: 6,
		secret: true,
		required: true,
		authMethods: ['github-app'],
		maxLength: 20_000,
		placeholder: '-----BEGIN RSA PRIVATE KEY-----',
		help: 'The .pem file GitHub generated for the App. It is stored encrypted.'
	}
];


/** github.com asks for no address; a GitHub Enterprise Server asks for its own and perhaps its CA. */
export function githubFields(kind: GitHubKind): FormField[] {
	return kind === 'github-enterprise' ? [...serverFields, ...credentialFields, caField, tagsField] : [...credentialFields, tagsField];
}

/** The form's shape: github.com's has no address or CA to read. */
export function githubFormSchema(kind: GitHubKind, editing: boolean) {
	const schema = kind === 'github-enterprise' ? githubForm : githubForm.omit({ baseUrl: true, caCertificate: true });
	return editing ? schema.omit({ deploymentsFromTags: true }) : schema;
}
