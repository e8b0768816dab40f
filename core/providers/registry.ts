// Every provider that works end to end, by kind: the one line a new kind adds. The Add
// integration picker offers exactly these; the other kinds of core/domain are known by name only.
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import { azureDevOps } from './azure-devops/index.ts';
import { bitbucketCloud } from './bitbucket-cloud/index.ts';
import { bitbucketDataCenter } from './bitbucket-data-center/index.ts';
import { genericGit } from './generic-git/index.ts';
import { githubProvider } from './github/index.ts';
import { gitlabProvider } from './gitlab/index.ts';
import { jiraProvider } from './jira/index.ts';
import type { IntegrationProvider } from './provider.ts';

/** Credentials are each provider's own shape; at the seam they are opaque. */
const register = <Credentials>(provider: IntegrationProvider<Credentials>) => provider as unknown as IntegrationProvider<unknown>;

const registry: Partial<Record<ProviderKind, IntegrationProvider<unknown>>> = {
	'generic-git': register(genericGit),
	github: register(githubProvider('github')),
	'github-enterprise': register(githubProvider('github-enterprise')),
	gitlab: register(gitlabProvider('gitlab')),
	'gitlab-self-managed': register(gitlabProvider('gitlab-self-managed')),
	'bitbucket-cloud': register(bitbucketCloud),
	'bitbucket-data-center': register(bitbucketDataCenter),
	'azure-devops': register(azureDevOps),
	'jira-cloud': register(jiraProvider('jira-cloud')),
	'jira-data-center': register(jiraProvider('jira-data-center'))
};

/** The provider of a kind, or undefined for a kind not built yet. */
export function providerOf(kind: string): IntegrationProvider<unknown> | undefined {
	return Object.hasOwn(registry, kind) ? registry[kind as ProviderKind] : undefined;
}

/** The provider of a stored integration's kind; a kind without one is a programming error. */
export function requireProvider(kind: ProviderKind): IntegrationProvider<unknown> {
	const provider = providerOf(kind);
	if (!provider) throw new Error(`No provider is registered for "${kind}".`);
	return provider;
}

/** Whether integrations of a kind list their repositories or ticket projects (an update then discovers first). */
export function providerDiscovers(kind: string): boolean {
	const provider = providerOf(kind);
	return Boolean(provider?.discover ?? provider?.discoverTicketProjects);
}

export const availableKinds = (): ProviderKind[] => Object.keys(registry) as ProviderKind[];
