// Providers heartbeat on every answer they get, which against a fast server is thousands of calls
// a second; each call crosses into the SDK's native side with its details converted to a payload,
// and in P2 that was a sixth of the worker's CPU. Temporal needs one within the heartbeat timeout
// (tens of seconds), and a cancellation reaches the activity through heartbeats' answers, which
// the SDK itself sends at most every few seconds: passing on one call in each `everyMs` loses
// nothing of either.
import { Context } from '@temporalio/activity';

export const heartbeatAtMostEveryMs = 200;

/** `run`, passed on at most once per `everyMs` (the first call at once); the calls between are dropped. */
export function atMostEvery(everyMs: number, run: () => void, now: () => number = Date.now): () => void {
	let last = -Infinity;
	return () => {
		const at = now();
		if (at - last < everyMs) return;
		last = at;
		run();
	};
}

/**
 * The current activity's heartbeat, throttled; `details` is read when a heartbeat goes out, so the
 * one that does carries the newest checkpoint.
 */
export function throttledHeartbeat(details: () => unknown): () => void {
	const activity = Context.current();
	return atMostEvery(heartbeatAtMostEveryMs, () => activity.heartbeat(details()));
}
