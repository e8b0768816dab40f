// The Azure DevOps side of the control API's typed client (`control.azureDevOps`), and the Azure
// DevOps part of the ready line. Repositories are named `{organization}/{project}/{repository}`.
import type { PushedCommit } from '../github/git-repos.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { AzureDevOpsTokens } from './auth.ts';
import type { AzureRepositoryStats } from './control.ts';
import type { AzureDelivery, AzureEventType, AzureSubscription, AzureSubscriptionInput } from './service-hooks.ts';
import type { AzComment, AzPullRequest, AzThread } from './types.ts';

export type { AzureDelivery, AzureDevOpsTokens, AzureEventType, AzureRepositoryStats, AzureSubscription, AzureSubscriptionInput };

export interface AzureDevOpsReady {
	/** `<origin>/azure-devops`: an organisation URL (what a user types, like `https://dev.azure.com/contoso`) is `<http>/{organization}`. */
	http: string;
	https: string;
	tokens: AzureDevOpsTokens;
	/** `acme`, `globex`, … */
	organizations: string[];
	/** `{organization}/{project}`: `acme/Acme Inc`, `acme/Platform`, … */
	projects: string[];
	/** `{organization}/{project}/{repository}`. */
	repositories: string[];
}

export interface AzureDevOpsStats {
	organizations: string[];
	/** `{organization}/{project}`. */
	projects: string[];
	repositories: AzureRepositoryStats[];
	requests: RequestCounters;
}

export interface AzurePushResult {
	before: string | null;
	after: string;
	commits: PushedCommit[];
	deliveries: AzureDelivery[];
}

export interface AzurePullRequestResult {
	pullRequest: AzPullRequest;
	deliveries: AzureDelivery[];
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** `{organization}/{project}/{repository}` as a control path (the project may hold spaces). */
function repositoryPath(repository: string): string {
	const [organization = '', project = '', ...name] = repository.split('/');
	return `/azure-devops/repositories/${[organization, project, name.join('/')].map(encodeURIComponent).join('/')}`;
}

export class AzureDevOpsControl {
	readonly #call: Call;

	constructor(call: Call) {
		this.#call = call;
	}

	stats(): Promise<AzureDevOpsStats> {
		return this.#call('GET', '/azure-devops/stats');
	}

	/** A service hook subscription on `{organization}/{project}` for one event type. */
	subscribe(input: AzureSubscriptionInput): Promise<AzureSubscription> {
		return this.#call('POST', '/azure-devops/subscriptions', input);
	}

	subscriptions(): Promise<AzureSubscription[]> {
		return this.#call('GET', '/azure-devops/subscriptions');
	}

	deliveries(subscriptionId?: string): Promise<AzureDelivery[]> {
		return this.#call('GET', `/azure-devops/deliveries${subscriptionId === undefined ? '' : `?subscriptionId=${encodeURIComponent(subscriptionId)}`}`);
	}

	/** The delivery's event again: the same event `id`, a new `notificationId`. */
	redeliver(deliveryId: number): Promise<AzureDelivery> {
		return this.#call('POST', `/azure-devops/deliveries/${deliveryId}/redeliver`);
	}

	/** Real commits on `branch` (default main, 1 commit) and `git.push`. */
	push(repository: string, input: { commits?: number; branch?: string } = {}): Promise<AzurePushResult> {
		return this.#call('POST', `${repositoryPath(repository)}/push`, input);
	}

	/** A new pull request on a new source branch: `git.push`, then `git.pullrequest.created`. `user`: a World login. */
	openPullRequest(repository: string, input: { title?: string; description?: string; draft?: boolean; user?: string; commits?: number } = {}): Promise<AzurePullRequestResult> {
		return this.#call('POST', `${repositoryPath(repository)}/pullrequests`, input);
	}

	/** Abandons, reactivates, completes (a real merge commit on main, `git.pullrequest.merged` and `git.push` first) or edits: `git.pullrequest.updated`. */
	updatePullRequest(
		repository: string,
		id: number,
		input: { status?: 'active' | 'abandoned' | 'completed'; title?: string; description?: string; draft?: boolean; user?: string }
	): Promise<AzurePullRequestResult> {
		return this.#call('PATCH', `${repositoryPath(repository)}/pullrequests/${id}`, input);
	}

	/** A comment in a new thread without a file: `ms.vss-code.git-pullrequest-comment-event`. */
	addComment(repository: string, id: number, input: { body: string; user?: string }): Promise<{ thread: AzThread; comment: AzComment; deliveries: AzureDelivery[] }> {
		return this.#call('POST', `${repositoryPath(repository)}/pullrequests/${id}/comments`, input);
	}

	/** A reviewer's vote (10, 5, 0, -5, -10): a `VoteUpdate` thread and `git.pullrequest.updated`. */
	vote(repository: string, id: number, input: { vote: 10 | 5 | 0 | -5 | -10; user?: string }): Promise<AzurePullRequestResult> {
		return this.#call('POST', `${repositoryPath(repository)}/pullrequests/${id}/votes`, input);
	}
}
