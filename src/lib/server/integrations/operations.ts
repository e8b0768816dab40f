// Every action on integrations starts one operation (a row and its durable workflow).
import { sql } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { allIntegrationsScope, integrationScope } from '#core/domain/integrations/integration.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { readSettings } from '#core/config.ts';
import { providerDiscovers, providerOf } from '#core/providers/registry.ts';
import { startOperation, type Starter } from '#lib/server/operations/start.ts';
import { database } from '#lib/server/runtime.ts';
import {
	deletionLabels,
	deletionTables,
	operationKinds,
	refreshStages,
	testStages,
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

/** What every update workflow takes from the settings. */
function updateSettings() {
	const settings = readSettings();
	return { concurrency: settings.updateConcurrency, heartbeatSeconds: settings.ingestHeartbeatSeconds };
}

async function kindOf(integrationId: string): Promise<string | undefined> {
	const row = await database().db.selectFrom('integrations').select('kind').where('id', '=', integrationId).executeTakeFirst();
	return row?.kind;
}

/** Whether an update of the integration starts with discovery: its provider lists repositories. */
async function discovers(integrationId: string): Promise<boolean> {
	const kind = await kindOf(integrationId);
	return kind ? providerDiscovers(kind) : true;
}

/** An update of the integration's imported repositories, or of only `repoIds` (a webhook's). */
export async function startUpdate(user: Starter, integrationId: string, repoIds?: string[]): Promise<Operation> {
	const [repos, discover] = await Promise.all([repoIds?.length ?? importedRepoCount(integrationId), discovers(integrationId)]);
	return startOperation(user, {
		kind: operationKinds.update,
		scope: integrationScope(integrationId),
		stages: updateStages(repos),
		input: (operationId): UpdateIntegrationInput => ({ version: 1, operationId, integrationId, ...updateSettings(), discover, ...(repoIds ? { repoIds } : {}) })
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

export function startDelete(user: SignedInUser, integrationId: string): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.delete,
		scope: integrationScope(integrationId),
		stages: deletionTables.map((table) => ({ key: table, label: deletionLabels[table], done: 0, total: 0 })),
		// One deletion per integration: the workflow id is the integration's, not the operation's.
		input: (operationId): DeleteIntegrationInput => ({ version: 1, operationId, integrationId })
	});
}

const integrationsStage = (total: number) => [{ key: 'integrations', label: 'Integrations', done: 0, total }];

export function startUpdateAll(user: SignedInUser): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.updateAll,
		scope: allIntegrationsScope,
		stages: integrationsStage(0),
		input: (operationId): UpdateAllInput => ({ version: 1, operationId, organizationId: user.organizationId, ...updateSettings() })
	});
}

export function startMetrics(user: SignedInUser): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.metrics,
		scope: allIntegrationsScope,
		stages: integrationsStage(0),
		input: (operationId): MetricsInput => ({ version: 1, operationId, organizationId: user.organizationId })
	});
}

/** For the given integrations, or all git-based ones when `integrationIds` is empty. */
export function startDeploymentSource(user: SignedInUser, integrationIds: string[], gitTags: boolean): Promise<Operation> {
	return startOperation(user, {
		kind: operationKinds.deploymentSource,
		// One integration's change has its own scope, so changes to different integrations run side
		// by side; a change to several shares the scope of "all", so those wait for one another.
		scope: integrationIds.length === 1 ? integrationScope(integrationIds[0]!) : allIntegrationsScope,
		stages: integrationsStage(integrationIds.length),
		input: (operationId): DeploymentSourceInput => ({ version: 1, operationId, organizationId: user.organizationId, integrationIds, gitTags })
	});
}
