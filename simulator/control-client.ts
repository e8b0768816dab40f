// A small typed client of the simulator's control API, and the shape of its ready line.
import type { Tokens } from './github/auth.ts';
import type { CloudRepositoryStats } from './bitbucket-cloud/control.ts';
import type { CloudCredentials } from './bitbucket-cloud/model.ts';
import type { DcRepositoryStats } from './bitbucket-dc/control.ts';
import type { DcTokens } from './bitbucket-dc/model.ts';
import type { SignedDelivery, SignedHook } from './shared/bitbucket.ts';
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
import { AzureDevOpsControl, type AzureDevOpsReady } from './azure-devops/control-client.ts';
import { JiraControl, JiraSiteControl, type JiraCloudReady, type JiraDataCenterReady } from './jira/control-client.ts';

export type * from './azure-devops/control-client.ts';
export type * from './jira/control-client.ts';
export { AzureDevOpsControl, JiraControl, JiraSiteControl };

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
	bitbucketCloud: {
		/** The API root: `<origin>/bitbucket-cloud/2.0` (and over HTTPS). */
		api: string;
		apiHttps: string;
		/** Web and git root: `<origin>/bitbucket-cloud`; clone URLs are `<web>/{workspace}/{slug}.git`. */
		web: string;
		webHttps: string;
		/** `sim-user`: the app password's username, and a git username for API tokens. */
		username: string;
		/** `sim-user@example.com`: the username of API tokens on the REST API. */
		email: string;
		credentials: CloudCredentials;
		/** Workspace slugs: the organisations' and `sim-user`. */
		workspaces: string[];
		/** `workspace/slug`. */
		repositories: string[];
	};
	bitbucketDataCenter: {
		/** The server's base URL (what a user types): `<origin>/bitbucket-dc`; REST under `/rest/api/1.0`. */
		http: string;
		https: string;
		username: string;
		password: string;
		tokens: DcTokens;
		/** Project keys: `ACME`, `GLOBEX`, …, `~SIM-USER`. */
		projects: string[];
		/** `KEY/slug`. */
		repositories: string[];
	};
	/** Azure DevOps under `/azure-devops`: organisation URLs are `<http>/{organization}`. */
	azureDevOps: AzureDevOpsReady;
	/** Jira Cloud under `/jira-cloud`: the site URL, emails and API tokens, project keys. */
	jiraCloud: JiraCloudReady;
	/** Jira Data Center under `/jira-dc`: the server URL, username, password, personal access tokens, project keys. */
	jiraDataCenter: JiraDataCenterReady;
}

export type { CloudCredentials, CloudRepositoryStats, DcRepositoryStats, DcTokens, SignedDelivery, SignedHook };

export interface BitbucketHookInput {
	/** `workspace/slug` (Cloud) or `KEY/slug` (Data Center). */
	repository: string;
	url: string;
	/** Signs each delivery: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
	secret?: string;
	/** Event keys (`repo:push`, `pullrequest:created`… or `repo:refs_changed`, `pr:opened`…); every event by default. */
	events?: string[];
}

export interface BitbucketPushResult {
	before: string | null;
	after: string;
	commits: PushedCommit[];
	deliveries: SignedDelivery[];
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The Bitbucket Cloud side of the control API; repositories are `workspace/slug`. */
export class BitbucketCloudControl {
	readonly #call: Call;

	constructor(call: Call) {
		this.#call = call;
	}

	stats(): Promise<{ workspaces: string[]; repositories: CloudRepositoryStats[]; requests: RequestCounters }> {
		return this.#call('GET', '/bitbucket-cloud/stats');
	}

	registerHook(input: BitbucketHookInput): Promise<SignedHook> {
		return this.#call('POST', '/bitbucket-cloud/hooks', input);
	}

	hooks(): Promise<SignedHook[]> {
		return this.#call('GET', '/bitbucket-cloud/hooks');
	}

	deliveries(hookId?: number): Promise<SignedDelivery[]> {
		return this.#call('GET', `/bitbucket-cloud/deliveries${hookId === undefined ? '' : `?hookId=${hookId}`}`);
	}

	redeliver(deliveryId: number): Promise<SignedDelivery> {
		return this.#call('POST', `/bitbucket-cloud/deliveries/${deliveryId}/redeliver`);
	}

	/** Real commits on `branch` (default main, 1 commit) and `repo:push`. */
	push(repository: string, input: { commits?: number; branch?: string } = {}): Promise<BitbucketPushResult> {
		return this.#call('POST', `/bitbucket-cloud/repositories/${repository}/push`, input);
	}

	/** A new pull request on a new head branch: `repo:push`, then `pullrequest:created`. */
	openPullRequest(
		repository: string,
		input: { title?: string; description?: string; draft?: boolean; user?: string; commits?: number } = {}
	): Promise<{ pullrequest: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('POST', `/bitbucket-cloud/repositories/${repository}/pullrequests`, input);
	}

	/** Declines (`pullrequest:rejected`), reopens or edits (`pullrequest:updated`) a pull request. */
	updatePullRequest(
		repository: string,
		id: number,
		input: { state?: 'DECLINED' | 'OPEN'; title?: string; description?: string }
	): Promise<{ pullrequest: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('PATCH', `/bitbucket-cloud/repositories/${repository}/pullrequests/${id}`, input);
	}

	/** A (non-inline) comment: `pullrequest:comment_created`. */
	addComment(repository: string, id: number, input: { body: string; user?: string }): Promise<{ comment: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('POST', `/bitbucket-cloud/repositories/${repository}/pullrequests/${id}/comments`, input);
	}

	/** An approval (`pullrequest:approved`) or, with `state: CHANGES_REQUESTED`, a change request (`pullrequest:changes_request_created`). */
	approve(repository: string, id: number, input: { user?: string; state?: 'APPROVED' | 'CHANGES_REQUESTED' } = {}): Promise<{ deliveries: SignedDelivery[] }> {
		return this.#call('POST', `/bitbucket-cloud/repositories/${repository}/pullrequests/${id}/approve`, input);
	}
}

/** The Bitbucket Data Center side of the control API; repositories are `KEY/slug`. */
export class BitbucketDataCenterControl {
	readonly #call: Call;

	constructor(call: Call) {
		this.#call = call;
	}

	#repo(repository: string): string {
		const [key = '', slug = ''] = repository.split('/');
		return `/bitbucket-dc/projects/${encodeURIComponent(key)}/repos/${encodeURIComponent(slug)}`;
	}

	stats(): Promise<{ projects: string[]; repositories: DcRepositoryStats[]; requests: RequestCounters }> {
		return this.#call('GET', '/bitbucket-dc/stats');
	}

	registerHook(input: BitbucketHookInput): Promise<SignedHook> {
		return this.#call('POST', '/bitbucket-dc/hooks', input);
	}

	hooks(): Promise<SignedHook[]> {
		return this.#call('GET', '/bitbucket-dc/hooks');
	}

	/** The "Test connection" button: one `diagnostics:ping` to this hook. */
	ping(hookId: number): Promise<SignedDelivery> {
		return this.#call('POST', `/bitbucket-dc/hooks/${hookId}/ping`);
	}

	deliveries(hookId?: number): Promise<SignedDelivery[]> {
		return this.#call('GET', `/bitbucket-dc/deliveries${hookId === undefined ? '' : `?hookId=${hookId}`}`);
	}

	redeliver(deliveryId: number): Promise<SignedDelivery> {
		return this.#call('POST', `/bitbucket-dc/deliveries/${deliveryId}/redeliver`);
	}

	/** Real commits on `branch` (default main, 1 commit) and `repo:refs_changed`. */
	push(repository: string, input: { commits?: number; branch?: string } = {}): Promise<BitbucketPushResult> {
		return this.#call('POST', `${this.#repo(repository)}/push`, input);
	}

	/** A new pull request on a new head branch: `repo:refs_changed`, then `pr:opened`. */
	openPullRequest(
		repository: string,
		input: { title?: string; description?: string; draft?: boolean; user?: string; commits?: number } = {}
	): Promise<{ pullRequest: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('POST', `${this.#repo(repository)}/pull-requests`, input);
	}

	/** Declines (`pr:declined`), reopens (`pr:opened`) or edits (`pr:modified`) a pull request. */
	updatePullRequest(
		repository: string,
		id: number,
		input: { state?: 'DECLINED' | 'OPEN'; title?: string; description?: string }
	): Promise<{ pullRequest: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('PATCH', `${this.#repo(repository)}/pull-requests/${id}`, input);
	}

	/** A general comment: `pr:comment:added`. */
	addComment(repository: string, id: number, input: { body: string; user?: string }): Promise<{ comment: Record<string, unknown> & { id: number }; deliveries: SignedDelivery[] }> {
		return this.#call('POST', `${this.#repo(repository)}/pull-requests/${id}/comments`, input);
	}

	/** An approval (`pr:reviewer:approved`) or, with `status: NEEDS_WORK`, `pr:reviewer:needs_work`. */
	approve(repository: string, id: number, input: { user?: string; status?: 'APPROVED' | 'NEEDS_WORK' } = {}): Promise<{ deliveries: SignedDelivery[] }> {
		return this.#call('POST', `${this.#repo(repository)}/pull-requests/${id}/approve`, input);
	}
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
	readonly bitbucketCloud: BitbucketCloudControl;
	readonly bitbucketDataCenter: BitbucketDataCenterControl;
	readonly azureDevOps: AzureDevOpsControl;
	/** Jira: `jira.cloud` and `jira.dataCenter`, one model seen by both. */
	readonly jira: JiraControl;

	/** `origin`: the simulator's plain HTTP origin, e.g. `http://127.0.0.1:4010`. */
	constructor(origin: string) {
		this.#origin = new URL(origin).origin;
		this.gitlab = new GitLabControl((method, path, body) => this.#call(method, path, body));
		this.bitbucketCloud = new BitbucketCloudControl((method, path, body) => this.#call(method, path, body));
		this.bitbucketDataCenter = new BitbucketDataCenterControl((method, path, body) => this.#call(method, path, body));
		this.azureDevOps = new AzureDevOpsControl((method, path, body) => this.#call(method, path, body));
		this.jira = new JiraControl((method, path, body) => this.#call(method, path, body));
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

	/** A GitHub token, a GitLab token (its window is a minute and it always answers 429), another provider's token (or the Bitbucket or Jira Data Center password), or an installation. */
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

	/** A token of any simulated provider. */
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
