// GitHub and GitHub Enterprise Server: one implementation, two kinds. Personal access tokens
// (classic and fine-grained) or a GitHub App; organisations and the user's own repositories
// discovered as groups; commits and tags cloned over HTTPS with the integration's token.
import { providers } from '#core/domain/integrations/providers.ts';
import { setIntegrationStatus } from '#core/integrations/queries.ts';
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import type { IntegrationDraft, IntegrationProvider } from '../provider.ts';
import { recordCredentialsExpiry } from '../shared/credentials-expiry.ts';
import { servicesOf } from '../shared/hosted-provider.ts';
import type { GitHubCredentials } from './client.ts';
import { checkConnection, expectedSteps } from './connection.ts';
import { credentialsFrom, describeCredentials, readBaseUrl, readCaCertificate } from './credentials.ts';
import { discoverGroups } from './discovery.ts';
import { githubFields, githubFormSchema, type GitHubForm, type GitHubKind } from './fields.ts';
import { gitCredentialsOf, openSession, readGitHubSettings } from './session.ts';
import { githubWebhooks } from './webhooks.ts';
import { ingestGitHubPullRequests } from './pull-requests.ts';

/** Whose the credentials are, as the form's test found: the credential summary names them. */
const accounts = new WeakMap<IntegrationDraft<GitHubCredentials>, string>();


export function githubProvider(kind: GitHubKind): IntegrationProvider<GitHubCredentials> {
	const enterprise = kind === 'github-enterprise';
	return {
		kind,
		fields: githubFields(kind),

		formSchema: (editing) => githubFormSchema(kind, editing),

		readForm(form, context) {
			const data = form as GitHubForm;
			const editing = context.editing;
			const errors: Record<string, string> = {};
			let baseUrl: string | null = null;
			// A new integration imports every group it finds until someone turns that off on its Repos tab.
			const settings: Record<string, unknown> = { autoImportAll: true, ...(editing?.settings ?? {}) };
			if (enterprise) {
				const url = readBaseUrl(data.baseUrl, context.settings.gitAllowedSchemes);
				if (url.ok) baseUrl = url.value;
				else Object.assign(errors, url.errors);
				const ca = readCaCertificate(data.caCertificate);
				if (ca.ok) settings.caCertificate = ca.value;
				else Object.assign(errors, ca.errors);
			}
			const base = {
				name: data.name,
				authMethod: data.authMethod,
				baseUrl,
				settings,
				repositories: [],
				deploymentsFromTags: data.deploymentsFromTags === 'on'
			};
			// Editing with the same method and no secret typed keeps the sealed credentials as they are,
			// but never for another server: a stored token goes only where it was first tested.
			const typed = Boolean(data.token || data.privateKey);
			if (editing && !typed && baseUrl !== editing.baseUrl && !errors.baseUrl) {
				const field = data.authMethod === 'github-app' ? 'privateKey' : 'token';
				errors[field] = `Enter the ${field === 'token' ? 'token' : 'App’s private key'} again to change the server’s address: stored credentials are never sent to a new address.`;
				return { ok: false, errors };
			}
			if (editing && data.authMethod === editing.authMethod && !typed) {
				return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { ...base, credentials: null, keepCredentials: true } };
			}
			const credentials = credentialsFrom(data, editing !== undefined);
			if (!credentials.ok) Object.assign(errors, credentials.errors);
			if (!credentials.ok || Object.keys(errors).length > 0) return { ok: false, errors };
			return { ok: true, value: { ...base, credentials: credentials.value } };
		},

		// Discovery finds the repositories after saving; two integrations may share an account.
		checkAvailability: async () => ({}),

		async reach(draft, context) {
			if (!draft.credentials) return { failures: ['Enter a token or a GitHub App to test.'] };
			const budget = await reserveUrlTests(context.db, context.user.id, 1, context.settings.urlTestsPerMinute);
			if (!budget.ok) return { failures: [], limited: budget.message };
			try {
				// A form waits for this: failures answer at once instead of being retried.
				const session = openSession({ kind, baseUrl: draft.baseUrl, settings: draft.settings, credentials: draft.credentials }, context.settings, { retries: 1 });
				const report = await checkConnection(session, providers[kind].services);
				if (report.account) accounts.set(draft, report.account);
				return { failures: report.ok ? [] : [report.message ?? 'The connection test failed.'] };
			} catch (error) {
				return { failures: [(error as Error).message] };
			}
		},

		describeCredentials: (draft, user) => describeCredentials(draft.credentials, user, accounts.get(draft)),

		testStepsLabel: 'Checks made',

		async testConnection(context, onStep) {
			if (!context.credentials) return { ok: false, message: 'This integration has no credentials: edit it and enter a token or a GitHub App.', reached: 0, failed: 1 };
			let steps = 0;
			const session = openSession({ kind, ...context.integration, credentials: context.credentials }, context.settings, { signal: context.signal, retries: 1 });
			const services = await servicesOf(context, kind);
			const expected = expectedSteps(session, services);
			const report = await checkConnection(session, services, async (step) => {
				context.heartbeat();
				steps++;
				await onStep(step, Math.max(expected, steps));
			});
			if (report.account) await recordCredentialsExpiry(context.db, context.integration.id, report.expiresAt ?? null);
			// Refused credentials are the integration's state, not just this test's: its status says so until fixed.
			if (report.failure === 'bad-credentials') await setIntegrationStatus(context.db, context.integration.id, 'failed-integration', report.message);
			const { failure: _failure, ...connection } = report;
			return connection;
		},

		async discover(context) {
			if (!context.credentials) throw new Error('This integration has no credentials: edit it and enter a token or a GitHub App.');
			const session = openSession({ kind, ...context.integration, credentials: context.credentials }, context.settings, { signal: context.signal });
			return discoverGroups(session, context.heartbeat, (expiresAt) =>
				recordCredentialsExpiry(context.db, context.integration.id, expiresAt)
			);
		},

		webhooks: githubWebhooks,

		async gitRemote(context, repo) {
			if (!context.credentials) throw new Error('This integration has no credentials: edit it and enter a token or a GitHub App.');
			const session = openSession({ kind, ...context.integration, credentials: context.credentials }, context.settings, { signal: context.signal });
			return { url: repo.url, credentials: await gitCredentialsOf(session) };
		},

		pullRequests: (context, run) => ingestGitHubPullRequests(kind, context, run)
	};
}

export { readGitHubSettings };
