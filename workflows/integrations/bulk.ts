// Actions for all (or selected) integrations: each one operation with live progress.
import { executeChild } from '@temporalio/workflow';
import { inBatches } from '../concurrency.ts';
import { bookkeeping, dataWork, recordingFailure } from './activities.ts';
import type { DeploymentSourceInput, MetricsInput, UpdateAllInput } from './contract.ts';
import { updateIntegrationWorkflow } from './update.ts';

/** Update all repos: every integration's update, each with its own operation, a few at once. */
export async function updateAllWorkflow(input: UpdateAllInput): Promise<void> {
	await recordingFailure(input.operationId, async () => {
		const updates = await bookkeeping.planUpdateAll({
			operationId: input.operationId,
			organizationId: input.organizationId,
			concurrency: input.concurrency,
			heartbeatSeconds: input.heartbeatSeconds
		});
		await inBatches(updates, 2, async (update) => {
			await executeChild(updateIntegrationWorkflow, { workflowId: update.workflowId, args: [update.input] }).catch(() => undefined); // its own operation records how it failed
			await bookkeeping.countFinishedUpdate({ operationId: input.operationId });
		});
		await bookkeeping.finishOperation({ operationId: input.operationId, state: 'succeeded', result: { integrations: updates.length } });
	});
}

/** Update background metrics: recompute every derived number from stored raw data. */
export async function updateMetricsWorkflow(input: MetricsInput): Promise<void> {
	await recordingFailure(input.operationId, async () => {
		const integrationIds = await bookkeeping.listIntegrationIds({ operationId: input.operationId, organizationId: input.organizationId, gitOnly: true });
		for (const [index, integrationId] of integrationIds.entries()) {
			await dataWork.recomputeMetrics({ operationId: input.operationId, integrationId, position: index + 1 });
		}
		await bookkeeping.finishOperation({ operationId: input.operationId, state: 'succeeded', result: { integrations: integrationIds.length } });
	});
}

/** Deployment source: git-tag tracking on or off, deployments derived or removed, metrics refreshed. */
export async function deploymentSourceWorkflow(input: DeploymentSourceInput): Promise<void> {
	await recordingFailure(input.operationId, async () => {
		const integrationIds =
			input.integrationIds.length > 0
				? input.integrationIds
				: await bookkeeping.listIntegrationIds({ operationId: input.operationId, organizationId: input.organizationId, gitOnly: true });
		for (const [index, integrationId] of integrationIds.entries()) {
			await dataWork.applyDeploymentSource({
				operationId: input.operationId,
				organizationId: input.organizationId,
				integrationId,
				gitTags: input.gitTags,
				position: index + 1
			});
		}
		await bookkeeping.finishOperation({
			operationId: input.operationId,
			state: 'succeeded',
			result: { integrations: integrationIds.length, gitTags: input.gitTags }
		});
	});
}
