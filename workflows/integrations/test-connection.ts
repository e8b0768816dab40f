import { CancellationScope } from '@temporalio/workflow';
import { describeFailure } from '../failure.ts';
import { bookkeeping, connectionTests } from './activities.ts';
import type { TestConnectionInput } from './contract.ts';

/** Test connection: reach every repository with the stored credentials; the result says which failed. */
export async function testConnectionWorkflow(input: TestConnectionInput): Promise<void> {
	try {
		await connectionTests.testIntegrationConnection(input);
	} catch (error) {
		const { state, message } = describeFailure(error);
		await CancellationScope.nonCancellable(() => bookkeeping.finishOperation({ operationId: input.operationId, state, error: message }));
		throw error;
	}
}
