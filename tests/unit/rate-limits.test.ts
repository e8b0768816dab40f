// A spent quota reaches the workflows as one failure shape from every activity; histories recorded
// before (discovery's reset time alone) must still read the same way when they replay.
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { rateLimitFailureType } from '../../workflows/integrations/contract.ts';
import { rateLimitDetailsOf } from '../../workflows/integrations/rate-limits.ts';

const resetAt = '2026-12-02T03:04:05.000Z';
const fromActivity = (cause: Error) => new ActivityFailure('activity failed', 'discoverRepositories', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

describe('a RateLimited failure in a workflow', () => {
	it('reads the details every activity sends now', () => {
		const failure = ApplicationFailure.create({ message: 'spent', type: rateLimitFailureType, nonRetryable: true, details: [{ resetAt, limit: 5000, remaining: 0 }] });
		expect(rateLimitDetailsOf(fromActivity(failure))).toEqual({ resetAt, limit: 5000, remaining: 0 });
	});

	it("reads an older discovery's reset time alone", () => {
		const failure = ApplicationFailure.create({ message: 'spent', type: rateLimitFailureType, nonRetryable: true, details: [resetAt] });
		expect(rateLimitDetailsOf(fromActivity(failure))).toEqual({ resetAt, limit: null, remaining: null });
	});

	it('is not fooled by other failures or a reset time that does not parse', () => {
		expect(rateLimitDetailsOf(fromActivity(ApplicationFailure.create({ message: 'no', type: 'ProviderRefused', details: [{ resetAt }] })))).toBeUndefined();
		expect(rateLimitDetailsOf(fromActivity(ApplicationFailure.create({ message: 'spent', type: rateLimitFailureType, details: ['soon'] })))).toBeUndefined();
		expect(rateLimitDetailsOf(new Error('plain'))).toBeUndefined();
	});
});
