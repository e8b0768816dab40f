// The Azure DevOps side of the control API's typed client (`control.azureDevOps`), and the Azure
// DevOps part of the ready line. Repositories are named `{organization}/{project}/{repository}`.
import type { PushedCommit } from '../github/git-repos.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { AzureDevOpsTokens } from './auth.ts';
import type { AzureWorkItemResult, AzureWorkItemUpdateResult } from './boards-control.ts';
import type { AzureRepositoryStats } from './control.ts';
import type { ProcessName } from './processes.ts';
import type { AzureDelivery, AzureEventType, AzureSubscription, AzureSubscriptionInput } from './service-hooks.ts';
import type { AzComment, AzPullRequest, AzThread } from './types.ts';
import type { WorkItemProjectStats } from './work-items.ts';

export type { AzureDelivery, AzureDevOpsTokens, AzureEventType, AzureRepositoryStats, AzureSubscription, AzureSubscriptionInput, AzureWorkItemResult, AzureWorkItemUpdateResult, ProcessName, WorkItemProjectStats };

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
	/** Azure Boards: work items generated per project, and each project's process (`acme/Platform` is Scrum, the others Agile). */
	workItems: { perProject: number; processes: Record<string, ProcessName> };
}

export interface AzureDevOpsStats {
	organizations: string[];
	/** `{organization}/{project}`. */
	projects: string[];
	repositories: AzureRepositoryStats[];
	/** Per project: live and deleted work items, revisions, state transitions, by state, category and type. */
	workItems: WorkItemProjectStats[];
	/** The flat WIQL result cap now in force (20,000 unless lowered). */
	wiqlLimit: number;
	requests: RequestCounters;
}

/** A new work item (in its type's first state); `assignedTo` and `user` are World logins or emails. */
export interface AzureWorkItemInput {
	/** A type of the project's process; its first (User Story, Product Backlog Item) by default. */
	type?: string;
	title?: string;
	assignedTo?: string | null;
	priority?: 1 | 2 | 3 | 4;
	/** Story points (Agile) or effort (Scrum), on the types that have them. */
	estimate?: number | null;
	/** Who creates it; sim-user by default. */
	user?: string;
}

/** A change to a work item: one new revision, now. `assignedTo: null` unassigns, `estimate: null` clears. */
export interface AzureWorkItemChange {
	/** Any state of the item's type (inherited processes allow every transition). */
	state?: string;
	title?: string;
	assignedTo?: string | null;
	priority?: 1 | 2 | 3 | 4;
	estimate?: number | null;
	/** Who makes the change; sim-user by default. */
	user?: string;
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

	/** A new work item in `{organization}/{project}`: `workitem.created`. */
	createWorkItem(project: string, input: AzureWorkItemInput = {}): Promise<AzureWorkItemResult> {
		const [organization = '', ...name] = project.split('/');
		return this.#call('POST', `/azure-devops/projects/${encodeURIComponent(organization)}/${encodeURIComponent(name.join('/'))}/workitems`, input);
	}

	/** Changes a work item (by its organisation-wide id) in a new revision dated now: `workitem.updated`. */
	updateWorkItem(organization: string, id: number, change: AzureWorkItemChange): Promise<AzureWorkItemUpdateResult> {
		return this.#call('PATCH', `/azure-devops/workitems/${encodeURIComponent(organization)}/${id}`, change);
	}

	/** Sends a work item to the recycle bin (gone from WIQL, batches and reads): `workitem.deleted`. */
	deleteWorkItem(organization: string, id: number, input: { user?: string } = {}): Promise<AzureWorkItemResult> {
		return this.#call('DELETE', `/azure-devops/workitems/${encodeURIComponent(organization)}/${id}`, input);
	}

	/** The flat WIQL result cap (VS402337): lower it to test a client's splitting; null restores 20,000. */
	setWiqlLimit(limit: number | null): Promise<{ limit: number }> {
		return this.#call('POST', '/azure-devops/wiql-limit', { limit });
	}

	/** A reviewer's vote (10, 5, 0, -5, -10): a `VoteUpdate` thread and `git.pullrequest.updated`. */
	vote(repository: string, id: number, input: { vote: 10 | 5 | 0 | -5 | -10; user?: string }): Promise<AzurePullRequestResult> {
		return this.#call('POST', `${repositoryPath(repository)}/pullrequests/${id}/votes`, input);
	}
}
