// Every action on integrations starts one operation (a row and its durable workflow).
import { sql } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { providers } from '#core/domain/integrations/providers.ts';
import { allIntegrationsScope, integrationIdOfScope, integrationScope } from '#core/domain/integrations/integration.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { readSettings } from '#core/config.ts';
import { providerDiscovers, providerOf } from '#core/providers/registry.ts';
import { recordAudit } from '#core/accounts/audit.ts';
import { startOperation, type Starter } from '#lib/server/operations/start.ts';
import { database } from '#lib/server/runtime.ts';
import {
	deletionLabels,
	deletionTables,
	operationKinds,
	refreshStages,
	testStages,
	ticketStages,
	updateStages,
	type DeleteIntegrationInput,
	type DeploymentSourceInput,
	type MetricsInput,
	type RefreshIntegrationInput,
	type TestConnectionInput,
	type UpdateAllInput,
	type UpdateIntegrationInput
} from '../../../../workflows/integrations/contract.ts';

async function importedRepoCount(integrationId: string): Promise<number> {
	const row = await database()
		.db.selectFrom('repos')
		.select(sql<number>`count(*)::int`.as('n'))
		.where('integration_id', '=', integrationId)
		.where('imported', '=', true)
		.executeTakeFirstOrThrow();
	return row.n;
}

async function importedTicketProjectCount(integrationId: string): Promise<number> {
	const row = await database()
		.db.selectFrom('ticket_projects')
		.select(sql<number>`count(*)::int`.as('n'))
		.where('integration_id', '=', integrationId)
		.where('imported', '=', true)
		.executeTakeFirstOrThrow();
	return row.n;
}

/** What every update workflow takes from the settings. */
function updateSettings() {
	const settings = readSettings();
	return { concurrency: settings.updateConcurrency, heartbeatSeconds: settings.ingestHeartbeatSeconds };
}

async function kindOf(integrationId: string): Promise<string | undefined> {
	const row = await database().db.selectFrom('integrations').select('kind').where('id', '=', integrationId).executeTakeFirst();
	return row?.kind;
}

/**
 * An update of the integration's imported repositories and ticket projects, or of only `repoIds`
 * and `ticketProjectIds` (a webhook's: one of them empty). Its bars are those of what the
 * integration's services ingest.
 */
export async function startUpdate(user: Starter, integrationId: string, repoIds?: string[], ticketProjectIds?: string[]): Promise<Operation> {
	const { db } = database();
	const integration = await db.selectFrom('integrations').select(['kind', 'services']).where('id', '=', integrationId).executeTakeFirst();
	const kind = integration?.kind;
	const withRepos = !kind || providers[kind].hasRepoData;
	const withTickets = Boolean(kind && integration.services.includes('tickets') && providerOf(kind)?.tickets);
	const [repos, projects] = await Promise.all([
		withRepos ? (repoIds?.length ?? importedRepoCount(integrationId)) : 0,
		withTickets ? (ticketProjectIds?.length ?? importedTicketProjectCount(integrationId)) : 0
	]);
	return startOperation(user, {
		kind: operationKinds.update,
		scope: integrationScope(integrationId),
		stages: [...(withRepos ? updateStages(repos) : []), ...(withTickets ? ticketStages(projects) : [])],
		input: (operationId): UpdateIntegrationInput => ({
			version: 1,
			operationId,
			integrationId,
			...updateSettings(),
			discover: kind ? providerDiscovers(kind) : true,
			...(repoIds ? { repoIds } : {}),
			...(ticketProjectIds ? { ticketProjectIds } : {})
		})
	});
}

/** The test's bar: the provider's own steps where it says what they are, else the repositories it reaches. */
async function connectionTestStages(integrationId: string) {
	const kind = await kindOf(integrationId);
	const label = kind ? providerOf(kind)?.testStepsLabel : undefined;
	return label ? testStages(0, label) : testStages(await importedRepoCount(integrationId));
}

export async function startTest(user: SignedInUser, integrationId: string): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.test,
		scope: integrationScope(integrationId),
		stages: await connectionTestStages(integrationId),
		input: (operationId): TestConnectionInput => ({ version: 1, operationId, integrationId })
	});
}

export function startRefresh(user: SignedInUser, integrationId: string): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.refresh,
		scope: integrationScope(integrationId),
		stages: refreshStages(),
		input: (operationId): RefreshIntegrationInput => ({ version: 1, operationId, integrationId })
	});
}

/**
 * An audit entry for work that changes or removes data (a deletion, the deployment source, the
 * actions for all integrations), once it has started: who asked for what, kept after the
 * integration is gone (SPEC B3). Updates, tests and refreshes change nothing a person chose, and
 * are on the operations page.
 */
async function auditStarted(
	user: SignedInUser,
	operation: Operation,
	action: string,
	after: Record<string, unknown> = {}
): Promise<Operation> {
	const integrationId = integrationIdOfScope(operation.scope);
	await recordAudit(database().db, {
		organizationId: user.organizationId,
		actor: user,
		subject: integrationId
			? { type: 'integration', id: integrationId, label: operation.subjectLabel ?? 'An integration' }
			: { type: 'integrations', id: user.organizationId, label: 'all integrations' },
		action,
		after: { ...after, operation: operation.id }
	});
	return operation;
}

export async function startDelete(user: SignedInUser, integrationId: string): Promise<Operation> {
	const operation = await startOperation(user, {
		kind: operationKinds.delete,
		scope: integrationScope(integrationId),
		stages: deletionTables.map((table) => ({ key: table, label: deletionLabels[table], done: 0, total: 0 })),
		// One deletion per integration: the workflow id is the integration's, not the operation's.
		input: (operationId): DeleteIntegrationInput => ({ version: 1, operationId, integrationId })
	});
	return auditStarted(user, operation, 'integration.deletion_started');
}

const integrationsStage = (total: number) => [{ key: 'integrations', label: 'Integrations', done: 0, total }];

export async function startUpdateAll(user: SignedInUser): Promise<Operation> {
	const operation = await startOperation(user, {
		kind: operationKinds.updateAll,
		scope: allIntegrationsScope,
		stages: integrationsStage(0),
		input: (operationId): UpdateAllInput => ({ version: 1, operationId, organizationId: user.organizationId, ...updateSettings() })
	});
	return auditStarted(user, operation, 'integrations.update_all_started');
}

export async function startMetrics(user: SignedInUser): Promise<Operation> {
	const operation = await startOperation(user, {
		kind: operationKinds.metrics,
		scope: allIntegrationsScope,
		stages: integrationsStage(0),
		input: (operationId): MetricsInput => ({ version: 1, operationId, organizationId: user.organizationId })
	});
	return auditStarted(user, operation, 'integrations.metrics_started');
}

/** For the given integrations, or all git-based ones when `integrationIds` is empty. */
export async function startDeploymentSource(user: SignedInUser, integrationIds: string[], gitTags: boolean): Promise<Operation> {
	const names =
		integrationIds.length === 0
			? []
			: await database().db.selectFrom('integrations').select('name').where('id', 'in', integrationIds).where('organization_id', '=', user.organizationId).orderBy('name').execute();
	const operation = await startOperation(user, {
		kind: operationKinds.deploymentSource,
		// One integration's change has its own scope, so changes to different integrations run side
		// by side; a change to several shares the scope of "all", so those wait for one another.
		scope: integrationIds.length === 1 ? integrationScope(integrationIds[0]!) : allIntegrationsScope,
		stages: integrationsStage(integrationIds.length),
		input: (operationId): DeploymentSourceInput => ({ version: 1, operationId, organizationId: user.organizationId, integrationIds, gitTags })
	});
	return auditStarted(user, operation, 'integrations.deployment_source_changed', {
		gitTags,
		integrations: integrationIds.length === 0 ? 'all' : names.map((n) => n.name)
	});
}
