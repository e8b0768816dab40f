// GitLab's form, for gitlab.com and for a self-managed server (which adds its address and an
// optional CA certificate): what the page shows, as data, and the shape the form is read in.
import { z } from 'zod';
import type { FormField } from '#core/domain/integrations/form-fields.ts';
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import { choice, optionalText, text } from '#core/forms.ts';
import { caField, tagsField } from '../shared/server-fields.ts';

export const gitlabAuthMethods = ['personal-access-token'] as const;
export type GitLabKind = Extract<ProviderKind, 'gitlab' | 'gitlab-self-managed'>;

export const gitlabForm = z.object({
	name: text('Name', 100),
	authMethod: choice('Authentication', gitlabAuthMethods),
	baseUrl: optionalText('Server URL', 500),
	token: optionalText('Token', 4_000),
	caCertificate: optionalText('CA certificate', 100_000),
	deploymentsFromTags: z.literal('on').optional()
});
export type GitLabForm = z.infer<typeof gitlabForm>;

const serverField: FormField = {
	name: 'baseUrl',
	label: 'Server URL',
	type: 'url',
	required: true,
	maxLength: 500,
	placeholder: 'https://gitlab.example.com',
	help: 'The address you open GitLab at (with its path, if it is served under one); its API is under /api/v4.'
};

const tokenField: FormField = {
	name: 'token',
	label: 'Access token',
	type: 'password',
	secret: true,
	required: true,
	authMethods: ['personal-access-token'],
	maxLength: 4_000,
	placeholder: 'glpat-…',
	help: 'A personal, group or project access token with the scopes read_api and read_repository (role Reporter or above). A group token sees that group and its subgroups; a project token, its project.'
};

export function gitlabFields(kind: GitLabKind): FormField[] {
	return kind === 'gitlab-self-managed' ? [serverField, tokenField, caField, tagsField] : [tokenField, tagsField];
}

/** The form's shape: gitlab.com's has no address or CA to read. */
export function gitlabFormSchema(kind: GitLabKind, editing: boolean) {
	const schema = kind === 'gitlab-self-managed' ? gitlabForm : gitlabForm.omit({ baseUrl: true, caCertificate: true });
	return editing ? schema.omit({ deploymentsFromTags: true }) : schema;
}
