// Generic Git's form: what the page shows (as data) and how the submitted values are read.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { tagsField } from '../shared/server-fields.ts';

export const gitAuthMethods = ['none', 'https-token', 'ssh-key'] as const;

export const genericGitForm = z.object({
	name: text('Name', 100),
	urls: text('Repository URLs', 40_000),
	authMethod: choice('Authentication', gitAuthMethods),
	username: optionalText('Username', 200),
	token: optionalText('Token', 4_000),
	privateKey: optionalText('Private key', 20_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type GenericGitForm = z.infer<typeof genericGitForm>;

export const genericGitFields: FormField[] = [
	{
		name: 'urls',
		label: 'Repository URLs, one per line',
		type: 'textarea',
		rows: 4,
		required: true,
		addOnly: true,
		maxLength: 40_000,
		placeholder: 'https://git.example.com/team/service.git\ngit@git.example.com:team/library.git'
	},
	{ name: 'username', label: 'Username', type: 'text', authMethods: ['https-token'], maxLength: 200 },
	{
		name: 'token',
		label: 'Token',
		type: 'password',
		secret: true,
		authMethods: ['https-token'],
		maxLength: 4_000,
		help: 'A token that can read these repositories (for example a read-only access token).'
	},
	{
		name: 'privateKey',
		label: 'Private key',
		type: 'textarea',
		rows: 6,
		secret: true,
		authMethods: ['ssh-key'],
		maxLength: 20_000,
		placeholder: '-----BEGIN OPENSSH PRIVATE KEY-----',
		help: 'A deploy key without a passphrase that can read these repositories. It is stored encrypted.'
	},
	tagsField
];
