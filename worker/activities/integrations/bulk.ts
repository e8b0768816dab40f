// Actions for all integrations: planning the per-integration updates, metrics, deployment source.
import { sql } from 'kysely';
import { providers } from '#core/domain/integrations/providers.ts';
import { integrationIdOfScope, integrationScope } from '#core/domain/integrations/integration.ts';
import { insertOperation, OperationAlreadyRunningError } from '#core/operations/queries.ts';
import { broadcastStarted } from '#core/operations/broadcast.ts';
import { operationKinds, updateIntegrationWorkflowId, updateStages } from '../../../workflows/integrations/contract.ts';
import { announceIntegration, type IntegrationDeps } from './context.ts';
import { deriveDeployments, recomputeDailyMetrics, removeDeployments } from './deployments.ts';

export function createBulkActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		async listIntegrationIds(input: { operationId: string; organizationId: string; gitOnly: boolean }): Promise<string[]> {
			const rows = await db
				.selectFrom('integrations')
				.select(['id', 'kind'])
				.where('organization_id', '=', input.organizationId)
				.where('data_status', '!=', 'deleting')
				.orderBy('name')
				.execute();
			const ids = rows.filter((r) => !input.gitOnly || providers[r.kind].hasRepoData).map((r) => r.id);
			await deps.progress.report(input.operationId, { stage: 'integrations', done: 0, total: ids.length });
			return ids;
		},

		/** One update operation per integration (skipping those already updating), started by this action's author. */
		async planUpdateAll(input: { operationId: string; organizationId: string }): Promise<Array<{ integrationId: string; operationId: string; workflowId: string }>> {
			const parent = await db.selectFrom('operations').select('started_by').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			// A retry must not plan twice: reuse the updates this operation already created.
			const existing = await db
				.selectFrom('operations')
				.select(['id', 'scope', 'workflow_id'])
				.where('parent_id', '=', input.operationId)
				.execute();
			if (existing.length > 0) {
				return existing.map((op) => ({ integrationId: integrationIdOfScope(op.scope)!, operationId: op.id, workflowId: op.workflow_id }));
			}
			const integrations = await db
				.selectFrom('integrations')
				.select(['id'])
				.where('organization_id', '=', input.organizationId)
				.where('data_status', '!=', 'deleting')
				.orderBy('name')
				.execute();
			const planned = [];
			for (const integration of integrations) {
				const repos = await db.selectFrom('repos').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integration.id).where('imported', '=', true).executeTakeFirstOrThrow();
				try {
					const operation = await insertOperation(db, {
						organizationId: input.organizationId,
						kind: operationKinds.update,
						scope: integrationScope(integration.id),
						stages: updateStages(repos.n),
						startedBy: parent.started_by,
						workflowId: updateIntegrationWorkflowId,
						parentId: input.operationId
					});
					broadcastStarted(deps.io, operation);
					planned.push({ integrationId: integration.id, operationId: operation.id, workflowId: operation.workflowId });
				} catch (error) {
					if (!(error instanceof OperationAlreadyRunningError)) throw error;
				}
			}
			await deps.progress.report(input.operationId, { stage: 'integrations', done: 0, total: planned.length });
			return planned;
		},

		async countFinishedUpdate(input: { operationId: string }): Promise<void> {
			const finished = await db
				.selectFrom('operations')
				.select(sql<number>`count(*)::int`.as('n'))
				.where('parent_id', '=', input.operationId)
				.where('state', '!=', 'running')
				.executeTakeFirstOrThrow();
			await deps.progress.report(input.operationId, { stage: 'integrations', done: finished.n });
		},

		/** `position`: this integration's place in the plan (1-based), which is also the count done after it. */
		async recomputeMetrics(input: { operationId: string; integrationId: string; position: number }): Promise<void> {
			// An integration being deleted gets no new rows (recomputeDailyMetrics holds it, and checks).
			const rows = await recomputeDailyMetrics(db, input.integrationId);
			const name = (await db.selectFrom('integrations').select('name').where('id', '=', input.integrationId).executeTakeFirst())?.name;
			await deps.progress.report(input.operationId, { stage: 'integrations', done: input.position, currentItem: `${name ?? 'integration'}: ${rows} repo-days` });
		},

		async applyDeploymentSource(input: { operationId: string; organizationId: string; integrationId: string; gitTags: boolean; position: number }): Promise<void> {
			const updated = await db
				.updateTable('integrations')
				.set({ deployments_from_tags: input.gitTags, version: sql`version + 1` })
				.where('id', '=', input.integrationId)
				.where('organization_id', '=', input.organizationId)
				.where('data_status', '!=', 'deleting')
				.returning(['name'])
				.executeTakeFirst();
			if (!updated) return;
			if (input.gitTags) await deriveDeployments(db, input.integrationId);
			else await removeDeployments(db, input.integrationId);
			await recomputeDailyMetrics(db, input.integrationId);
			await announceIntegration(deps, input.integrationId);
			await deps.progress.report(input.operationId, {
				stage: 'integrations',
				done: input.position,
				currentItem: `${updated.name}: deployments from git tags ${input.gitTags ? 'on' : 'off'}`
			});
		}
	};
}
