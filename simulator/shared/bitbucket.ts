// What both Bitbucket views (Cloud under /bitbucket-cloud, Data Center under /bitbucket-dc) read
// the same way from the World: the comments and reviews of a pull request, deterministic UUIDs,
// HTTP Basic credentials, and signed webhooks (`X-Hub-Signature: sha256=<hmac>`).
import { createHmac, randomUUID } from 'node:crypto';
import { hash } from '../github/hash.ts';
import { post, type DeliveryOutcome } from './deliver.ts';
import type { PullStore } from '../github/pull-store.ts';

/** A deterministic `{xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx}` from integers. */
export function braceUuid(...parts: number[]): string {
	const hex = [1, 2, 3, 4].map((k) => hash(...parts, k).toString(16).padStart(8, '0')).join('');
	return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}}`;
}

export type BitbucketCommentKind = 'inline' | 'comment' | 'review';

/** A pull request comment as Bitbucket shows it: review comments inline, conversation comments and commenting-review bodies not. */
export interface BitbucketComment {
	id: number;
	kind: BitbucketCommentKind;
	/** A World user index; null for a deleted account. */
	user: number | null;
	body: string;
	created: number;
	updated: number;
	path: string | null;
	line: number | null;
	/** The comment it answers (inline replies only). */
	parent: number | null;
}

export interface BitbucketReview {
	id: number;
	user: number | null;
	state: 'APPROVED' | 'CHANGES_REQUESTED';
	at: number;
}

/** Every comment of pull request `number`, oldest first. */
export function bitbucketComments(store: PullStore, number: number): BitbucketComment[] {
	const inline = store.reviewComments(number).map((c) => ({ id: c.id, kind: 'inline' as const, user: c.user, body: c.body, created: c.created, updated: c.updated, path: c.path, line: c.line, parent: c.inReplyTo }));
	const plain = store.issueComments(number).map((c) => ({ id: c.id, kind: 'comment' as const, user: c.user, body: c.body, created: c.created, updated: c.updated, path: null, line: null, parent: null }));
	const reviews = store
		.reviews(number)
		.filter((r) => r.state === 'COMMENTED' && r.body)
		.map((r) => ({ id: r.id, kind: 'review' as const, user: r.user, body: r.body, created: r.submitted, updated: r.submitted, path: null, line: null, parent: null }));
	return [...inline, ...plain, ...reviews].sort((a, b) => a.created - b.created || a.id - b.id);
}

/** Approvals and change requests of pull request `number`, oldest first. */
export function bitbucketReviews(store: PullStore, number: number): BitbucketReview[] {
	return store
		.reviews(number)
		.filter((r) => r.state !== 'COMMENTED')
		.map((r) => ({ id: r.id, user: r.user, state: r.state as BitbucketReview['state'], at: r.submitted }))
		.sort((a, b) => a.at - b.at || a.id - b.id);
}

/** The reviewers of a pull request and where each stands: their last approval or change request. */
export function reviewerStates(store: PullStore, number: number): Map<number, { state: BitbucketReview['state']; at: number }> {
	const states = new Map<number, { state: BitbucketReview['state']; at: number }>();
	for (const review of bitbucketReviews(store, number)) if (review.user !== null) states.set(review.user, { state: review.state, at: review.at });
	return states;
}

export interface BitbucketCounts {
	pullRequests: number;
	open: number;
	merged: number;
	declined: number;
	drafts: number;
	approvals: number;
	changesRequested: number;
	inlineComments: number;
	/** Comments that are not inline: conversation comments and commenting-review bodies. */
	comments: number;
}

export function bitbucketCounts(store: PullStore): BitbucketCounts {
	const counts: BitbucketCounts = { pullRequests: store.count, open: 0, merged: 0, declined: 0, drafts: 0, approvals: 0, changesRequested: 0, inlineComments: 0, comments: 0 };
	for (let n = 1; n <= store.count; n++) {
		const pull = store.facts(n);
		if (pull.state === 'open') counts.open++;
		else if (pull.state === 'merged') counts.merged++;
		else counts.declined++;
		if (pull.draft) counts.drafts++;
		for (const review of bitbucketReviews(store, n)) {
			if (review.state === 'APPROVED') counts.approvals++;
			else counts.changesRequested++;
		}
		for (const comment of bitbucketComments(store, n)) {
			if (comment.kind === 'inline') counts.inlineComments++;
			else counts.comments++;
		}
	}
	return counts;
}

export interface BasicCredentials {
	username: string;
	password: string;
}

/** `Authorization: Basic …`, decoded; undefined without one. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
	const encoded = /^basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
	if (encoded === undefined) return undefined;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return { username: decoded, password: '' };
	return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearerToken(header: string | undefined): string | undefined {
	return /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

export function hubSignature(secret: string, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SignedHookInput {
	/** `ws/slug` (Cloud) or `KEY/slug` (Data Center). */
	repository: string;
	url: string;
	secret?: string;
	/** Event keys; every event when absent. */
	events?: string[];
}

export interface SignedHook {
	id: number;
	uuid: string;
	repository: string;
	url: string;
	/** Null: every event. */
	events: string[] | null;
	secret: boolean;
	created: string;
}

export interface SignedDelivery extends DeliveryOutcome {
	id: number;
	hookId: number;
	/** `X-Event-Key`. */
	event: string;
	/** Cloud's `X-Request-UUID`, Data Center's `X-Request-Id`: kept on a redelivery. */
	requestId: string;
	/** Cloud's `X-Attempt-Number`: 1, then one more per redelivery. */
	attempt: number;
	redelivery: boolean;
	/** `X-Hub-Signature`, when the hook has a secret. */
	signature: string | null;
	headers: Record<string, string>;
	payload: unknown;
}

interface StoredSignedHook extends SignedHook {
	secretText: string | null;
}

/** Repository webhooks of one Bitbucket kind: `headers` makes its own headers for a delivery. */
export class SignedWebhooks {
	readonly #hooks: StoredSignedHook[] = [];
	readonly #deliveries: Array<SignedDelivery & { body: string }> = [];
	readonly #headers: (hook: SignedHook, event: string, requestId: string, attempt: number) => Record<string, string>;
	readonly #log: (event: string, fields: object) => void;
	readonly #name: string;
	#nextHook = 1;
	#nextDelivery = 1;

	constructor(name: string, headers: (hook: SignedHook, event: string, requestId: string, attempt: number) => Record<string, string>, log: (event: string, fields: object) => void) {
		this.#name = name;
		this.#headers = headers;
		this.#log = log;
	}

	hooks(): SignedHook[] {
		return this.#hooks.map(({ secretText: _secret, ...hook }) => hook);
	}

	hook(id: number): SignedHook | undefined {
		return this.hooks().find((hook) => hook.id === id);
	}

	deliveries(hookId?: number): SignedDelivery[] {
		return this.#deliveries.filter((d) => hookId === undefined || d.hookId === hookId).map(({ body: _body, ...delivery }) => delivery);
	}

	register(input: SignedHookInput, uuid: string): SignedHook {
		const hook: StoredSignedHook = {
			id: this.#nextHook++,
			uuid,
			repository: input.repository,
			url: input.url,
			events: input.events ?? null,
			secret: Boolean(input.secret),
			created: new Date().toISOString(),
			secretText: input.secret || null
		};
		this.#hooks.push(hook);
		return this.hook(hook.id)!;
	}

	/** Sends `event` to every hook of the repository that wants it. */
	emit(repository: string, event: string, payload: object): Promise<SignedDelivery[]> {
		const wanted = this.#hooks.filter((hook) => hook.repository === repository && (hook.events === null || hook.events.includes(event)));
		return Promise.all(wanted.map((hook) => this.#deliver(hook, event, payload, JSON.stringify(payload), randomUUID(), 1, false)));
	}

	/** One hook only (Data Center's test button). */
	emitTo(hookId: number, event: string, payload: object): Promise<SignedDelivery> | null {
		const hook = this.#hooks.find((h) => h.id === hookId);
		return hook ? this.#deliver(hook, event, payload, JSON.stringify(payload), randomUUID(), 1, false) : null;
	}

	/** Sends a recorded delivery again: same body, same request id, the next attempt number. */
	async redeliver(id: number): Promise<SignedDelivery | null> {
		const original = this.#deliveries.find((d) => d.id === id);
		const hook = original && this.#hooks.find((h) => h.id === original.hookId);
		if (!original || !hook) return null;
		const attempt = Math.max(...this.#deliveries.filter((d) => d.requestId === original.requestId).map((d) => d.attempt)) + 1;
		return this.#deliver(hook, original.event, original.payload, original.body, original.requestId, attempt, true);
	}

	async #deliver(hook: StoredSignedHook, event: string, payload: unknown, body: string, requestId: string, attempt: number, redelivery: boolean): Promise<SignedDelivery> {
		const { secretText: _secret, ...publicHook } = hook;
		const headers = this.#headers(publicHook, event, requestId, attempt);
		const signature = hook.secretText ? hubSignature(hook.secretText, body) : null;
		if (signature) headers['x-hub-signature'] = signature;
		const outcome = await post(hook.url, headers, body);
		const delivery = { id: this.#nextDelivery++, hookId: hook.id, event, requestId, attempt, redelivery, signature, headers, ...outcome, payload, body };
		this.#deliveries.push(delivery);
		this.#log(`${this.#name}.webhook.delivered`, { hook: hook.id, event, requestId, attempt, statusCode: outcome.statusCode, error: outcome.error });
		const { body: _body, ...result } = delivery;
		return result;
	}
}
