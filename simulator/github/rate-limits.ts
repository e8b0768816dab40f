// GitHub's primary rate limit: a budget per bucket (token, installation, App, address) that
// resets by itself an hour after it started, reported in `x-ratelimit-*` on every response. A window
// set through the control API lasts until its reset; the next one has the default limit again.

export interface RateLimitState {
	limit: number;
	used: number;
	/** Epoch seconds. */
	reset: number;
	/** What a spent budget answers: GitHub sends 403, and 429 on some endpoints. */
	status: 403 | 429;
}

export interface RateLimitSetting {
	limit: number;
	remaining?: number;
	resetInSeconds?: number;
	status?: 403 | 429;
}

const HOUR_SECONDS = 3600;
const now = () => Math.floor(Date.now() / 1000);

export class RateLimits {
	readonly #buckets = new Map<string, RateLimitState>();

	/** The bucket's current window; once its reset time passes, a fresh window at the default limit. */
	state(key: string, defaultLimit: number): RateLimitState {
		let state = this.#buckets.get(key);
		if (!state || state.reset <= now()) {
			state = { limit: defaultLimit, used: 0, reset: now() + HOUR_SECONDS, status: 403 };
			this.#buckets.set(key, state);
		}
		return state;
	}

	/** Sets the bucket's current window (e.g. 100 requests, resetting in 20 s). */
	set(key: string, setting: RateLimitSetting): RateLimitState {
		const state: RateLimitState = {
			limit: setting.limit,
			used: setting.limit - Math.min(setting.limit, setting.remaining ?? setting.limit),
			reset: now() + (setting.resetInSeconds ?? HOUR_SECONDS),
			status: setting.status ?? 403
		};
		this.#buckets.set(key, state);
		return state;
	}

	/** Spends one request; false when the budget was already spent. */
	spend(state: RateLimitState): boolean {
		if (state.used >= state.limit) return false;
		state.used++;
		return true;
	}

	static headers(state: RateLimitState, resource = 'core'): Record<string, string> {
		return {
			'x-ratelimit-limit': String(state.limit),
			'x-ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
			'x-ratelimit-used': String(state.used),
			'x-ratelimit-reset': String(state.reset),
			'x-ratelimit-resource': resource
		};
	}
}
