import { isCancellation } from '@temporalio/workflow';

/**
 * Turns what an activity threw into the sentence an operation shows: the innermost message, not
 * Temporal's "Activity task failed" wrappers.
 */
export function describeFailure(error: unknown): { state: 'failed' | 'cancelled'; message: string } {
	if (isCancellation(error)) return { state: 'cancelled', message: 'Cancelled.' };
	let current: unknown = error;
	let message = 'The operation failed for an unknown reason.';
	while (current instanceof Error) {
		if (current.message) message = current.message;
		current = (current as Error & { cause?: unknown }).cause;
	}
	return { state: 'failed', message };
}
