import { patched } from '@temporalio/workflow';
import { discoveryWork, recordingFailure } from './activities.ts';
import { discoverWaitingOutLimits } from './discovery.ts';
import type { RefreshIntegrationInput } from './contract.ts';

/** Refresh: the provider lists its groups and repositories again; the result counts what is new. */
export async function refreshIntegrationWorkflow(input: RefreshIntegrationInput): Promise<void> {
	// Runs started before refreshes waited out spent quotas replay as they ran.
	const waits = patched('discovery-waits-out-rate-limits');
	await recordingFailure(input.operationId, async () => {
		if (waits) await discoverWaitingOutLimits(input, true);
		else await discoveryWork.refreshIntegration(input);
	});
}
