// Bitbucket Data Center (and Server): projects discovered as groups with their repositories;
// commits and tags cloned over HTTPS with the integration's credentials; pull requests with their
// approvals, "needs work" reviews and comments. HTTP access tokens, or a username and password.
import { providers, type Service } from '#core/domain/integrations/providers.ts';
import { setIntegrationStatus } from '#core/integrations/queries.ts';
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import type { IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
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

async function servicesOf(context: ProviderContext<BitbucketDataCenterCredentials>): Promise<Service[]> {
	const row = await context.db.selectFrom('integrations').select('services').where('id', '=', context.integration.id).executeTakeFirst();
	return row?.services ?? providers['bitbucket-data-center'].services;
}

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
		if (!draft.credentials) return { failures: ['Enter credentials to test.'] };
		const budget = await reserveUrlTests(context.db, context.user.id, 1, context.settings.urlTestsPerMinute);
		if (!budget.ok) return { failures: [], limited: budget.message };
		try {
			const session = openDataCenterSession({ baseUrl: draft.baseUrl, settings: draft.settings, credentials: draft.credentials }, context.settings, { retries: 1 });
			const report = await checkDataCenterConnection(session, providers['bitbucket-data-center'].services);
			// A token's user is known only now: git names it when cloning, and the summary shows it.
			if (report.account && draft.credentials.method === 'personal-access-token') draft.credentials.username = report.account;
			return { failures: report.ok ? [] : [report.message ?? 'The connection test failed.'] };
		} catch (error) {
			return { failures: [(error as Error).message] };
		}
	},

	describeCredentials: (draft, user) => describeDataCenterCredentials(draft.credentials, user),

	testStepsLabel: 'Checks made',

	async testConnection(context, onStep) {
		if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
		const services = await servicesOf(context);
		const expected = expectedSteps(services);
		let steps = 0;
		const report = await checkDataCenterConnection(sessionOf(context, 1), services, async (step) => {
			context.heartbeat();
			steps++;
			await onStep(step, Math.max(expected, steps));
		});
		if (report.failure === 'bad-credentials') await setIntegrationStatus(context.db, context.integration.id, 'failed-integration', report.message);
		const { failure: _failure, ...connection } = report;
		return connection;
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
