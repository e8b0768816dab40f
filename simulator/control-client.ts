// A small typed client of the simulator's control API, and the shape of its ready line.
import type { Tokens } from './github/auth.ts';
import type { Fault, FaultInput } from './github/faults.ts';
import type { PushedCommit } from './github/git-repos.ts';
import type { RepoCounts } from './github/pull-store.ts';
import type { RateLimitState } from './github/rate-limits.ts';
import type { RequestCounters } from './github/server.ts';
import type { PullRequest, PullRequestReview } from './github/types.ts';
import type { Delivery, Hook, HookInput } from './github/webhooks.ts';

export type { Delivery, Fault, FaultInput, Hook, HookInput, RepoCounts, RequestCounters, Tokens };

export interface ReadyLine {
	event: 'listening';
	/** Base URLs, with `--path-prefix` when given. */
	http: string;
	https: string;
	caFile: string;
	appPrivateKeyFile: string;
	tokens: Tokens;
	app: { id: number; clientId: string; slug: string; installations: Array<{ id: number; account: string }> };
	orgs: string[];
	repos: string[];
}

export interface Stats {
	orgs: number;
	repos: number;
	pullRequests: number;
	reviews: number;
	reviewComments: number;
	comments: number;
	repositories: Array<RepoCounts & { repository: string; private: boolean; archived: boolean }>;
	requests: RequestCounters;
}

export interface RateLimitInput {
	token?: string;
	installationId?: number;
	limit: number;
	remaining?: number;
	resetInSeconds?: number;
	status?: 403 | 429;
}

export interface PushResult {
	before: string | null;
	after: string;
	commits: PushedCommit[];
	deliveries: Delivery[];
}

export class SimulatorControl {
	readonly #origin: string;

	/** `origin`: the simulator's plain HTTP origin, e.g. `http://127.0.0.1:4010`. */
	constructor(origin: string) {
		this.#origin = new URL(origin).origin;
	}

	async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.#origin}/_simulator${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const result = (await response.json()) as T & { message?: string };
		if (!response.ok) throw new Error(`Simulator control ${method} ${path}: ${response.status} ${result.message ?? ''}`);
		return result;
	}

	stats(): Promise<Stats> {
		return this.#call('GET', '/stats');
	}

	resetRequestCounters(): Promise<RequestCounters> {
		return this.#call('POST', '/requests/reset');
	}

	setRateLimit(input: RateLimitInput): Promise<RateLimitState & { key: string }> {
		return this.#call('POST', '/rate-limits', input);
	}

	addFault(input: FaultInput): Promise<Fault> {
		return this.#call('POST', '/faults', input);
	}

	faults(): Promise<Fault[]> {
		return this.#call('GET', '/faults');
	}

	clearFaults(): Promise<[]> {
		return this.#call('DELETE', '/faults');
	}

	revokeToken(token: string): Promise<{ revoked: boolean }> {
		return this.#call('POST', '/tokens/revoke', { token });
	}

	registerHook(input: HookInput): Promise<{ hook: Hook; ping: Delivery }> {
		return this.#call('POST', '/hooks', input);
	}

	deliveries(hookId?: number): Promise<Delivery[]> {
		return this.#call('GET', `/deliveries${hookId === undefined ? '' : `?hookId=${hookId}`}`);
	}

	redeliver(deliveryId: number): Promise<Delivery> {
		return this.#call('POST', `/deliveries/${deliveryId}/redeliver`);
	}

	push(fullName: string, input: { commits?: number; branch?: string } = {}): Promise<PushResult> {
		return this.#call('POST', `/repos/${fullName}/push`, input);
	}

	openPull(fullName: string, input: { title?: string; body?: string; draft?: boolean; user?: string; commits?: number } = {}): Promise<{ pull: PullRequest; deliveries: Delivery[] }> {
		return this.#call('POST', `/repos/${fullName}/pulls`, input);
	}

	updatePull(
		fullName: string,
		number: number,
		input: { title?: string; body?: string; draft?: boolean; state?: 'open' | 'closed'; commits?: number }
	): Promise<{ pull: PullRequest; deliveries: Delivery[] }> {
		return this.#call('PATCH', `/repos/${fullName}/pulls/${number}`, input);
	}

	mergePull(fullName: string, number: number, input: { user?: string } = {}): Promise<{ pull: PullRequest; deliveries: Delivery[] }> {
		return this.#call('POST', `/repos/${fullName}/pulls/${number}/merge`, input);
	}

	addReview(
		fullName: string,
		number: number,
		input: { state?: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'; body?: string; user?: string } = {}
	): Promise<{ review: PullRequestReview; deliveries: Delivery[] }> {
		return this.#call('POST', `/repos/${fullName}/pulls/${number}/reviews`, input);
	}
}
