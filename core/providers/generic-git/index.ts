// Generic Git: repositories by URL over HTTPS or SSH, from any git server; commits and tags.
import { reserveUrlTests } from '#core/integrations/url-test-limits.ts';
import { checkRepositoryAvailability } from '#core/integrations/availability.ts';
import { testRepositories } from '#core/git/ls-remote.ts';
import type { GitCredentials } from '#core/git/run-git.ts';
import type { IntegrationDraft, IntegrationProvider, ReachResult, RepositoryDraft } from '../provider.ts';
import { credentialsFrom, describeCredentials } from './credentials.ts';
import { genericGitFields, genericGitForm, type GenericGitForm } from './fields.ts';
import { parseUrls, type ParsedRepository } from './repositories.ts';

const toDraft = (r: ParsedRepository): RepositoryDraft => ({ providerId: r.url, url: r.url, display: r.display, name: r.name });

/** Reaches every repository (a few at a time) within the person's budget of URL tests. */
async function reachRepositories(
	context: Parameters<IntegrationProvider['reach']>[1],
	repositories: RepositoryDraft[],
	credentials: GitCredentials
): Promise<ReachResult> {
	const budget = await reserveUrlTests(context.db, context.user.id, repositories.length, context.settings.urlTestsPerMinute);
	if (!budget.ok) return { failures: [], limited: budget.message };
	const results = await testRepositories(
		repositories.map((r) => r.url),
		credentials,
		context.settings
	);
	return { failures: results.flatMap((result, index) => (result.ok ? [] : [`${repositories[index]!.display}: ${result.message}`])) };
}

export const genericGit: IntegrationProvider<GitCredentials> = {
	kind: 'generic-git',
	fields: genericGitFields,

	formSchema: (editing) => (editing ? genericGitForm.omit({ urls: true, deploymentsFromTags: true }) : genericGitForm),

	readForm(form, context) {
		const data = form as GenericGitForm;
		const editing = context.editing;
		const repositories = editing ? { ok: true as const, value: editing.repositories.map((r) => ({ url: r.url, display: r.display, name: r.name })) } : parseUrls(data.urls, context.settings);
		if (!repositories.ok) return repositories;
		const base = {
			name: data.name,
			authMethod: data.authMethod,
			baseUrl: null,
			settings: {},
			repositories: repositories.value.map(toDraft),
			deploymentsFromTags: data.deploymentsFromTags === 'on'
		};
		// Editing with the same method and no secret typed keeps the sealed credentials as they are.
		if (editing && data.authMethod === editing.authMethod && !data.token && !data.privateKey && !data.username) {
			return { ok: true, value: { ...base, credentials: null, keepCredentials: true } };
		}
		const credentials = credentialsFrom(data, repositories.value, editing !== undefined);
		if (!credentials.ok) return credentials;
		return { ok: true, value: { ...base, credentials: credentials.value.method === 'none' ? null : credentials.value } };
	},

	async checkAvailability(draft, context): Promise<Record<string, string>> {
		const problems = await checkRepositoryAvailability(
			context.db,
			context.user.organizationId,
			draft.repositories.map((r) => r.url),
			context.editing?.id
		);
		return problems.length > 0 ? { urls: problems.join(' ') } : {};
	},

	reach: (draft, context) => reachRepositories(context, draft.repositories, draft.credentials ?? { method: 'none' }),

	describeCredentials: (draft: IntegrationDraft<GitCredentials>, user) => describeCredentials(draft.credentials ?? { method: 'none' }, user),

	async testConnection(context, onStep) {
		const repos = await context.db.selectFrom('repos').select(['name', 'url']).where('integration_id', '=', context.integration.id).orderBy('name').execute();
		const names = new Map(repos.map((repo) => [repo.url, repo.name]));
		const results = await testRepositories(
			repos.map((repo) => repo.url),
			context.credentials ?? { method: 'none' },
			context.settings,
			async (url, outcome) => {
				context.heartbeat();
				await onStep({ item: names.get(url) ?? url, ok: outcome.ok, message: outcome.ok ? null : outcome.message }, repos.length);
			}
		);
		const failures = results.flatMap((outcome, index) => (outcome.ok ? [] : [`${repos[index]!.name}: ${outcome.message}`]));
		return { ok: failures.length === 0, message: failures.length === 0 ? null : failures.join(' '), reached: results.length - failures.length, failed: failures.length };
	},

	gitRemote: async (context, repo) => ({ url: repo.url, credentials: context.credentials ?? { method: 'none' } })
};
