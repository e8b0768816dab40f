// A small typed client of the simulator's control API, and the shape of its ready line.
import type { Tokens } from './github/auth.ts';
import type { PushedCommit } from './github/git-repos.ts';
import type { RepoCounts } from './github/pull-store.ts';
import type { PullRequest, PullRequestReview } from './github/types.ts';
import type { Delivery, Hook, HookInput } from './github/webhooks.ts';
import type { GitLabTokens } from './gitlab/auth.ts';
import type { GitLabProjectStats } from './gitlab/control.ts';
import type { MergeRequest, Note } from './gitlab/types.ts';
import type { GitLabDelivery, GitLabEvent, GitLabHook, GitLabHookInput } from './gitlab/webhooks.ts';
import type { RequestCounters } from './shared/counters.ts';
import type { Fault, FaultInput } from './shared/faults.ts';
import type { RateLimitState } from './shared/rate-limits.ts';

export type {
	Delivery,
	Fault,
	FaultInput,
	GitLabDelivery,
	GitLabEvent,
	GitLabHook,
	GitLabHookInput,
	GitLabProjectStats,
	GitLabTokens,
	Hook,
	HookInput,
	RepoCounts,
	RequestCounters,
	Tokens
};

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
	gitlab: {
		/** The GitLab host (what a user types as a self-managed server URL): `<origin>/gitlab`. */
		http: string;
		https: string;
		tokens: GitLabTokens;
		/** Full paths: `acme`, `acme/platform`, … */
		groups: string[];
		/** Paths with namespace: `acme/api`, `acme/platform/worker`, `sim-user/dotfiles`, … */
		projects: string[];
	};
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

export interface GitLabStats {
	/** Full paths of every group. */
	groups: string[];
	projects: GitLabProjectStats[];
	requests: RequestCounters;
}

export interface GitLabPushResult {
	/** Null for a new branch, and when only a tag was pushed. */
	before: string | null;
	after: string;
	commits: PushedCommit[];
	tag: { ref: string; sha: string } | null;
	deliveries: GitLabDelivery[];
}

/** The GitLab side of the control API; projects are named by full path (`acme/platform/worker`). */
export class GitLabControl {
	readonly #call: <T>(method: string, path: string, body?: unknown) => Promise<T>;

	constructor(call: <T>(method: string, path: string, body?: unknown) => Promise<T>) {
		this.#call = call;
	}

	stats(): Promise<GitLabStats> {
		return this.#call('GET', '/gitlab/stats');
	}

	registerHook(input: GitLabHookInput): Promise<GitLabHook> {
		return this.#call('POST', '/gitlab/hooks', input);
	}

	hooks(): Promise<GitLabHook[]> {
		return this.#call('GET', '/gitlab/hooks');
	}

	deliveries(hookId?: number): Promise<GitLabDelivery[]> {
		return this.#call('GET', `/gitlab/deliveries${hookId === undefined ? '' : `?hookId=${hookId}`}`);
	}

	redeliver(deliveryId: number): Promise<GitLabDelivery> {
		return this.#call('POST', `/gitlab/deliveries/${deliveryId}/redeliver`);
	}

	/** Real commits on `branch` (default main, 1 commit) and a `Push Hook`; with `tag`, a tag on its head and a `Tag Push Hook`. */
	push(project: string, input: { commits?: number; branch?: string; tag?: string } = {}): Promise<GitLabPushResult> {
		return this.#call('POST', `/gitlab/projects/${encodeURIComponent(project)}/push`, input);
	}

	/** A new merge request on a new head branch: `Push Hook`, then `Merge Request Hook` (action `open`). */
	openMergeRequest(
		project: string,
		input: { title?: string; description?: string; draft?: boolean; user?: string; commits?: number } = {}
	): Promise<{ merge_request: MergeRequest; deliveries: GitLabDelivery[] }> {
		return this.#call('POST', `/gitlab/projects/${encodeURIComponent(project)}/merge_requests`, input);
	}

	/** Closes, reopens or edits a merge request: a `Merge Request Hook` with action `close`, `reopen` or `update`. */
	updateMergeRequest(
		project: string,
		iid: number,
		input: { state_event?: 'close' | 'reopen'; title?: string; description?: string }
	): Promise<{ merge_request: MergeRequest; deliveries: GitLabDelivery[] }> {
		return this.#call('PATCH', `/gitlab/projects/${encodeURIComponent(project)}/merge_requests/${iid}`, input);
	}

	/** A note on a merge request, and a `Note Hook`. */
	addNote(project: string, iid: number, input: { body: string; user?: string }): Promise<{ note: Note; deliveries: GitLabDelivery[] }> {
		return this.#call('POST', `/gitlab/projects/${encodeURIComponent(project)}/merge_requests/${iid}/notes`, input);
	}
}

export class SimulatorControl {
	readonly #origin: string;
	readonly gitlab: GitLabControl;

	/** `origin`: the simulator's plain HTTP origin, e.g. `http://127.0.0.1:4010`. */
	constructor(origin: string) {
		this.#origin = new URL(origin).origin;
		this.gitlab = new GitLabControl((method, path, body) => this.#call(method, path, body));
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

	/** A GitHub token, a GitLab token (its window is a minute and it always answers 429) or an installation. */
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

	/** A GitHub or GitLab token. */
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
