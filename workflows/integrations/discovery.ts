import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import { discoveryWork } from './activities.ts';
import { rateLimitFailureType } from './contract.ts';

/** How many spent quotas one discovery waits out before it gives up. */
const maxWaits = 3;

/** When a spent quota resets, if that is why the activity failed. */
function resetOf(error: unknown): number | undefined {
	const cause = error instanceof ActivityFailure ? error.cause : undefined;
	if (!(cause instanceof ApplicationFailure) || cause.type !== rateLimitFailureType) return undefined;
	const reset = Date.parse(String(cause.details?.[0]));
	return Number.isFinite(reset) ? reset : undefined;
}

/**
 * Discovery that waits out the provider's rate limit with a Temporal timer (no activity sleeps,
 * and a worker restart in between loses nothing), then asks again.
 */
export async function discoverWaitingOutLimits(input: { operationId: string; integrationId: string }, refresh = false): Promise<void> {
	for (let waits = 0; ; waits++) {
		try {
			if (refresh) await discoveryWork.refreshIntegration(input);
			else await discoveryWork.discoverRepositories(input);
			return;
		} catch (error) {
			const reset = resetOf(error);
			if (reset === undefined || waits >= maxWaits) throw error;
			// A second past the reset: the provider's clock and ours may differ a little.
			await sleep(Math.max(1_000, reset - Date.now() + 1_000));
		}
	}
}
