// Reading a RateLimited failure inside a workflow: the same shape from every activity, and the
// older discovery shape (the reset time alone) from histories recorded before, so they replay.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { rateLimitFailureType, type RateLimitDetails } from './contract.ts';

/** The details of a RateLimited failure, if the activity ended with one (with a reset time that parses). */
export function rateLimitDetailsOf(error: unknown): RateLimitDetails | undefined {
	const cause = error instanceof ActivityFailure ? error.cause : error;
	if (!(cause instanceof ApplicationFailure) || cause.type !== rateLimitFailureType) return undefined;
	const detail = cause.details?.[0];
	const details: RateLimitDetails | undefined =
		typeof detail === 'string' ? { resetAt: detail, limit: null, remaining: null } : (detail as RateLimitDetails | undefined);
	return details && Number.isFinite(Date.parse(details.resetAt)) ? details : undefined;
}
