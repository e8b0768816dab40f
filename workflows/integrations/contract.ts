// Inputs, ids and stages of the integration workflows. No workflow runtime here: the web process
// imports this to start them. Workflow ids double as locks: one per integration and kind.
import type { OperationStage } from '#core/domain/operations/operation.ts';

export const operationKinds = {
	update: 'integration.update',
	test: 'integration.test',
	refresh: 'integration.refresh',
	delete: 'integration.delete',
	updateAll: 'integrations.update-all',
	metrics: 'integrations.metrics',
	deploymentSource: 'integrations.deployment-source'
} as const;

export interface UpdateIntegrationInput {
	version: 1;
	operationId: string;
	integrationId: string;
	/** How many repositories ingest at once. */
	concurrency: number;
	/** The ingests' heartbeat timeout (TRIBUTARY_INGEST_HEARTBEAT_SECONDS); 10 s when absent. */
	heartbeatSeconds?: number;
	/** Only these repositories (a webhook's); every imported one when absent. */
	repoIds?: string[];
	/** Only these ticket projects (a webhook's); every imported one when absent. */
	ticketProjectIds?: string[];
	/**
	 * False when the integration's provider lists no repositories of its own (Generic Git: they
	 * are what was entered): the update skips discovery, a round trip through Temporal for nothing.
	 * Absent (runs started before it existed) means discover.
	 */
	discover?: boolean;
}
/**
 * Tells a running update that these repositories changed meanwhile (a webhook arrived while it
 * ran): it ingests them once more before it ends, so no change waits for the next update.
 */
export const repositoriesChangedSignal = 'repositoriesChanged';
/** The same for ticket projects. */
export const ticketProjectsChangedSignal = 'ticketProjectsChanged';
export const updateIntegrationWorkflowId = (operationId: string) => `update-integration-${operationId}`;
export const ingestRepoWorkflowId = (repoId: string, operationId: string) => `ingest-repo-${repoId}-${operationId}`;
export const ingestTicketProjectWorkflowId = (projectId: string, operationId: string) => `ingest-ticket-project-${projectId}-${operationId}`;
export const updateStages = (repos: number): OperationStage[] => [
	{ key: 'repos', label: 'Repositories', done: 0, total: repos },
	{ key: 'commits', label: 'Commits', done: 0, total: 0 }
];
/** Added by the plan when the integration ingests tickets. */
export const ticketStages = (projects: number): OperationStage[] => [
	{ key: 'ticket-projects', label: 'Ticket projects', done: 0, total: projects },
	{ key: 'tickets', label: 'Tickets', done: 0, total: 0 }
];
/** Added by the plan when the integration ingests pull requests. */
export const pullRequestStage: OperationStage = { key: 'pull-requests', label: 'Pull requests', done: 0, total: 0 };

/** A repository an update ingests, and whether its pull requests too. */
export interface PlannedRepo {
	id: string;
	name: string;
	pullRequests?: boolean;
	/** False when the integration's services leave out repos (commits and tags): pull requests only. */
	commits?: boolean;
}

export interface IngestRepoInput {
	version: 1;
	operationId: string;
	integrationId: string;
	repoId: string;
	heartbeatSeconds?: number;
	/** Its pull requests too, after its commits (the integration's services include them). */
	pullRequests?: boolean;
	/** False: no commits and tags (the services leave out repos). */
	commits?: boolean;
}

/**
 * The failure type of an activity that found the provider's quota spent (discovery, pull requests)
 * and its one detail (never a credential): RateLimitDetails. Discoveries before it carried the
 * reset time alone (an ISO 8601 string); rateLimitDetailsOf reads both.
 */
export const rateLimitFailureType = 'RateLimited';
export interface RateLimitDetails {
	resetAt: string;
	limit: number | null;
	remaining: number | null;
}
/** How long after the reset the work resumes: the provider's clock and ours may differ a little. */
export const rateLimitMarginMs = 2_000;

/** A ticket project an update ingests. */
export interface PlannedTicketProject {
	id: string;
	name: string;
}

export interface IngestTicketProjectInput {
	version: 1;
	operationId: string;
	integrationId: string;
	projectId: string;
	heartbeatSeconds?: number;
}

export interface TicketProjectOutcome {
	projectId: string;
	name: string;
	ok: boolean;
	message: string | null;
}

export interface RepoOutcome {
	repoId: string;
	name: string;
	ok: boolean;
	message: string | null;
}

export interface TestConnectionInput {
	version: 1;
	operationId: string;
	integrationId: string;
}
export const testConnectionWorkflowId = (operationId: string) => `test-integration-${operationId}`;
/** `label`: what the provider's test counts (testStepsLabel); its total may grow as the test learns more. */
export const testStages = (total: number, label = 'Repositories reached'): OperationStage[] => [{ key: 'repos', label, done: 0, total }];

/** Refresh: the provider's groups and repositories listed again; new ones imported as the toggles say. */
export interface RefreshIntegrationInput {
	version: 1;
	operationId: string;
	integrationId: string;
}
export const refreshIntegrationWorkflowId = (operationId: string) => `refresh-integration-${operationId}`;
export const refreshStages = (): OperationStage[] => [{ key: 'groups', label: 'Groups listed', done: 0, total: 0 }];

export interface DeleteIntegrationInput {
	version: 1;
	operationId: string;
	integrationId: string;
}
/** One deletion per integration, ever running: the id is the lock. */
export const deleteIntegrationWorkflowId = (integrationId: string) => `delete-integration-${integrationId}`;
export { deletionLabels, deletionTables, type DeletionTable } from '#core/domain/integrations/data-kinds.ts';

export interface UpdateAllInput {
	version: 1;
	operationId: string;
	organizationId: string;
	concurrency: number;
	heartbeatSeconds?: number;
}
export const updateAllWorkflowId = (operationId: string) => `update-all-${operationId}`;

export interface MetricsInput {
	version: 1;
	operationId: string;
	organizationId: string;
}
export const metricsWorkflowId = (operationId: string) => `update-metrics-${operationId}`;

export interface DeploymentSourceInput {
	version: 1;
	operationId: string;
	organizationId: string;
	/** Which integrations; empty means every git-based integration of the organisation. */
	integrationIds: string[];
	gitTags: boolean;
}
export const deploymentSourceWorkflowId = (operationId: string) => `deployment-source-${operationId}`;

/** What a discovery found and stored (Refresh's result; an update's when repositories were left elsewhere). */
export interface DiscoveryResult {
	groups: number;
	repositories: number;
	newGroups: number;
	newRepositories: number;
	/** New repositories imported by the toggles. */
	imported: number;
	/** Repositories another integration of the organisation already holds (left there). */
	heldElsewhere: number;
	/** Which integrations hold them, and whether they are being deleted: the reason they were left. */
	heldBy?: Array<{ integration: string; deleting: boolean; repositories: number }>;
	/** Hours after a deletion ends before its repositories may be added again. */
	reAddCooldownHours?: number;
	/** Ticket projects listed, new, and new ones imported (kinds with tickets). */
	ticketProjects?: number;
	newTicketProjects?: number;
	importedTicketProjects?: number;
}
