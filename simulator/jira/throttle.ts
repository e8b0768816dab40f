// How each site reports its rate limit. Cloud says nothing until a budget runs low: from 80% used
// on, answers carry `X-RateLimit-Limit`, `-Remaining`, `-Reset` (ISO 8601) and
// `X-RateLimit-NearLimit: true`, and a spent budget answers 429 with `Retry-After` and
// `RateLimit-Reason`. Data Center's token bucket reports itself on every answer.
import { jiraError, type JiraError } from './http.ts';
import { isoMinute } from './time.ts';
import type { FlavourName } from './flavour.ts';
import type { RateLimitState } from '../shared/rate-limits.ts';

/** Cloud starts warning when this share of the budget is left. */
const NEAR = 0.2;
/** API-token traffic on Cloud meets the burst limits. */
const REASON = 'jira-burst-based';

const remaining = (state: RateLimitState) => Math.max(0, state.limit - state.used);
const secondsLeft = (state: RateLimitState) => Math.max(1, state.reset - Math.floor(Date.now() / 1000));

/** The headers an answer that got through carries. */
export function throttleHeaders(flavour: FlavourName, state: RateLimitState): Record<string, string> {
	if (flavour === 'dc') {
		return {
			'x-ratelimit-limit': String(state.limit),
			'x-ratelimit-remaining': String(remaining(state)),
			// The simulator refills the whole bucket once per window.
			'x-ratelimit-fillrate': String(state.limit),
			'x-ratelimit-interval-seconds': String(secondsLeft(state))
		};
	}
	if (remaining(state) > state.limit * NEAR) return {};
	return {
		'x-ratelimit-limit': String(state.limit),
		'x-ratelimit-remaining': String(remaining(state)),
		'x-ratelimit-reset': isoMinute(state.reset * 1000),
		'x-ratelimit-nearlimit': 'true'
	};
}

/** What a spent budget (or a rate-limit fault) answers: 429 with `Retry-After` in seconds. */
export function rateLimited(flavour: FlavourName, retryAfter: number, state?: RateLimitState): JiraError {
	const headers: Record<string, string> = { 'retry-after': String(retryAfter) };
	if (flavour === 'cloud') {
		Object.assign(headers, { 'x-ratelimit-reset': isoMinute(Date.now() + retryAfter * 1000), 'ratelimit-reason': REASON });
		if (state) Object.assign(headers, { 'x-ratelimit-limit': String(state.limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-nearlimit': 'true' });
	} else if (state) {
		Object.assign(headers, throttleHeaders('dc', state));
	}
	return jiraError(429, 'Rate limit exceeded.', headers);
}

export function spentBudget(flavour: FlavourName, state: RateLimitState): JiraError {
	return rateLimited(flavour, secondsLeft(state), state);
}
