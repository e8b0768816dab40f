// Azure DevOps's form: the organization URL (dev.azure.com, the older {org}.visualstudio.com, or an
// Azure DevOps Server collection), a personal access token, and the CA that signed a server's
// certificate.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { caField, tagsField } from '../shared/server-fields.ts';

export const azureAuthMethods = ['personal-access-token'] as const;

export const azureForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', azureAuthMethods),
	baseUrl: optionalText('Organization URL', 500),
	token: optionalText('Personal access token', 4_000),
	caCertificate: optionalText('CA certificate', 100_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type AzureForm = z.infer<typeof azureForm>;

export const azureFields: FormField[] = [
	{
		name: 'baseUrl',
		label: 'Organization URL',
		type: 'url',
		required: true,
		maxLength: 500,
		placeholder: 'https://dev.azure.com/your-organization',
		help: 'The address of your organization (https://dev.azure.com/your-organization or https://your-organization.visualstudio.com), or of an Azure DevOps Server collection (https://tfs.example.com/tfs/DefaultCollection).'
	},
	{
		name: 'token',
		label: 'Personal access token',
		type: 'password',
		secret: true,
		required: true,
		authMethods: ['personal-access-token'],
		maxLength: 4_000,
		help: 'A personal access token (User settings → Personal access tokens) for this organization, with the scopes Code: Read and Project and Team: Read.'
	},
	caField,
	tagsField
];

export function azureFormSchema(editing: boolean) {
	return editing ? azureForm.omit({ deploymentsFromTags: true }) : azureForm;
}
