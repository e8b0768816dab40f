// Jira Cloud and Jira Data Center: ticket projects discovered with their workflows, tickets with
// their status history ingested incrementally by updated time, signed webhooks. One provider per
// edition over the same code; what differs is the API client (jira.js on Cloud, a thin client of
// REST API 2 on Data Center), the credentials, and Data Center's server address and CA.
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { reachWith, testWith } from '../shared/hosted-provider.ts';
import { readServerUrl } from '../shared/server-address.ts';
import type { JiraApi } from './api.ts';
import { cloudApi } from './cloud-api.ts';
import { checkJiraConnection, expectedSteps } from './connection.ts';
import { describeJiraCredentials, jiraCredentialsFrom, type JiraCredentials } from './credentials.ts';
import { dataCenterApi } from './data-center-api.ts';
import { discoverJiraProjects } from './discovery.ts';
import { cloudFields, cloudForm, dataCenterFields, dataCenterForm, type CloudForm, type DataCenterForm } from './fields.ts';
import { openJiraSession, type JiraEdition, type JiraSession, type JiraSessionOptions } from './session.ts';
import { ingestJiraTickets } from './tickets.ts';
import { jiraWebhooks } from './webhooks.ts';

type JiraKind = 'jira-cloud' | 'jira-data-center';

const noCredentials = 'This integration has no credentials: edit it and enter a token.';

const apiOf = (session: JiraSession): JiraApi => (session.edition === 'cloud' ? cloudApi(session) : dataCenterApi(session));

export function jiraProvider(kind: JiraKind): IntegrationProvider<JiraCredentials> {
	const edition: JiraEdition = kind === 'jira-cloud' ? 'cloud' : 'data-center';
	/** Whose the credentials are, as the form's test found: the credential summary names them. */
	const accounts = new WeakMap<IntegrationDraft<JiraCredentials>, string>();

	function open(input: { baseUrl: string | null; settings: Record<string, unknown>; credentials: JiraCredentials }, context: { settings: ProviderContext['settings'] }, options: JiraSessionOptions) {
		return openJiraSession(edition, input, context.settings, options);
	}

	function sessionOf(context: ProviderContext<JiraCredentials>, retries?: number): JiraSession {
		if (!context.credentials) throw new Error(noCredentials);
		return open({ ...context.integration, credentials: context.credentials }, context, {
			signal: context.signal,
			onAnswer: context.heartbeat,
			...(retries !== undefined ? { retries } : {})
		});
	}

	return {
		kind,
		fields: edition === 'cloud' ? cloudFields : dataCenterFields,
		formSchema: () => (edition === 'cloud' ? cloudForm : dataCenterForm),

		readForm(form, context) {
			const data = form as CloudForm | DataCenterForm;
			return readHostedForm(data, context, {
				readBaseUrl: (input, schemes) =>
					readServerUrl(input, schemes, {
						product: edition === 'cloud' ? 'Jira site' : 'Jira server',
						example: edition === 'cloud' ? 'https://your-company.atlassian.net' : 'https://jira.example.com',
						credentials: 'the token below',
						apiSuffix: /\/rest(\/api\/\d+)?$/
					}),
				secretTyped: Boolean(data.token || ('password' in data && data.password)),
				secretField: data.authMethod === 'basic' ? 'password' : 'token',
				credentials: () => jiraCredentialsFrom(data, context.editing !== undefined)
			});
		},

		// Discovery lists the projects after saving; two integrations may share a site.
		checkAvailability: async () => ({}),

		async reach(draft, context) {
			const credentials = draft.credentials;
			if (!credentials) return { failures: ['Enter credentials to test.'] };
			return reachWith(context, async () => {
				// A form waits for this: failures answer at once instead of being retried.
				const session = open({ baseUrl: draft.baseUrl, settings: draft.settings, credentials }, context, { retries: 1 });
				const report = await checkJiraConnection(apiOf(session), session.errors);
				if (report.account) accounts.set(draft, report.account);
				return report;
			});
		},

		describeCredentials: (draft, user) => describeJiraCredentials(draft.credentials, user, accounts.get(draft)),

		testStepsLabel: 'Checks made',

		async testConnection(context, onStep) {
			if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
			const session = sessionOf(context, 1);
			return testWith(context, kind, expectedSteps, (_services, step) => checkJiraConnection(apiOf(session), session.errors, step), onStep);
		},

		discoverTicketProjects(context) {
			const session = sessionOf(context);
			return discoverJiraProjects(apiOf(session), session.baseUrl, context.heartbeat, session.quota);
		},

		tickets(context, run) {
			if (!context.credentials) throw new Error(noCredentials);
			const session = open({ ...context.integration, credentials: context.credentials }, context, { signal: context.signal, onAnswer: context.heartbeat, onQuota: run.quota });
			return ingestJiraTickets(apiOf(session), session.baseUrl, run);
		},

		webhooks: jiraWebhooks
	};
}
