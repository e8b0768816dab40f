// GitLab: gitlab.com and self-managed servers, one implementation, two kinds. Personal, group
// and project access tokens; groups, subgroups and the personal namespace discovered as groups;
// commits and tags cloned over HTTPS with the token; merge requests with their approvals and notes.
import { providers, type Service } from '#core/domain/integrations/providers.ts';
import { setIntegrationStatus } from '#core/integrations/queries.ts';
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import type { IntegrationDraft, IntegrationProvider, ProviderContext } from '../provider.ts';
import { recordCredentialsExpiry } from '../shared/credentials-expiry.ts';
import { readHostedForm } from '../shared/hosted-form.ts';
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

/** The services an integration has chosen (its `services` column); all of the kind's until chosen. */
async function servicesOf(context: ProviderContext<GitLabCredentials>, kind: GitLabKind): Promise<Service[]> {
	const row = await context.db.selectFrom('integrations').select('services').where('id', '=', context.integration.id).executeTakeFirst();
	return row?.services ?? providers[kind].services;
}

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
			if (!draft.credentials) return { failures: ['Enter a token to test.'] };
			const budget = await reserveUrlTests(context.db, context.user.id, 1, context.settings.urlTestsPerMinute);
			if (!budget.ok) return { failures: [], limited: budget.message };
			try {
				// A form waits for this: failures answer at once instead of being retried.
				const session = openSession({ kind, baseUrl: draft.baseUrl, settings: draft.settings, credentials: draft.credentials }, context.settings, { retries: 1 });
				const report = await checkConnection(session, providers[kind].services);
				if (report.account) accounts.set(draft, { username: report.account, bot: report.bot === true });
				return { failures: report.ok ? [] : [report.message ?? 'The connection test failed.'] };
			} catch (error) {
				return { failures: [(error as Error).message] };
			}
		},

		describeCredentials: (draft, user) => describeCredentials(draft.credentials, user, accounts.get(draft)),

		testStepsLabel: 'Checks made',

		async testConnection(context, onStep) {
			if (!context.credentials) return { ok: false, message: noCredentials, reached: 0, failed: 1 };
			const session = sessionOf(context, 1);
			const services = await servicesOf(context, kind);
			const expected = expectedSteps(services);
			let steps = 0;
			const report = await checkConnection(session, services, async (step) => {
				context.heartbeat();
				steps++;
				await onStep(step, Math.max(expected, steps));
			});
			if (report.account) await recordCredentialsExpiry(context.db, context.integration.id, report.expiresAt ?? null);
			// Refused credentials are the integration's state, not just this test's: its status says so until fixed.
			if (report.failure === 'bad-credentials') await setIntegrationStatus(context.db, context.integration.id, 'failed-integration', report.message);
			const { failure: _failure, bot: _bot, ...connection } = report;
			return connection;
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
