// GitLab: gitlab.com and self-managed servers, one implementation, two kinds. Personal, group
// and project access tokens; groups, subgroups and the personal namespace discovered as groups;
// commits and tags cloned over HTTPS with the token; merge requests with their approvals and notes.
import { providers } from '#core/domain/integrations/providers.ts';
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { recordCredentialsExpiry } from '../shared/credentials-expiry.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
import { reachWith, testWith } from '../shared/hosted-provider.ts';
import type { GitLabCredentials } from './client.ts';
import { checkConnection, expectedSteps } from './connection.ts';
import { credentialsFrom, describeCredentials, readBaseUrl } from './credentials.ts';
import { discoverGroups } from './discovery.ts';
import { gitlabFields, gitlabFormSchema, type GitLabForm, type GitLabKind } from './fields.ts';
import { ingestGitLabMergeRequests } from './merge-requests.ts';
import { gitCredentialsOf, openSession } from './session.ts';
import { gitlabWebhooks } from './webhooks.ts';

/** Whose the token is, as the form's test found: the credential summary names them. */
const accounts = new WeakMap<IntegrationDraft<GitLabCredentials>, { username: string; bot: boolean }>();

const noCredentials = 'This integration has no credentials: edit it and enter a token.';


export function gitlabProvider(kind: GitLabKind): IntegrationProvider<GitLabCredentials> {
	const selfManaged = kind === 'gitlab-self-managed';
	const sessionOf = (context: ProviderContext<GitLabCredentials>, retries?: number) => {
		if (!context.credentials) throw new Error(noCredentials);
		return openSession({ kind, ...context.integration, credentials: context.credentials }, context.settings, {
			signal: context.signal,
			onAnswer: context.heartbeat,
			...(retries !== undefined ? { retries } : {})
		});
	};
	return {
		kind,
		fields: gitlabFields(kind),

		formSchema: (editing) => gitlabFormSchema(kind, editing),

		readForm(form, context) {
			const data = form as GitLabForm;
			return readHostedForm(data, context, {
				...(selfManaged ? { readBaseUrl } : {}),
				secretTyped: Boolean(data.token),
				secretField: 'token',
				credentials: () => credentialsFrom(data, context.editing !== undefined)
			});
		},

		// Discovery finds the projects after saving; two integrations may share an account.
		checkAvailability: async () => ({}),

		async reach(draft, context) {
			const credentials = draft.credentials;
			if (!credentials) return { failures: ['Enter a token to test.'] };
			return reachWith(context, async () => {
				// A form waits for this: failures answer at once instead of being retried.
				const report = await checkConnection(openSession({ kind, baseUrl: draft.baseUrl, settings: draft.settings, credentials }, context.settings, { retries: 1 }), providers[kind].services);
				if (report.account) accounts.set(draft, { username: report.account, bot: report.bot === true });
				return report;
			});
		},

		describeCredentials: (draft, user) => describeCredentials(draft.credentials, user, accounts.get(draft)),

		testStepsLabel: 'Checks made',

		async testConnection(context, onStep) {
			if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
			const session = sessionOf(context, 1);
			return testWith(
				context,
				kind,
				expectedSteps,
				async (services, step) => {
					const report = await checkConnection(session, services, step);
					if (report.account) await recordCredentialsExpiry(context.db, context.integration.id, report.expiresAt ?? null);
					return report;
				},
				onStep
			);
		},

		async discover(context) {
			return discoverGroups(sessionOf(context), context.heartbeat, (expiresAt) => recordCredentialsExpiry(context.db, context.integration.id, expiresAt));
		},

		webhooks: gitlabWebhooks,

		async gitRemote(context, repo) {
			const session = sessionOf(context);
			// The token goes only to the integration's own server, whatever a stored URL says.
			if (new URL(repo.url).origin !== session.cloneOrigin) throw new Error(`${repo.url} is not on ${session.errors.server}: refresh the integration.`);
			return { url: repo.url, credentials: gitCredentialsOf(session) };
		},

		pullRequests: (context, run) => ingestGitLabMergeRequests(kind, context, run)
	};
}
