// Bitbucket Data Center (and Server): projects discovered as groups with their repositories;
// commits and tags cloned over HTTPS with the integration's credentials; pull requests with their
// approvals, "needs work" reviews and comments. HTTP access tokens, or a username and password.
import { providers } from '#core/domain/integrations/providers.ts';
import type { IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { reachWith, testWith } from '../shared/hosted-provider.ts';
import { checkDataCenterConnection, expectedSteps } from './connection.ts';
import { discoverDataCenter } from './discovery.ts';
import { dataCenterFields, dataCenterFormSchema, type DataCenterForm } from './fields.ts';
import { ingestDataCenterPullRequests } from './pull-requests.ts';
import {
	dataCenterCredentialsFrom,
	dataCenterGitCredentials,
	describeDataCenterCredentials,
	openDataCenterSession,
	readDataCenterUrl,
	type BitbucketDataCenterCredentials
} from './session.ts';
import { dataCenterWebhooks } from './webhooks.ts';

const noCredentials = 'This integration has no credentials: edit it and enter a token.';


function sessionOf(context: ProviderContext<BitbucketDataCenterCredentials>, retries?: number) {
	if (!context.credentials) throw new Error(noCredentials);
	return openDataCenterSession({ ...context.integration, credentials: context.credentials }, context.settings, {
		signal: context.signal,
		onAnswer: context.heartbeat,
		...(retries !== undefined ? { retries } : {})
	});
}

export const bitbucketDataCenter: IntegrationProvider<BitbucketDataCenterCredentials> = {
	kind: 'bitbucket-data-center',
	fields: dataCenterFields,
	formSchema: dataCenterFormSchema,

	readForm(form, context) {
		const data = form as DataCenterForm;
		return readHostedForm(data, context, {
			readBaseUrl: readDataCenterUrl,
			secretTyped: Boolean(data.token || data.password),
			secretField: data.authMethod === 'basic' ? 'password' : 'token',
			credentials: () => dataCenterCredentialsFrom(data, context.editing !== undefined)
		});
	},

	checkAvailability: async () => ({}),

	async reach(draft, context) {
		const credentials = draft.credentials;
		if (!credentials) return { failures: ['Enter credentials to test.'] };
		return reachWith(context, async () => {
			const session = openDataCenterSession({ baseUrl: draft.baseUrl, settings: draft.settings, credentials }, context.settings, { retries: 1 });
			const report = await checkDataCenterConnection(session, providers['bitbucket-data-center'].services);
			// A token's user is known only now: git names it when cloning, and the summary shows it.
			if (report.account && credentials.method === 'personal-access-token') credentials.username = report.account;
			return report;
		});
	},

	describeCredentials: (draft, user) => describeDataCenterCredentials(draft.credentials, user),

	testStepsLabel: 'Checks made',

	async testConnection(context, onStep) {
		if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
		const session = sessionOf(context, 1);
		return testWith(context, 'bitbucket-data-center', expectedSteps, (services, step) => checkDataCenterConnection(session, services, step), onStep);
	},

	discover: (context) => discoverDataCenter(sessionOf(context), context.heartbeat),

	webhooks: dataCenterWebhooks,

	async gitRemote(context, repo) {
		const session = sessionOf(context);
		// Credentials go only to the integration's own server, whatever a stored URL says.
		if (new URL(repo.url).origin !== new URL(session.baseUrl).origin) throw new Error(`${repo.url} is not on ${session.errors.server}: refresh the integration.`);
		return { url: repo.url, credentials: dataCenterGitCredentials(session) };
	},

	pullRequests: ingestDataCenterPullRequests
};
