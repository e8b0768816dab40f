import { connectionTests, recordingFailure } from './activities.ts';
import type { TestConnectionInput } from './contract.ts';

/** Test connection: reach every repository with the stored credentials; the result says which failed. */
export async function testConnectionWorkflow(input: TestConnectionInput): Promise<void> {
	await recordingFailure(input.operationId, () => connectionTests.testIntegrationConnection(input));
}
