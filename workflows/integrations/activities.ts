// Activity stubs shared by the integration workflows, with timeouts that fit each kind of work.
import { CancellationScope, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { describeFailure } from '../failure.ts';
import type { createActivities } from '../../worker/activities/index.ts';

type Activities = ReturnType<typeof createActivities>;

/**
 * Errors that are mistakes in Tributary's own code: the same input fails the same way every
 * time, so retrying (forever, for bookkeeping) would keep the operation "running" for ever. The
 * workflow fails at once instead and records why. A lost database or Temporal connection is none
 * of these, and is retried.
 */
export const programmingErrors = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError'];

/** Short bookkeeping: reading and writing a few rows. */
export const bookkeeping = proxyActivities<Activities>({
	startToCloseTimeout: '1 minute',
	retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: programmingErrors }
});

/**
 * The same bookkeeping run inside the workflow's own task, for steps on the path of every run
 * (planning and finishing an update): no round trip through the task queue before and after.
 * Safe because each step is short and may run again after a crash.
 */
export const quickBookkeeping = proxyLocalActivities<Activities>({
	startToCloseTimeout: '1 minute',
	retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: programmingErrors }
});

/**
 * Reaching every repository of an integration: a few at a time, each within 20 s, so with many
 * repositories it takes minutes. Heartbeats after each one (at most 20 s apart).
 */
export const connectionTests = proxyActivities<Activities>({
	startToCloseTimeout: '2 hours',
	heartbeatTimeout: '30 seconds',
	retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 3 }
});

/**
 * Listing a provider's groups and repositories: a page per request, a heartbeat per page; a
 * failure the person must fix is not retried (the activity says so).
 */
export const discoveryWork = proxyActivities<Activities>({
	startToCloseTimeout: '1 hour',
	heartbeatTimeout: '1 minute',
	retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 }
});

/** Long data work: heartbeats often, so a killed worker's share is retried within seconds. */
export const dataWork = proxyActivities<Activities>({
	startToCloseTimeout: '2 hours',
	heartbeatTimeout: '10 seconds',
	retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 }
});

/**
 * Ingesting a repository: data work whose first part, the fetch, can take an hour on a large
 * repository or a slow link. Its heartbeats come every second while git runs (and after each
 * stored batch), so a short heartbeat timeout still finds a killed worker within seconds without
 * cutting a long transfer short; each retry waits for (or stops) the attempt before it.
 */
export function ingestWork(heartbeatSeconds = 10) {
	return proxyActivities<Activities>({
		startToCloseTimeout: '6 hours',
		heartbeatTimeout: `${heartbeatSeconds} seconds`,
		retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 }
	});
}

/** Runs `work`; if it fails, the operation is marked failed (or cancelled) with the reason, then the error goes on. */
export async function recordingFailure<T>(operationId: string, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		const { state, message } = describeFailure(error);
		await CancellationScope.nonCancellable(() => bookkeeping.finishOperation({ operationId, state, error: message }));
		throw error;
	}
}
