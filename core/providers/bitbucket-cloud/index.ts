// Bitbucket Cloud: workspaces discovered as groups with their repositories; commits and tags
// cloned over HTTPS with the integration's credentials; pull requests with their approvals,
// change requests and comments. API tokens (or existing app passwords).
import { providers } from '#core/domain/integrations/providers.ts';
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { reachWith, testWith } from '../shared/hosted-provider.ts';
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
		const credentials = draft.credentials;
		if (!credentials) return { failures: ['Enter credentials to test.'] };
		return reachWith(context, async () => {
			// A form waits for this: failures answer at once instead of being retried.
			const report = await checkCloudConnection(openCloudSession(credentials, context.settings, { retries: 1 }), providers['bitbucket-cloud'].services);
			if (report.account) accounts.set(draft, report.account);
			return report;
		});
	},

	describeCredentials: (draft, user) => describeCloudCredentials(draft.credentials, user, accounts.get(draft)),

	testStepsLabel: 'Checks made',

	async testConnection(context, onStep) {
		if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
		const session = sessionOf(context, 1);
		return testWith(context, 'bitbucket-cloud', expectedSteps, (services, step) => checkCloudConnection(session, services, step), onStep);
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
