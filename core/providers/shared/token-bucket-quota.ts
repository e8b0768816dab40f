// Atlassian's Data Center products (Bitbucket, Jira) limit each user with a token bucket: its size
// (X-RateLimit-Limit), the tokens left (X-RateLimit-Remaining), and X-RateLimit-FillRate tokens
// added every X-RateLimit-Interval-Seconds. The "reset" is when the bucket is full again at that rate.
import type { ApiQuota } from '../provider.ts';

export function readTokenBucketQuota(headers: Headers): ApiQuota | undefined {
	const limit = Number(headers.get('x-ratelimit-limit'));
	const remaining = Number(headers.get('x-ratelimit-remaining'));
	if (!headers.has('x-ratelimit-limit') || !headers.has('x-ratelimit-remaining') || !Number.isFinite(limit) || !Number.isFinite(remaining)) return undefined;
	const fill = Number(headers.get('x-ratelimit-fillrate'));
	const interval = Number(headers.get('x-ratelimit-interval-seconds')) || 1;
	const perSecond = Number.isFinite(fill) && fill > 0 ? fill / interval : limit / 60;
	return { limit, remaining, resetAt: new Date(Date.now() + (Math.max(0, limit - remaining) / perSecond) * 1000) };
}
