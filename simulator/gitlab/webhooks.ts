// GitLab project webhooks: hooks registered through the control API, deliveries POSTed with
// GitLab's headers (the hook's secret token in `X-Gitlab-Token`, no signature), each outcome
// recorded, and a resend that keeps the event's UUID and idempotency key (a new webhook UUID per
// request), as GitLab's "Resend request" does.
import { randomUUID } from 'node:crypto';
import { post, type DeliveryOutcome } from '../shared/deliver.ts';
import type { Project } from './model.ts';

export type GitLabEvent = 'push' | 'tag_push' | 'merge_requests' | 'note';
export const GITLAB_EVENTS: GitLabEvent[] = ['push', 'tag_push', 'merge_requests', 'note'];

/** `X-Gitlab-Event` of each event. */
const EVENT_HEADERS: Record<GitLabEvent, string> = { push: 'Push Hook', tag_push: 'Tag Push Hook', merge_requests: 'Merge Request Hook', note: 'Note Hook' };

export interface GitLabHookInput {
	/** The project's full path (`acme/api`) or id. */
	project: string;
	url: string;
	/** The secret GitLab sends back in `X-Gitlab-Token`. */
	token?: string;
	/** Default: `push`. */
	events?: GitLabEvent[];
}

export interface GitLabHook {
	id: number;
	projectId: number;
	project: string;
	url: string;
	events: GitLabEvent[];
	created: string;
}

export interface GitLabDelivery extends DeliveryOutcome {
	id: number;
	hookId: number;
	/** `Push Hook`, `Merge Request Hook`…: what `X-Gitlab-Event` said. */
	event: string;
	/** `X-Gitlab-Event-UUID`: the same for every hook of one event, and for a resend. */
	eventUuid: string;
	/** `X-Gitlab-Webhook-UUID`: new for every request. */
	webhookUuid: string;
	/** `Idempotency-Key`: the same for a resend. */
	idempotencyKey: string;
	redelivery: boolean;
	payload: unknown;
}

interface StoredHook extends GitLabHook {
	token: string | null;
}

export class GitLabWebhooks {
	readonly #hooks: StoredHook[] = [];
	readonly #deliveries: Array<GitLabDelivery & { body: string }> = [];
	readonly #instance: () => string;
	readonly #log: (event: string, fields: object) => void;
	#nextHook = 1;
	#nextDelivery = 1;

	/** `instance`: the host GitLab names in `X-Gitlab-Instance` (the plain HTTP one). */
	constructor(instance: () => string, log: (event: string, fields: object) => void) {
		this.#instance = instance;
		this.#log = log;
	}

	hooks(): GitLabHook[] {
		return this.#hooks.map(({ token: _token, ...hook }) => hook);
	}

	deliveries(hookId?: number): GitLabDelivery[] {
		return this.#deliveries.filter((d) => hookId === undefined || d.hookId === hookId).map(({ body: _body, ...delivery }) => delivery);
	}

	register(project: Project, input: Omit<GitLabHookInput, 'project'>): GitLabHook {
		const hook: StoredHook = {
			id: this.#nextHook++,
			projectId: project.id,
			project: project.pathWithNamespace,
			url: input.url,
			events: input.events ?? ['push'],
			created: new Date().toISOString(),
			token: input.token ?? null
		};
		this.#hooks.push(hook);
		return this.hooks().find((h) => h.id === hook.id)!;
	}

	/** Sends `event` to every hook of the project that wants it. */
	emit(project: Project, event: GitLabEvent, payload: object): Promise<GitLabDelivery[]> {
		const eventUuid = randomUUID();
		const wanted = this.#hooks.filter((hook) => hook.projectId === project.id && hook.events.includes(event));
		return Promise.all(wanted.map((hook) => this.#deliver(hook, EVENT_HEADERS[event], payload, JSON.stringify(payload), eventUuid, randomUUID(), false)));
	}

	/** Sends a recorded delivery again: same body, same event UUID and idempotency key. */
	async redeliver(id: number): Promise<GitLabDelivery | null> {
		const original = this.#deliveries.find((d) => d.id === id);
		const hook = original && this.#hooks.find((h) => h.id === original.hookId);
		if (!original || !hook) return null;
		return this.#deliver(hook, original.event, original.payload, original.body, original.eventUuid, original.idempotencyKey, true);
	}

	async #deliver(hook: StoredHook, event: string, payload: unknown, body: string, eventUuid: string, idempotencyKey: string, redelivery: boolean): Promise<GitLabDelivery> {
		const webhookUuid = randomUUID();
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'GitLab/17.11.0',
			'x-gitlab-event': event,
			'x-gitlab-event-uuid': eventUuid,
			'x-gitlab-webhook-uuid': webhookUuid,
			'x-gitlab-instance': this.#instance(),
			'idempotency-key': idempotencyKey
		};
		if (hook.token) headers['x-gitlab-token'] = hook.token;
		const outcome = await post(hook.url, headers, body);
		const delivery = { id: this.#nextDelivery++, hookId: hook.id, event, eventUuid, webhookUuid, idempotencyKey, redelivery, ...outcome, payload, body };
		this.#deliveries.push(delivery);
		this.#log('gitlab.webhook.delivered', { hook: hook.id, event, eventUuid, redelivery, statusCode: outcome.statusCode, error: outcome.error });
		const { body: _body, ...result } = delivery;
		return result;
	}
}
