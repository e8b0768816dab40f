// Jira's add and edit forms. Cloud: the site's address, and an Atlassian account's email with an
// API token. Data Center: the server's address, a personal access token or a username and
// password, and the CA that signed the server's certificate.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { caField } from '../shared/server-fields.ts';

export const cloudForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', ['api-token'] as const),
	baseUrl: optionalText('Site URL', 500),
	email: optionalText('Email', 320),
	token: optionalText('API token', 4_000)
});
export type CloudForm = z.infer<typeof cloudForm>;

export const dataCenterForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', ['personal-access-token', 'basic'] as const),
	baseUrl: optionalText('Server URL', 500),
	token: optionalText('Personal access token', 4_000),
	username: optionalText('Username', 255),
	password: optionalText('Password', 4_000),
	caCertificate: optionalText('CA certificate', 100_000)
});
export type DataCenterForm = z.infer<typeof dataCenterForm>;

export const cloudFields: FormField[] = [
	{ name: 'baseUrl', label: 'Site URL', type: 'url', required: true, maxLength: 500, placeholder: 'https://your-company.atlassian.net', help: 'The address you open Jira at.' },
	{ name: 'email', label: 'Email', type: 'text', required: true, authMethods: ['api-token'], maxLength: 320, help: 'The Atlassian account the token belongs to; it needs Browse projects on the projects to import.' },
	{
		name: 'token',
		label: 'API token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['api-token'],
		maxLength: 4_000,
		help: 'Create one at id.atlassian.com → Security → API tokens (a token with scopes needs read:jira-work and read:jira-user).'
	}
];

export const dataCenterFields: FormField[] = [
	{ name: 'baseUrl', label: 'Server URL', type: 'url', required: true, maxLength: 500, placeholder: 'https://jira.example.com', help: 'The address you open Jira at (with its context path, if it has one).' },
	{
		name: 'token',
		label: 'Personal access token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['personal-access-token'],
		maxLength: 4_000,
		help: 'Your profile → Personal access tokens. Its user needs Browse projects on the projects to import.'
	},
	{ name: 'username', label: 'Username', type: 'text', required: true, authMethods: ['basic'], maxLength: 255, help: 'A Jira user with Browse projects on the projects to import.' },
	{ name: 'password', label: 'Password', type: 'password', secret: true, required: true, authMethods: ['basic'], maxLength: 4_000, help: 'Prefer a personal access token: Jira 11 turns password sign-in for the API off by default.' },
	caField
];
