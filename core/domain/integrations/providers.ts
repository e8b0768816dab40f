// The provider kinds of SPEC "Domain", as data: what each is called and what it brings. Which
// kinds work end to end is core/providers/registry.ts's to say (the picker offers those).
export const providerKinds = [
	'github',
	'github-enterprise',
	'gitlab',
	'gitlab-self-managed',
	'bitbucket-cloud',
	'bitbucket-data-center',
	'azure-devops',
	'jira-cloud',
	'jira-data-center',
	'generic-git'
] as const;
export type ProviderKind = (typeof providerKinds)[number];

export const authMethods = ['none', 'https-token', 'ssh-key', 'personal-access-token', 'api-token', 'oauth', 'app-password', 'basic', 'github-app'] as const;
export type AuthMethod = (typeof authMethods)[number];

export const services = ['repos', 'pull-requests', 'tickets'] as const;
export type Service = (typeof services)[number];
export const serviceLabels: Record<Service, string> = { repos: 'Repos (commits and tags)', 'pull-requests': 'Pull requests', tickets: 'Tickets' };
/** The same in a word or two, for tables. */
export const serviceNames: Record<Service, string> = { repos: 'Repos', 'pull-requests': 'Pull requests', tickets: 'Tickets' };

export interface Provider {
	kind: ProviderKind;
	label: string;
	description: string;
	authMethods: AuthMethod[];
	services: Service[];
	/** Has repository data: deployment source (git tags) applies. */
	hasRepoData: boolean;
	/** Self-hosted kinds need the server's base URL. */
	needsBaseUrl: boolean;
	/** Services offered but off until turned on in the Services tab (they need more of the credentials). */
	optionalServices?: Service[];
	/** A service the provider calls otherwise (GitLab's merge requests): its label and its name in a word or two. */
	serviceTerms?: Partial<Record<Service, { label: string; name: string }>>;
	/** An authentication method the provider names otherwise (Bitbucket Data Center's "HTTP access token"). */
	authTerms?: Partial<Record<AuthMethod, string>>;
}

const git = ['repos'] as Service[];
const gitHost = ['repos', 'pull-requests'] as Service[];

export const providers: Record<ProviderKind, Provider> = {
	github: { kind: 'github', label: 'GitHub', description: 'github.com organisations and their repositories.', authMethods: ['personal-access-token', 'github-app'], services: gitHost, hasRepoData: true, needsBaseUrl: false },
	'github-enterprise': { kind: 'github-enterprise', label: 'GitHub Enterprise Server', description: 'Your own GitHub server.', authMethods: ['personal-access-token', 'github-app'], services: gitHost, hasRepoData: true, needsBaseUrl: true },
	gitlab: { kind: 'gitlab', label: 'GitLab', description: 'gitlab.com groups and projects.', authMethods: ['personal-access-token'], services: gitHost, hasRepoData: true, needsBaseUrl: false, serviceTerms: { 'pull-requests': { label: 'Merge requests', name: 'Merge requests' } } },
	'gitlab-self-managed': { kind: 'gitlab-self-managed', label: 'GitLab self-managed', description: 'Your own GitLab server (Community or Enterprise Edition, or GitLab Dedicated).', authMethods: ['personal-access-token'], services: gitHost, hasRepoData: true, needsBaseUrl: true, serviceTerms: { 'pull-requests': { label: 'Merge requests', name: 'Merge requests' } } },
	'bitbucket-cloud': { kind: 'bitbucket-cloud', label: 'Bitbucket Cloud', description: 'bitbucket.org workspaces and their repositories.', authMethods: ['api-token', 'app-password'], services: gitHost, hasRepoData: true, needsBaseUrl: false },
	'bitbucket-data-center': {
		kind: 'bitbucket-data-center',
		label: 'Bitbucket Data Center',
		description: 'Your own Bitbucket server (Data Center or Server).',
		authMethods: ['personal-access-token', 'basic'],
		services: gitHost,
		hasRepoData: true,
		needsBaseUrl: true,
		authTerms: { 'personal-access-token': 'HTTP access token' }
	},
	// Azure Boards' work items are tickets, off until turned on: the token then needs Work Items: Read too.
	'azure-devops': {
		kind: 'azure-devops',
		label: 'Azure DevOps',
		description: 'Azure DevOps organisations (dev.azure.com) or Azure DevOps Server collections: repos, pull requests and Boards work items.',
		authMethods: ['personal-access-token'],
		services: ['repos', 'pull-requests', 'tickets'],
		optionalServices: ['tickets'],
		hasRepoData: true,
		needsBaseUrl: true,
		serviceTerms: { tickets: { label: 'Work items (Azure Boards)', name: 'Work items' } }
	},
	'jira-cloud': { kind: 'jira-cloud', label: 'Jira Cloud', description: 'Jira sites on atlassian.net: projects, tickets and how they moved.', authMethods: ['api-token'], services: ['tickets'], hasRepoData: false, needsBaseUrl: true },
	'jira-data-center': { kind: 'jira-data-center', label: 'Jira Data Center', description: 'Your own Jira server (Data Center or Server): projects, tickets and how they moved.', authMethods: ['personal-access-token', 'basic'], services: ['tickets'], hasRepoData: false, needsBaseUrl: true },
	'generic-git': { kind: 'generic-git', label: 'Any git server', description: 'Repositories by URL over HTTPS or SSH: commits and tags, from any git host.', authMethods: ['none', 'https-token', 'ssh-key'], services: git, hasRepoData: true, needsBaseUrl: false }
};

/** The services a new integration of a kind starts with: every one offered but the optional ones. */
export function defaultServicesOf(kind: ProviderKind): Service[] {
	const optional = providers[kind].optionalServices ?? [];
	return providers[kind].services.filter((s) => !optional.includes(s));
}

/** A service's label in the provider's own words ("Merge requests" on GitLab). */
export function serviceLabelOf(kind: ProviderKind, service: Service): string {
	return providers[kind].serviceTerms?.[service]?.label ?? serviceLabels[service];
}

/** The same in a word or two, for tables. */
export function serviceNameOf(kind: ProviderKind, service: Service): string {
	return providers[kind].serviceTerms?.[service]?.name ?? serviceNames[service];
}

export const authMethodLabels: Record<AuthMethod, string> = {
	none: 'No credentials (public repositories)',
	'https-token': 'HTTPS username and token',
	'ssh-key': 'SSH private key',
	'personal-access-token': 'Personal access token',
	'api-token': 'API token',
	oauth: 'OAuth',
	'app-password': 'App password',
	basic: 'Username and password',
	'github-app': 'GitHub App'
};

/** An authentication method's label in the provider's own words. */
export function authMethodLabelOf(kind: ProviderKind, method: AuthMethod): string {
	return providers[kind].authTerms?.[method] ?? authMethodLabels[method];
}

export const integrationDataStatuses = ['pending', 'processing', 'healthy', 'rate-limited', 'failed-integration', 'failed-items', 'deleting'] as const;
export type IntegrationDataStatus = (typeof integrationDataStatuses)[number];

export const repoDataStatuses = ['queued', 'fetching', 'processing', 'healthy', 'rate-limited', 'blocked', 'failed', 'excluded'] as const;
export type RepoDataStatus = (typeof repoDataStatuses)[number];
