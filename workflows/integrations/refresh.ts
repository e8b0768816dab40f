import { discoveryWork, recordingFailure } from './activities.ts';
import type { RefreshIntegrationInput } from './contract.ts';

/** Refresh: the provider lists its groups and repositories again; the result counts what is new. */
export async function refreshIntegrationWorkflow(input: RefreshIntegrationInput): Promise<void> {
	await recordingFailure(input.operationId, () => discoveryWork.refreshIntegration(input));
}
