// Bitbucket Data Center's form: the server's address, an HTTP access token (personal, project or
// repository) or a username and password, and the CA that signed the server's certificate.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { caField, tagsField } from '../shared/server-fields.ts';

export const dataCenterAuthMethods = ['personal-access-token', 'basic'] as const;

export const dataCenterForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', dataCenterAuthMethods),
	baseUrl: optionalText('Server URL', 500),
	token: optionalText('HTTP access token', 4_000),
	username: optionalText('Username', 255),
	password: optionalText('Password', 4_000),
	caCertificate: optionalText('CA certificate', 100_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type DataCenterForm = z.infer<typeof dataCenterForm>;

export const dataCenterFields: FormField[] = [
	{
		name: 'baseUrl',
		label: 'Server URL',
		type: 'url',
		required: true,
		maxLength: 500,
		placeholder: 'https://bitbucket.example.com',
		help: 'The address you open Bitbucket at (with its context path, if it has one); its API is under /rest.'
	},
	{
		name: 'token',
		label: 'HTTP access token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['personal-access-token'],
		maxLength: 4_000,
		help: 'A personal HTTP access token (Manage account → HTTP access tokens) with Project read and Repository read, or a project or repository token with Repository read.'
	},
	{ name: 'username', label: 'Username', type: 'text', required: true, authMethods: ['basic'], maxLength: 255, help: 'A Bitbucket user who may read the repositories to import.' },
	{ name: 'password', label: 'Password', type: 'password', secret: true, required: true, authMethods: ['basic'], maxLength: 4_000, help: 'Prefer an HTTP access token: a password opens everything its user can do.' },
	caField,
	tagsField
];

export function dataCenterFormSchema(editing: boolean) {
	return editing ? dataCenterForm.omit({ deploymentsFromTags: true }) : dataCenterForm;
}
