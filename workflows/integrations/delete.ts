import { CancellationScope } from '@temporalio/workflow';
import { describeFailure } from '../failure.ts';
import { bookkeeping, dataWork } from './activities.ts';
import type { DeleteIntegrationInput } from './contract.ts';

/**
 * Delete: every kind of data in batches, each table until empty, then the integration itself.
 * Each batch commits on its own, so readers and other integrations never wait on it; a killed
 * worker's batch is retried and deleting twice deletes nothing more.
 */
export async function deleteIntegrationWorkflow(input: DeleteIntegrationInput): Promise<void> {
	const { operationId, integrationId } = input;
	try {
		await dataWork.deleteIntegration({ operationId, integrationId });
	} catch (error) {
		const { state, message } = describeFailure(error);
		await CancellationScope.nonCancellable(() => bookkeeping.failDeletion({ operationId, integrationId, state, message }));
		throw error;
	}
}
