import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../worker/activities/index.ts';
import { describeFailure } from '../failure.ts';
import type { SelfCheckInput, SelfCheckResult } from './contract.ts';

type Activities = ReturnType<typeof createActivities>;

const checks = proxyActivities<Activities>({
	startToCloseTimeout: '2 minutes',
	// Short, so a killed worker's check is retried elsewhere within seconds.
	heartbeatTimeout: '5 seconds',
	retry: { initialInterval: '500 ms', maximumInterval: '5 seconds', maximumAttempts: 5 }
});

const bookkeeping = proxyActivities<Activities>({
	startToCloseTimeout: '30 seconds',
	retry: { initialInterval: '500 ms', maximumInterval: '10 seconds' }
});

/** Checks each component in turn and reports what it measured; the operation row tells the outcome. */
export async function selfCheckWorkflow(input: SelfCheckInput): Promise<SelfCheckResult> {
	const { operationId, samples, intervalMs } = input;
	try {
		const postgres = await checks.checkPostgres({ operationId, samples, intervalMs });
		const worker = await checks.checkWorker({ operationId });
		const realtime = await checks.checkRealtime({ operationId, samples, intervalMs });
		const result: SelfCheckResult = { postgres, worker, realtime };
		await bookkeeping.finishOperation({ operationId, state: 'succeeded', result: { ...result } });
		return result;
	} catch (error) {
		const { state, message } = describeFailure(error);
		// Record the outcome even when the workflow itself is being cancelled.
		await CancellationScope.nonCancellable(() => bookkeeping.finishOperation({ operationId, state, error: message }));
		throw error;
	}
}
