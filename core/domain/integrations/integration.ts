// What pages and events carry about an integration and its repos. Never a secret.
import { providers, type AuthMethod, type IntegrationDataStatus, type ProviderKind, type RepoDataStatus, type Service } from './providers.ts';

export interface IntegrationSummary {
	id: string;
	organizationId: string;
	kind: ProviderKind;
	name: string;
	authMethod: AuthMethod;
	credentialSummary: string;
	services: Service[];
	deploymentsFromTags: boolean;
	dataStatus: IntegrationDataStatus;
	statusDetail: string | null;
	lastUpdatedAt: string | null;
	addedBy: string;
	createdAt: string;
	repoCount: number;
	ticketProjectCount: number;
	/** The edit form's version: a save of an older one is refused. */
	version: number;
	/** Bumped on every change to the integration (status, quota, edits): which of two views is newer. */
	revision: number;
	/** A self-hosted server's address; null for cloud kinds. */
	baseUrl: string | null;
	/** When the credentials stop working, as the provider last said; null: never, or unknown. */
	credentialsExpireAt: string | null;
	/** The provider's API quota as its last answer reported it (ISO reset time); null before any. */
	quota?: { limit: number; remaining: number; resetAt: string } | null;
}

/** "4,210 of 5,000 requests left, resets 14:05 UTC" */
export function describeQuota(quota: { limit: number; remaining: number; resetAt: string }): string {
	return `${quota.remaining.toLocaleString('en')} of ${quota.limit.toLocaleString('en')} requests left, resets ${quota.resetAt.slice(11, 16)} UTC`;
}

/** The integrations table warns this long before credentials expire. */
export const credentialsExpiryWarningDays = 14;

/** Whether credentials expiring at `expiresAt` deserve a warning at `now` (expired ones too). */
export function credentialsExpireSoon(expiresAt: string | null, now = Date.now()): boolean {
	return expiresAt !== null && Date.parse(expiresAt) - now <= credentialsExpiryWarningDays * 86_400_000;
}

export interface RepoSummary {
	id: string;
	integrationId: string;
	organizationId: string;
	name: string;
	url: string;
	/** The provider's id of it within the integration (Generic Git: its URL). */
	providerId: string;
	imported: boolean;
	dataStatus: RepoDataStatus;
	statusDetail: string | null;
	lastUpdatedAt: string | null;
	commits: number;
	tags: number;
	progressDone: number;
	progressTotal: number;
	/** Pull requests stored (kinds with pull requests), and how their last ingest went when it needs saying. */
	pullRequests?: number;
	pullRequestsDetail?: string | null;
	/** Which of two views of it is newer (a page load's or an event's). */
	revision: number;
}

export const integrationStatusText: Record<IntegrationDataStatus, { label: string; explanation: string; tone: 'ok' | 'bad' | 'run' | 'warn' | 'idle' }> = {
	pending: { label: 'Pending', explanation: 'Saved; waiting for its first update to start.', tone: 'idle' },
	processing: { label: 'Processing', explanation: 'Fetching and processing its data now.', tone: 'run' },
	healthy: { label: 'Healthy', explanation: 'Its last update finished without errors.', tone: 'ok' },
	'rate-limited': { label: 'Rate limited', explanation: 'The provider asked us to wait; it resumes at the reset time.', tone: 'warn' },
	'failed-integration': { label: 'Failed', explanation: 'The whole integration failed; the reason is shown with it.', tone: 'bad' },
	'failed-items': { label: 'Some repos failed', explanation: 'Some repositories could not be updated; the others are fine.', tone: 'warn' },
	deleting: { label: 'Deleting', explanation: 'Its data is being removed; it disappears when done.', tone: 'idle' }
};

/** The integrations table's deployment source: blank for providers without repository data (SPEC F6.1). */
export const deploymentSourceText = { tags: 'Git tags', off: 'Off' } as const;
export function deploymentSourceLabel(kind: ProviderKind, fromTags: boolean): string {
	return providers[kind].hasRepoData ? deploymentSourceText[fromTags ? 'tags' : 'off'] : '';
}

export const repoStatusText: Record<RepoDataStatus, { label: string; explanation: string; tone: 'ok' | 'bad' | 'run' | 'warn' | 'idle' }> = {
	queued: { label: 'Queued', explanation: 'Waiting for its turn in the current update.', tone: 'idle' },
	fetching: { label: 'Fetching', explanation: 'Downloading new branches and tags.', tone: 'run' },
	processing: { label: 'Processing', explanation: 'Reading new commits and tags into Tributary.', tone: 'run' },
	healthy: { label: 'Healthy', explanation: 'Up to date as of its last update.', tone: 'ok' },
	'rate-limited': { label: 'Rate limited', explanation: 'Waiting for the provider’s limit to reset.', tone: 'warn' },
	blocked: { label: 'Blocked', explanation: 'Cannot be read: bad credentials, or moved or deleted upstream. Fix and update again.', tone: 'bad' },
	failed: { label: 'Failed', explanation: 'The last update failed; the reason is shown with it.', tone: 'bad' },
	excluded: { label: 'Not imported', explanation: 'Known but not imported; import it to ingest its data.', tone: 'idle' }
};

export const integrationScope = (integrationId: string) => `integration:${integrationId}`;
export const allIntegrationsScope = 'integrations';
/** The integration an operation's scope names, if it names one. */
export const integrationIdOfScope = (scope: string): string | undefined =>
	scope.startsWith('integration:') ? scope.slice('integration:'.length) : undefined;
