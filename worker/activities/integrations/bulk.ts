// Actions for all integrations: planning the per-integration updates, metrics, deployment source.
import { sql } from 'kysely';
import { providers } from '#core/domain/integrations/providers.ts';
import { integrationIdOfScope, integrationScope } from '#core/domain/integrations/integration.ts';
import { OperationAlreadyRunningError } from '#core/operations/queries.ts';
import { createOperation } from '#core/operations/start.ts';
import { providerDiscovers } from '#core/providers/registry.ts';
import { operationKinds, updateStages, type UpdateIntegrationInput } from '../../../workflows/integrations/contract.ts';
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
		async planUpdateAll(input: {
			operationId: string;
			organizationId: string;
			concurrency: number;
			heartbeatSeconds?: number;
		}): Promise<Array<{ workflowId: string; input: UpdateIntegrationInput }>> {
			const parent = await db.selectFrom('operations').select('started_by').where('id', '=', input.operationId).executeTakeFirstOrThrow();
			const updateInput = (operationId: string, integrationId: string, kind: string): UpdateIntegrationInput => ({
				version: 1,
				operationId,
				integrationId,
				concurrency: input.concurrency,
				heartbeatSeconds: input.heartbeatSeconds,
				discover: providerDiscovers(kind)
			});
			// A retry must not plan twice: reuse the updates this operation already created.
			const existing = await db
				.selectFrom('operations')
				.select(['id', 'scope', 'workflow_id'])
				.where('parent_id', '=', input.operationId)
				.execute();
			if (existing.length > 0) {
				const ids = existing.map((op) => integrationIdOfScope(op.scope)!);
				const kinds = new Map((await db.selectFrom('integrations').select(['id', 'kind']).where('id', 'in', ids).execute()).map((row) => [row.id, row.kind]));
				return existing.map((op, index) => ({ workflowId: op.workflow_id, input: updateInput(op.id, ids[index]!, kinds.get(ids[index]!) ?? '') }));
			}
			const integrations = await db
				.selectFrom('integrations')
				.select(['id', 'kind'])
				.where('organization_id', '=', input.organizationId)
				.where('data_status', '!=', 'deleting')
				.orderBy('name')
				.execute();
			const planned = [];
			for (const integration of integrations) {
				const repos = await db.selectFrom('repos').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integration.id).where('imported', '=', true).executeTakeFirstOrThrow();
				try {
					// The same operation a person's Update starts; its workflow runs as this one's child.
					const { operation, input: childInput } = await createOperation(db, deps.io, {
						kind: operationKinds.update,
						organizationId: input.organizationId,
						startedBy: parent.started_by,
						scope: integrationScope(integration.id),
						stages: updateStages(repos.n),
						parentId: input.operationId,
						input: (operationId) => updateInput(operationId, integration.id, integration.kind)
					});
					planned.push({ workflowId: operation.workflowId, input: childInput });
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
