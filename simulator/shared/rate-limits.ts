// Rate-limit budgets per bucket (a token, an installation, an App, an address): each window resets
// by itself once its time is up (GitHub's last an hour, GitLab's a minute). A window set through
// the control API lasts until its reset; the next one has the default limit again. Each provider
// reports the state in its own headers.

export interface RateLimitState {
	limit: number;
	used: number;
	/** Epoch seconds. */
	reset: number;
	/** What a spent budget answers on GitHub: 403, and 429 on some endpoints. GitLab always answers 429. */
	status: 403 | 429;
}

export interface RateLimitSetting {
	limit: number;
	remaining?: number;
	resetInSeconds?: number;
	status?: 403 | 429;
}

/** A bucket: its key, and the window a fresh budget gets. */
export interface Bucket {
	key: string;
	defaultLimit: number;
	windowSeconds: number;
}

const now = () => Math.floor(Date.now() / 1000);

export class RateLimits {
	readonly #buckets = new Map<string, RateLimitState>();

	/** The bucket's current window; once its reset time passes, a fresh window at the default limit. */
	state(bucket: Bucket): RateLimitState {
		let state = this.#buckets.get(bucket.key);
		if (!state || state.reset <= now()) {
			state = { limit: bucket.defaultLimit, used: 0, reset: now() + bucket.windowSeconds, status: 403 };
			this.#buckets.set(bucket.key, state);
		}
		return state;
	}

	/** Sets the bucket's current window (e.g. 100 requests, resetting in 20 s). */
	set(bucket: Bucket, setting: RateLimitSetting): RateLimitState {
		const state: RateLimitState = {
			limit: setting.limit,
			used: setting.limit - Math.min(setting.limit, setting.remaining ?? setting.limit),
			reset: now() + (setting.resetInSeconds ?? bucket.windowSeconds),
			status: setting.status ?? 403
		};
		this.#buckets.set(bucket.key, state);
		return state;
	}

	/** Spends one request; false when the budget was already spent. */
	spend(state: RateLimitState): boolean {
		if (state.used >= state.limit) return false;
		state.used++;
		return true;
	}
}
