// Bitbucket Cloud's form: an API token with its Atlassian account's email, or an app password with
// the Bitbucket username (Atlassian stopped issuing app passwords; existing ones are accepted).
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { tagsField } from '../shared/server-fields.ts';

export const cloudAuthMethods = ['api-token', 'app-password'] as const;

export const cloudForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', cloudAuthMethods),
	email: optionalText('Email', 320),
	token: optionalText('API token', 4_000),
	username: optionalText('Username', 100),
	appPassword: optionalText('App password', 4_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type CloudForm = z.infer<typeof cloudForm>;

export const cloudFields: FormField[] = [
	{
		name: 'email',
		label: 'Atlassian account email',
		type: 'text',
		required: true,
		authMethods: ['api-token'],
		maxLength: 320,
		placeholder: 'you@example.com',
		help: 'The email of the Atlassian account the token belongs to: Bitbucket’s API takes it as the user name.'
	},
	{
		name: 'token',
		label: 'API token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['api-token'],
		maxLength: 4_000,
		placeholder: 'ATATT…',
		help: 'An API token with scopes (Atlassian account settings → Security → Create API token with scopes → Bitbucket): read:user, read:workspace, read:repository and read:pullrequest.'
	},
	{
		name: 'username',
		label: 'Bitbucket username',
		type: 'text',
		required: true,
		authMethods: ['app-password'],
		maxLength: 100,
		help: 'Your Bitbucket username (Personal settings → Account settings), not your email.'
	},
	{
		name: 'appPassword',
		label: 'App password',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['app-password'],
		maxLength: 4_000,
		help: 'An existing app password with the permissions Account: Read, Workspace membership: Read, Projects: Read, Repositories: Read and Pull requests: Read.'
	},
	tagsField
];

export function cloudFormSchema(editing: boolean) {
	return editing ? cloudForm.omit({ deploymentsFromTags: true }) : cloudForm;
}
