// Bitbucket Cloud: workspaces discovered as groups with their repositories; commits and tags
// cloned over HTTPS with the integration's credentials; pull requests with their approvals,
// change requests and comments. API tokens (or existing app passwords).
import { providers, type Service } from '#core/domain/integrations/providers.ts';
import { setIntegrationStatus } from '#core/integrations/queries.ts';
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { checkCloudConnection, expectedSteps } from './connection.ts';
import { cloudCredentialsFrom, describeCloudCredentials } from './credentials.ts';
import { discoverCloud } from './discovery.ts';
import { cloudFields, cloudFormSchema, type CloudForm } from './fields.ts';
import { ingestCloudPullRequests } from './pull-requests.ts';
import { cloudGitCredentials, openCloudSession, type BitbucketCloudCredentials } from './session.ts';
import { cloudWebhooks } from './webhooks.ts';

/** Whose the credentials are, as the form's test found: the credential summary names them. */
const accounts = new WeakMap<IntegrationDraft<BitbucketCloudCredentials>, string>();

const noCredentials = 'This integration has no credentials: edit it and enter an API token.';

async function servicesOf(context: ProviderContext<BitbucketCloudCredentials>): Promise<Service[]> {
	const row = await context.db.selectFrom('integrations').select('services').where('id', '=', context.integration.id).executeTakeFirst();
	return row?.services ?? providers['bitbucket-cloud'].services;
}

function sessionOf(context: ProviderContext<BitbucketCloudCredentials>, retries?: number) {
	if (!context.credentials) throw new Error(noCredentials);
	return openCloudSession(context.credentials, context.settings, { signal: context.signal, onAnswer: context.heartbeat, ...(retries !== undefined ? { retries } : {}) });
}

export const bitbucketCloud: IntegrationProvider<BitbucketCloudCredentials> = {
	kind: 'bitbucket-cloud',
	fields: cloudFields,
	formSchema: cloudFormSchema,

	readForm(form, context) {
		const data = form as CloudForm;
		return readHostedForm(data, context, {
			secretTyped: Boolean(data.token || data.appPassword),
			secretField: data.authMethod === 'api-token' ? 'token' : 'appPassword',
			credentials: () => cloudCredentialsFrom(data, context.editing !== undefined)
		});
	},

	// Discovery finds the repositories after saving; two integrations may share an account.
	checkAvailability: async () => ({}),

	async reach(draft, context) {
		if (!draft.credentials) return { failures: ['Enter credentials to test.'] };
		const budget = await reserveUrlTests(context.db, context.user.id, 1, context.settings.urlTestsPerMinute);
		if (!budget.ok) return { failures: [], limited: budget.message };
		try {
			// A form waits for this: failures answer at once instead of being retried.
			const report = await checkCloudConnection(openCloudSession(draft.credentials, context.settings, { retries: 1 }), providers['bitbucket-cloud'].services);
			if (report.account) accounts.set(draft, report.account);
			return { failures: report.ok ? [] : [report.message ?? 'The connection test failed.'] };
		} catch (error) {
			return { failures: [(error as Error).message] };
		}
	},

	describeCredentials: (draft, user) => describeCloudCredentials(draft.credentials, user, accounts.get(draft)),

	testStepsLabel: 'Checks made',

	async testConnection(context, onStep) {
		if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
		const services = await servicesOf(context);
		const expected = expectedSteps(services);
		let steps = 0;
		const report = await checkCloudConnection(sessionOf(context, 1), services, async (step) => {
			context.heartbeat();
			steps++;
			await onStep(step, Math.max(expected, steps));
		});
		// Refused credentials are the integration's state, not just this test's: its status says so until fixed.
		if (report.failure === 'bad-credentials') await setIntegrationStatus(context.db, context.integration.id, 'failed-integration', report.message);
		const { failure: _failure, ...connection } = report;
		return connection;
	},

	discover: (context) => discoverCloud(sessionOf(context), context.heartbeat),

	webhooks: cloudWebhooks,

	async gitRemote(context, repo) {
		const session = sessionOf(context);
		// Credentials go only to Bitbucket's own git server, whatever a stored URL says.
		if (new URL(repo.url).origin !== session.cloneOrigin) throw new Error(`${repo.url} is not on Bitbucket Cloud: refresh the integration.`);
		return { url: repo.url, credentials: cloudGitCredentials(session.credentials) };
	},

	pullRequests: ingestCloudPullRequests
};
