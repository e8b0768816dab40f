// Azure DevOps: organizations on dev.azure.com (or {org}.visualstudio.com) and Azure DevOps Server
// collections. Personal access tokens; projects discovered as groups with their repositories;
// commits and tags cloned over HTTPS with the token; pull requests with their votes (reviews),
// comments on files (review comments) and conversation comments; service hooks as webhooks.
import { defaultServicesOf } from '#core/domain/integrations/providers.ts';
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { reachWith, servicesOf, testWith } from '../shared/hosted-provider.ts';
import { discoverBoards, ingestWorkItems } from './boards.ts';
import { checkAzureConnection, expectedSteps } from './connection.ts';
import { discoverAzure } from './discovery.ts';
import { azureFields, azureFormSchema, type AzureForm } from './fields.ts';
import { ingestAzurePullRequests } from './pull-requests.ts';
import { azureCredentialsFrom, azureGitCredentials, describeAzureCredentials, openAzureSession, readAzureUrl, type AzureDevOpsCredentials } from './session.ts';
import { azureWebhooks } from './webhooks.ts';

/** Whose the token is, as the form's test found: the credential summary names them. */
const accounts = new WeakMap<IntegrationDraft<AzureDevOpsCredentials>, string>();

const noCredentials = 'This integration has no credentials: edit it and enter a personal access token.';


function sessionOf(context: ProviderContext<AzureDevOpsCredentials>, retries?: number) {
	if (!context.credentials) throw new Error(noCredentials);
	return openAzureSession({ ...context.integration, credentials: context.credentials }, context.settings, {
		signal: context.signal,
		onAnswer: context.heartbeat,
		...(retries !== undefined ? { retries } : {})
	});
}

export const azureDevOps: IntegrationProvider<AzureDevOpsCredentials> = {
	kind: 'azure-devops',
	fields: azureFields,
	formSchema: azureFormSchema,

	readForm(form, context) {
		const data = form as AzureForm;
		return readHostedForm(data, context, {
			readBaseUrl: readAzureUrl,
			secretTyped: Boolean(data.token),
			secretField: 'token',
			credentials: () => azureCredentialsFrom(data, context.editing !== undefined)
		});
	},

	// Discovery finds the repositories after saving; two integrations may share an organization.
	checkAvailability: async () => ({}),

	async reach(draft, context) {
		const credentials = draft.credentials;
		if (!credentials) return { failures: ['Enter a personal access token to test.'] };
		return reachWith(context, async () => {
			// A form waits for this: failures answer at once instead of being retried.
			const session = openAzureSession({ baseUrl: draft.baseUrl, settings: draft.settings, credentials }, context.settings, { retries: 1 });
			const report = await checkAzureConnection(session, defaultServicesOf('azure-devops'));
			if (report.account) accounts.set(draft, report.account);
			return report;
		});
	},

	describeCredentials: (draft, user) => describeAzureCredentials(draft.credentials, user, accounts.get(draft)),

	testStepsLabel: 'Checks made',

	async testConnection(context, onStep) {
		if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
		const session = sessionOf(context, 1);
		return testWith(context, 'azure-devops', expectedSteps, (services, step) => checkAzureConnection(session, services, step), onStep);
	},

	discover: (context) => discoverAzure(sessionOf(context), context.heartbeat),

	webhooks: azureWebhooks,

	async gitRemote(context, repo) {
		const session = sessionOf(context);
		// The token goes only to the organization's own server, whatever a stored URL says.
		if (new URL(repo.url).origin !== new URL(session.baseUrl).origin) throw new Error(`${repo.url} is not on ${session.errors.server}: refresh the integration.`);
		return { url: repo.url, credentials: azureGitCredentials(session) };
	},

	pullRequests: ingestAzurePullRequests,

	// Azure Boards, when the integration's services include tickets (the token then needs Work Items: Read).
	async discoverTicketProjects(context) {
		if (!(await servicesOf(context, 'azure-devops')).includes('tickets')) return [];
		return discoverBoards(sessionOf(context), context.heartbeat);
	},

	tickets(context, run) {
		if (!context.credentials) throw new Error(noCredentials);
		const session = openAzureSession({ ...context.integration, credentials: context.credentials }, context.settings, { signal: context.signal, onAnswer: context.heartbeat, onQuota: run.quota });
		return ingestWorkItems(session, run, session.quota);
	}
};
