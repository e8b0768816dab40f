// Jira webhooks, registered per site through the control API (an administrator's job on a real
// site), optionally narrowed to some events and a JQL filter. Each delivery is a POST of the
// event as JSON with `X-Atlassian-Webhook-Identifier` (the same on every retry of it),
// `X-Atlassian-Webhook-Retry` (0, then one more per redelivery), `User-Agent: Atlassian Webhook
// HTTP Client` and, when the webhook has a secret, `X-Hub-Signature: sha256=<hex HMAC-SHA256 of
// the body>`.
import { randomUUID } from 'node:crypto';
import { hubSignature } from '../shared/bitbucket.ts';
import { post, type DeliveryOutcome } from '../shared/deliver.ts';
import { selectFields } from './fields.ts';
import { issueJson } from './issues.ts';
import { itemJson, userJson, view } from './json.ts';
import { FLAVOURS, type FlavourName } from './flavour.ts';
import type { History, Ticket } from './model.ts';
import type { JiraUser } from './people.ts';
import type { JiraIssueJson, JiraUserJson } from './types.ts';

export type JiraWebhookEvent = 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted';
export const JIRA_WEBHOOK_EVENTS: JiraWebhookEvent[] = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];

/** Jira's finer name for what happened, next to the event. */
export type IssueEventType = 'issue_created' | 'issue_updated' | 'issue_generic' | 'issue_assigned' | 'issue_deleted';

export interface JiraWebhookInput {
	url: string;
	/** Signs each delivery: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
	secret?: string;
	/** Every event when absent. */
	events?: JiraWebhookEvent[];
	/** Only issues this JQL finds (as `sim-user` sees them), e.g. `project = CORE`. */
	jql?: string;
}

export interface JiraWebhook {
	id: number;
	site: FlavourName;
	url: string;
	/** Null: every event. */
	events: JiraWebhookEvent[] | null;
	jql: string | null;
	secret: boolean;
	created: string;
}

export interface JiraWebhookPayload {
	/** Epoch ms. */
	timestamp: number;
	webhookEvent: JiraWebhookEvent;
	issue_event_type_name: IssueEventType;
	user: JiraUserJson;
	issue: JiraIssueJson;
	/** Updates only: the history the change made. */
	changelog?: { id: string; items: Array<ReturnType<typeof itemJson>> };
}

export interface JiraDelivery extends DeliveryOutcome {
	id: number;
	webhookId: number;
	site: FlavourName;
	event: JiraWebhookEvent;
	/** `X-Atlassian-Webhook-Identifier`: kept on a redelivery. */
	identifier: string;
	/** `X-Atlassian-Webhook-Retry`. */
	retry: number;
	redelivery: boolean;
	payload: JiraWebhookPayload;
}

/** A change to deliver: what happened to which ticket, by whom. */
export interface IssueEvent {
	event: JiraWebhookEvent;
	type: IssueEventType;
	ticket: Ticket;
	author: JiraUser;
	history?: History;
}

interface StoredWebhook extends JiraWebhook {
	secretText: string | null;
}

/** The event as one site's webhook carries it: times in UTC, URLs on the plain HTTP origin. */
export function payloadFor(site: FlavourName, origin: string, change: IssueEvent): JiraWebhookPayload {
	const flavour = FLAVOURS[site];
	const v = view(flavour, `${origin}${flavour.prefix}`, 'UTC');
	return {
		timestamp: change.history?.created ?? Date.now(),
		webhookEvent: change.event,
		issue_event_type_name: change.type,
		user: userJson(v, change.author),
		issue: issueJson(v, change.ticket, selectFields(flavour, undefined, 'all')),
		...(change.history ? { changelog: { id: String(change.history.id), items: change.history.items.map((item) => itemJson(v, item)) } } : {})
	};
}

export class JiraWebhooks {
	readonly #webhooks: StoredWebhook[] = [];
	readonly #deliveries: Array<JiraDelivery & { body: string }> = [];
	readonly #log: (event: string, fields: object) => void;
	#nextWebhook = 1;
	#nextDelivery = 1;

	constructor(log: (event: string, fields: object) => void) {
		this.#log = log;
	}

	register(site: FlavourName, input: JiraWebhookInput): JiraWebhook {
		const webhook: StoredWebhook = {
			id: this.#nextWebhook++,
			site,
			url: input.url,
			events: input.events ?? null,
			jql: input.jql ?? null,
			secret: Boolean(input.secret),
			created: new Date().toISOString(),
			secretText: input.secret ?? null
		};
		this.#webhooks.push(webhook);
		return this.#public(webhook);
	}

	list(site: FlavourName): JiraWebhook[] {
		return this.#webhooks.filter((w) => w.site === site).map((w) => this.#public(w));
	}

	deliveries(site: FlavourName, webhookId?: number): JiraDelivery[] {
		return this.#deliveries.filter((d) => d.site === site && (webhookId === undefined || d.webhookId === webhookId)).map(({ body: _body, ...delivery }) => delivery);
	}

	/**
	 * Delivers a change to every webhook (of either site: they show one model) that wants its
	 * event and whose JQL finds the ticket (`finds`, asked before a deletion takes it away).
	 */
	async emit(change: IssueEvent, origin: string, finds: (webhook: JiraWebhook) => boolean): Promise<JiraDelivery[]> {
		const wanted = this.#webhooks.filter((w) => (w.events === null || w.events.includes(change.event)) && (w.jql === null || finds(w)));
		return Promise.all(wanted.map((webhook) => this.#send(webhook, payloadFor(webhook.site, origin, change), randomUUID(), 0, false)));
	}

	/** Sends a recorded delivery again: the same body and identifier, the retry count one up. */
	async redeliver(site: FlavourName, id: number): Promise<JiraDelivery | null> {
		const original = this.#deliveries.find((d) => d.id === id && d.site === site);
		const webhook = original && this.#webhooks.find((w) => w.id === original.webhookId);
		if (!original || !webhook) return null;
		const retry = Math.max(...this.#deliveries.filter((d) => d.identifier === original.identifier).map((d) => d.retry)) + 1;
		return this.#send(webhook, original.payload, original.identifier, retry, true, original.body);
	}

	async #send(webhook: StoredWebhook, payload: JiraWebhookPayload, identifier: string, retry: number, redelivery: boolean, body = JSON.stringify(payload)): Promise<JiraDelivery> {
		const headers: Record<string, string> = {
			'content-type': 'application/json; charset=utf-8',
			'user-agent': 'Atlassian Webhook HTTP Client',
			'x-atlassian-webhook-identifier': identifier,
			'x-atlassian-webhook-retry': String(retry)
		};
		if (webhook.secretText) headers['x-hub-signature'] = hubSignature(webhook.secretText, body);
		const outcome = await post(webhook.url, headers, body);
		const delivery = { id: this.#nextDelivery++, webhookId: webhook.id, site: webhook.site, event: payload.webhookEvent, identifier, retry, redelivery, payload, ...outcome };
		this.#deliveries.push({ ...delivery, body });
		this.#log('jira.webhook.delivered', { site: webhook.site, webhookId: webhook.id, event: payload.webhookEvent, statusCode: outcome.statusCode, error: outcome.error, retry });
		return delivery;
	}

	#public({ secretText: _secret, ...webhook }: StoredWebhook): JiraWebhook {
		return webhook;
	}
}
