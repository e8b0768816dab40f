// The Jira side of the control API's typed client (`control.jira.cloud`, `control.jira.dataCenter`)
// and the Jira parts of the ready line. Both sites show one model: a change made through either
// client shows on both, and is delivered to both sites' webhooks; the client picks the dialect
// of the answers (Cloud's account ids and field ids, or Data Center's).
import type { RequestCounters } from '../shared/counters.ts';
import type { JiraTokens } from './auth.ts';
import type { JiraProjectStats, JiraStats } from './control.ts';
import type { JiraHistoryJson, JiraIssueJson } from './types.ts';
import type { JiraDelivery, JiraWebhook, JiraWebhookEvent, JiraWebhookInput, JiraWebhookPayload } from './webhooks.ts';

export type { JiraDelivery, JiraHistoryJson, JiraIssueJson, JiraProjectStats, JiraStats, JiraTokens, JiraWebhook, JiraWebhookEvent, JiraWebhookInput, JiraWebhookPayload, RequestCounters };

export interface JiraCloudReady {
	/** The site's base URL (what a user types, like `https://acme.atlassian.net`): `<origin>/jira-cloud`; REST under `/rest/api/3`. */
	http: string;
	https: string;
	/** `sim-user@example.com`: the basic-auth username of `tokens.full`. */
	email: string;
	/** `sim-viewer@example.com`: the basic-auth username of `tokens.noBrowse` (Cloud checks that token and email belong together). */
	noBrowseEmail: string;
	tokens: JiraTokens;
	/** Project keys: `CORE`, `WEB`, `OPS`, … */
	projects: string[];
}

export interface JiraDataCenterReady {
	/** The server's base URL: `<origin>/jira-dc`; REST under `/rest/api/2` (and `/rest/api/latest`). */
	http: string;
	https: string;
	/** `sim-user` and its password, for HTTP basic. */
	username: string;
	password: string;
	/** Personal access tokens, sent as `Authorization: Bearer <token>`. */
	tokens: JiraTokens;
	projects: string[];
}

export interface JiraIssueInput {
	summary?: string;
	/** `Story` (default), `Bug`, `Task`, `Epic`, or an id. */
	type?: string;
	/** `Highest` … `Lowest`; `Medium` by default. */
	priority?: string;
	/** A username, account id or email; null or absent: unassigned. */
	assignee?: string | null;
	reporter?: string;
	/** Who makes the change (default `sim-user`). */
	user?: string;
}

export interface JiraIssueEdit {
	summary?: string;
	/** A username, account id or email; null unassigns. */
	assignee?: string | null;
	priority?: string;
	user?: string;
}

export interface JiraChangeResult {
	issue: JiraIssueJson;
	/** The history the change made (null when an edit changed nothing). */
	history: JiraHistoryJson | null;
	deliveries: JiraDelivery[];
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** One site's control routes; issues are named by key (`CORE-12`) or id. */
export class JiraSiteControl {
	readonly #call: Call;
	readonly #root: string;

	constructor(call: Call, site: 'cloud' | 'dc') {
		this.#call = call;
		this.#root = `/jira/${site}`;
	}

	/** Per project: tickets, histories, status histories, tickets by status and category; and this site's requests. */
	stats(): Promise<JiraStats> {
		return this.#call('GET', `${this.#root}/stats`);
	}

	/** A new issue in To Do: `jira:issue_created`. */
	createIssue(project: string, input: JiraIssueInput = {}): Promise<{ issue: JiraIssueJson; deliveries: JiraDelivery[] }> {
		return this.#call('POST', `${this.#root}/projects/${encodeURIComponent(project)}/issues`, input);
	}

	/** Moves an issue to a status of its project's workflow (setting or clearing the resolution): `jira:issue_updated` with the changelog. */
	transition(issue: string, input: { status: string; user?: string }): Promise<JiraChangeResult> {
		return this.#call('POST', `${this.#root}/issues/${encodeURIComponent(issue)}/transitions`, input);
	}

	/** Edits summary, assignee or priority: `jira:issue_updated` (`issue_assigned` when only the assignee changed). */
	editIssue(issue: string, input: JiraIssueEdit): Promise<JiraChangeResult> {
		return this.#call('PATCH', `${this.#root}/issues/${encodeURIComponent(issue)}`, input);
	}

	/** Deletes an issue and its sub-tasks: `jira:issue_deleted`. */
	deleteIssue(issue: string, input: { user?: string } = {}): Promise<{ deleted: string[]; deliveries: JiraDelivery[] }> {
		return this.#call('DELETE', `${this.#root}/issues/${encodeURIComponent(issue)}`, input);
	}

	registerWebhook(input: JiraWebhookInput): Promise<JiraWebhook> {
		return this.#call('POST', `${this.#root}/webhooks`, input);
	}

	webhooks(): Promise<JiraWebhook[]> {
		return this.#call('GET', `${this.#root}/webhooks`);
	}

	deliveries(webhookId?: number): Promise<JiraDelivery[]> {
		return this.#call('GET', `${this.#root}/deliveries${webhookId === undefined ? '' : `?webhookId=${webhookId}`}`);
	}

	/** The delivery again: the same body and `X-Atlassian-Webhook-Identifier`, `X-Atlassian-Webhook-Retry` one up. */
	redeliver(deliveryId: number): Promise<JiraDelivery> {
		return this.#call('POST', `${this.#root}/deliveries/${deliveryId}/redeliver`);
	}
}

export class JiraControl {
	readonly cloud: JiraSiteControl;
	readonly dataCenter: JiraSiteControl;

	constructor(call: Call) {
		this.cloud = new JiraSiteControl(call, 'cloud');
		this.dataCenter = new JiraSiteControl(call, 'dc');
	}
}
