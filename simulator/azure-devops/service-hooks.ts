// Azure DevOps service hooks (Web Hooks consumer): subscriptions registered through the control
// API, one event type each, on a project (and optionally one repository, for the code events).
// Each notification is a POST of the event as JSON, with HTTP basic auth when the subscription
// has a username or password, and no signature. A resend keeps the event's `id` and gets a new
// `notificationId`.
import { randomUUID } from 'node:crypto';
import { post, type DeliveryOutcome } from '../shared/deliver.ts';
import { orgUrl, time } from './json.ts';
import type { AzureProject, AzureRepository } from './model.ts';

export type AzureEventType =
	| 'git.push'
	| 'git.pullrequest.created'
	| 'git.pullrequest.updated'
	| 'git.pullrequest.merged'
	| 'ms.vss-code.git-pullrequest-comment-event'
	| 'workitem.created'
	| 'workitem.updated'
	| 'workitem.deleted';
export const AZURE_EVENT_TYPES: AzureEventType[] = [
	'git.push',
	'git.pullrequest.created',
	'git.pullrequest.updated',
	'git.pullrequest.merged',
	'ms.vss-code.git-pullrequest-comment-event',
	'workitem.created',
	'workitem.updated',
	'workitem.deleted'
];
/** The work item events: a subscription to one may not name a repository. */
export const WORK_ITEM_EVENT_TYPES: AzureEventType[] = ['workitem.created', 'workitem.updated', 'workitem.deleted'];

export interface AzureSubscriptionInput {
	/** `{organization}/{project}` (project by name or id). */
	project: string;
	url: string;
	eventType: AzureEventType;
	/** Only this repository's events (by name); all the project's by default. Not for work item events. */
	repository?: string;
	/** Sent as HTTP basic auth when either is set. */
	username?: string;
	password?: string;
}

export interface AzureSubscription {
	id: string;
	organization: string;
	project: string;
	projectId: string;
	repository: string | null;
	url: string;
	eventType: AzureEventType;
	/** Whether deliveries carry basic auth. */
	basicAuth: boolean;
	createdDate: string;
}

export interface AzureEvent {
	/** The event's id: the same for every subscription it goes to, and for a resend. */
	id: string;
	eventType: AzureEventType;
	publisherId: 'tfs';
	message: { text: string; html: string; markdown: string };
	detailedMessage: { text: string; html: string; markdown: string };
	resource: unknown;
	resourceVersion: '1.0';
	resourceContainers: Record<'collection' | 'account' | 'project', { id: string; baseUrl: string }>;
	createdDate: string;
}

export type AzureEventBody = { subscriptionId: string; notificationId: number } & AzureEvent;

export interface AzureDelivery extends DeliveryOutcome {
	id: number;
	subscriptionId: string;
	notificationId: number;
	/** The event's `id`. */
	eventId: string;
	eventType: AzureEventType;
	redelivery: boolean;
	payload: AzureEventBody;
}

interface StoredSubscription extends AzureSubscription {
	username: string | null;
	password: string | null;
}

const text = (value: string) => ({ text: value, html: value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), markdown: value });

/** An event from what happened in a project. */
export function azureEvent(origin: string, project: AzureProject, eventType: AzureEventType, message: string, detailed: string, resource: unknown): AzureEvent {
	const base = `${orgUrl(origin, project.organization)}/`;
	const organization = project.organization;
	return {
		id: randomUUID(),
		eventType,
		publisherId: 'tfs',
		message: text(message),
		detailedMessage: text(detailed),
		resource,
		resourceVersion: '1.0',
		resourceContainers: {
			collection: { id: organization.id, baseUrl: base },
			account: { id: organization.id, baseUrl: base },
			project: { id: project.id, baseUrl: base }
		},
		createdDate: time(Date.now())
	};
}

export class AzureServiceHooks {
	readonly #subscriptions: StoredSubscription[] = [];
	readonly #deliveries: AzureDelivery[] = [];
	readonly #log: (event: string, fields: object) => void;
	#nextDelivery = 1;
	#nextNotification = 1;

	constructor(log: (event: string, fields: object) => void) {
		this.#log = log;
	}

	subscriptions(): AzureSubscription[] {
		return this.#subscriptions.map(({ username: _u, password: _p, ...subscription }) => subscription);
	}

	deliveries(subscriptionId?: string): AzureDelivery[] {
		return this.#deliveries.filter((d) => subscriptionId === undefined || d.subscriptionId === subscriptionId);
	}

	subscribe(project: AzureProject, input: Omit<AzureSubscriptionInput, 'project'>): AzureSubscription {
		const subscription: StoredSubscription = {
			id: randomUUID(),
			organization: project.organization.name,
			project: project.name,
			projectId: project.id,
			repository: input.repository ?? null,
			url: input.url,
			eventType: input.eventType,
			basicAuth: Boolean(input.username || input.password),
			createdDate: time(Date.now()),
			username: input.username ?? null,
			password: input.password ?? null
		};
		this.#subscriptions.push(subscription);
		return this.subscriptions().find((s) => s.id === subscription.id)!;
	}

	/** Sends the event to every subscription of its project (and repository) that wants its type. */
	emit(repository: AzureRepository, event: AzureEvent): Promise<AzureDelivery[]> {
		const wanted = this.#subscriptions.filter(
			(s) => s.projectId === repository.project.id && s.eventType === event.eventType && (s.repository === null || s.repository.toLowerCase() === repository.name.toLowerCase())
		);
		return Promise.all(wanted.map((subscription) => this.#deliver(subscription, event, false)));
	}

	/** Sends a work item event to every subscription of its project that wants its type. */
	emitForProject(project: AzureProject, event: AzureEvent): Promise<AzureDelivery[]> {
		const wanted = this.#subscriptions.filter((s) => s.projectId === project.id && s.eventType === event.eventType);
		return Promise.all(wanted.map((subscription) => this.#deliver(subscription, event, false)));
	}

	/** Sends a recorded delivery's event again: the same event `id`, a new `notificationId`. */
	async redeliver(id: number): Promise<AzureDelivery | null> {
		const original = this.#deliveries.find((d) => d.id === id);
		const subscription = original && this.#subscriptions.find((s) => s.id === original.subscriptionId);
		if (!original || !subscription) return null;
		const { subscriptionId: _s, notificationId: _n, ...event } = original.payload;
		return this.#deliver(subscription, event, true);
	}

	async #deliver(subscription: StoredSubscription, event: AzureEvent, redelivery: boolean): Promise<AzureDelivery> {
		const notificationId = this.#nextNotification++;
		const payload: AzureEventBody = { subscriptionId: subscription.id, notificationId, ...event };
		const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'VSServices/19.255.35808.1 (w3wp.exe)' };
		if (subscription.username !== null || subscription.password !== null) {
			headers.authorization = `Basic ${Buffer.from(`${subscription.username ?? ''}:${subscription.password ?? ''}`).toString('base64')}`;
		}
		const outcome = await post(subscription.url, headers, JSON.stringify(payload));
		const delivery: AzureDelivery = { id: this.#nextDelivery++, subscriptionId: subscription.id, notificationId, eventId: event.id, eventType: event.eventType, redelivery, ...outcome, payload };
		this.#deliveries.push(delivery);
		this.#log('azure-devops.service-hook.delivered', { subscription: subscription.id, eventType: event.eventType, eventId: event.id, redelivery, statusCode: outcome.statusCode, error: outcome.error });
		return delivery;
	}
}
