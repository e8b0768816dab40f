import { sleep } from '@temporalio/workflow';
import { discoveryWork } from './activities.ts';
import type { DiscoveryResult } from './contract.ts';
import { rateLimitDetailsOf } from './rate-limits.ts';

/** How many spent quotas one discovery waits out before it gives up. */
const maxWaits = 3;

/**
 * Discovery that waits out the provider's rate limit with a Temporal timer (no activity sleeps,
 * and a worker restart in between loses nothing), then asks again.
 */
export async function discoverWaitingOutLimits(input: { operationId: string; integrationId: string }, refresh = false): Promise<DiscoveryResult | null> {
	for (let waits = 0; ; waits++) {
		try {
			if (refresh) {
				await discoveryWork.refreshIntegration(input);
				return null;
			}
			return await discoveryWork.discoverRepositories(input);
		} catch (error) {
			const limited = rateLimitDetailsOf(error);
			if (!limited || waits >= maxWaits) throw error;
			const reset = Date.parse(limited.resetAt);
			// A second past the reset: the provider's clock and ours may differ a little.
			await sleep(Math.max(1_000, reset - Date.now() + 1_000));
		}
	}
}
