// Webhooks: hooks registered through the control API, deliveries POSTed with GitHub's headers
// and HMAC signature, each delivery's outcome recorded, and redelivery (the same delivery id
// again: what a replay looks like to the receiver).
import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { post } from '../shared/deliver.ts';
import { iso, type roots } from './http.ts';
import { repoJson } from './repos.ts';
import { orgSimple, simpleUser } from './users.ts';
import type { PushedCommit } from './git-repos.ts';
import type { Repo, User, World } from './data.ts';
import type { WebhookPing, WebhookPush } from './types.ts';

type Roots = ReturnType<typeof roots>;

export interface HookInput {
	owner: string;
	/** Absent: an organisation hook, for every repository of `owner`. */
	repo?: string;
	url: string;
	secret?: string;
	/** Event names, or `*` for all. Default: `push`. */
	events?: string[];
}

export interface Hook {
	id: number;
	owner: string;
	repo: string | null;
	url: string;
	events: string[];
	created: string;
}

export interface Delivery {
	id: number;
	guid: string;
	hookId: number;
	event: string;
	action: string | null;
	redelivery: boolean;
	deliveredAt: string;
	/** The receiver's status code; null when it could not be reached. */
	statusCode: number | null;
	error: string | null;
	durationMs: number;
	payload: unknown;
}

interface StoredHook extends Hook {
	secret: string | null;
	target: { id: number; type: 'repository' | 'organization' };
}

export class Webhooks {
	readonly #hooks: StoredHook[] = [];
	readonly #deliveries: Array<Delivery & { body: string }> = [];
	readonly #world: World;
	readonly #log: (event: string, fields: object) => void;
	#nextHook = 1;
	#nextDelivery = 1;

	constructor(world: World, log: (event: string, fields: object) => void) {
		this.#world = world;
		this.#log = log;
	}

	hooks(): Hook[] {
		return this.#hooks.map(({ secret: _secret, target: _target, ...hook }) => hook);
	}

	deliveries(hookId?: number): Delivery[] {
		return this.#deliveries.filter((d) => hookId === undefined || d.hookId === hookId).map(({ body: _body, ...delivery }) => delivery);
	}

	/** Registers a hook and sends it `ping`, as GitHub does. Returns null when the owner or repository is unknown. */
	async register(r: Roots, input: HookInput): Promise<{ hook: Hook; ping: Delivery } | null> {
		const org = this.#world.org(input.owner);
		const repo = input.repo ? this.#world.repo(input.owner, input.repo) : undefined;
		if (input.repo ? !repo : !org) return null;
		const hook: StoredHook = {
			id: this.#nextHook++,
			owner: repo?.ownerLogin ?? org!.login,
			repo: repo?.name ?? null,
			url: input.url,
			events: input.events ?? ['push'],
			created: new Date().toISOString(),
			secret: input.secret ?? null,
			target: repo ? { id: repo.id, type: 'repository' } : { id: org!.id, type: 'organization' }
		};
		this.#hooks.push(hook);
		const payload: WebhookPing = {
			zen: 'Keep it logically awesome.',
			hook_id: hook.id,
			hook: {
				type: repo ? 'Repository' : 'Organization',
				id: hook.id,
				name: 'web',
				active: true,
				events: hook.events,
				config: { content_type: 'json', insecure_ssl: '0', url: hook.url },
				updated_at: hook.created,
				created_at: hook.created,
				url: `${r.api}/${repo ? `repos/${repo.fullName}` : `orgs/${org!.login}`}/hooks/${hook.id}`,
				ping_url: `${r.api}/${repo ? `repos/${repo.fullName}` : `orgs/${org!.login}`}/hooks/${hook.id}/pings`,
				deliveries_url: `${r.api}/${repo ? `repos/${repo.fullName}` : `orgs/${org!.login}`}/hooks/${hook.id}/deliveries`
			},
			...(repo ? { repository: webhookRepository(r, repo, 0) as unknown as WebhookPing['repository'] } : {}),
			...(org ? { organization: orgSimple(r, org) } : {}),
			sender: simpleUser(r, this.#world.viewer)
		};
		const ping = await this.#deliver(hook, 'ping', payload, randomUUID(), false);
		return { hook: this.hooks().find((h) => h.id === hook.id)!, ping };
	}

	/** Sends `event` to every hook of the repository (and of its organisation) that wants it. */
	async emit(repo: Repo, event: string, payload: object): Promise<Delivery[]> {
		const wanted = this.#hooks.filter(
			(hook) =>
				hook.owner.toLowerCase() === repo.ownerLogin.toLowerCase() &&
				(hook.repo === null || hook.repo.toLowerCase() === repo.name.toLowerCase()) &&
				(hook.events.includes('*') || hook.events.includes(event))
		);
		return Promise.all(wanted.map((hook) => this.#deliver(hook, event, payload, randomUUID(), false)));
	}

	/** Sends a recorded delivery again: same body, same `X-GitHub-Delivery`. */
	async redeliver(id: number): Promise<Delivery | null> {
		const original = this.#deliveries.find((d) => d.id === id);
		const hook = original && this.#hooks.find((h) => h.id === original.hookId);
		if (!original || !hook) return null;
		return this.#deliver(hook, original.event, original.payload, original.guid, true, original.body);
	}

	async #deliver(hook: StoredHook, event: string, payload: unknown, guid: string, redelivery: boolean, body = JSON.stringify(payload)): Promise<Delivery> {
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'GitHub-Hookshot/7d5b3c1',
			'x-github-event': event,
			'x-github-delivery': guid,
			'x-github-hook-id': String(hook.id),
			'x-github-hook-installation-target-id': String(hook.target.id),
			'x-github-hook-installation-target-type': hook.target.type
		};
		if (hook.secret) {
			headers['x-hub-signature'] = `sha1=${createHmac('sha1', hook.secret).update(body).digest('hex')}`;
			headers['x-hub-signature-256'] = await sign(hook.secret, body);
		}
		const outcome = await post(hook.url, headers, body);
		const action = (payload as { action?: unknown }).action;
		const delivery = {
			id: this.#nextDelivery++,
			guid,
			hookId: hook.id,
			event,
			action: typeof action === 'string' ? action : null,
			redelivery,
			...outcome,
			payload,
			body
		};
		this.#deliveries.push(delivery);
		this.#log('webhook.delivered', { hook: hook.id, event, guid, redelivery, statusCode: outcome.statusCode, error: outcome.error });
		const { body: _body, ...result } = delivery;
		return result;
	}
}

/** The repository as webhook payloads carry it (push payloads give times as epoch seconds). */
export function webhookRepository(r: Roots, repo: Repo, openIssues: number): WebhookPush['repository'] {
	const { permissions: _permissions, owner, organization: _organization, network_count: _n, subscribers_count: _s, ...rest } = repoJson(r, repo, openIssues);
	return {
		...rest,
		owner: { ...owner, id: Number(owner.id), type: repo.owner.type, gravatar_id: owner.gravatar_id ?? '', name: owner.login, email: null },
		created_at: Math.floor(repo.created / 1000),
		pushed_at: Math.floor(repo.pushed / 1000),
		updated_at: iso(repo.pushed),
		stargazers: rest.stargazers_count,
		topics: repo.topics,
		master_branch: 'main',
		license: null,
		visibility: repo.private ? 'private' : 'public',
		has_discussions: false,
		...(repo.owner.type === 'Organization' ? { organization: repo.owner.org.login } : {})
	};
}

export function pushPayload(
	r: Roots,
	world: World,
	repo: Repo,
	push: { ref: string; before: string | null; after: string; commits: PushedCommit[] },
	pusher: User
): WebhookPush {
	const zero = '0'.repeat(40);
	const commits = push.commits.map((c) => ({
		id: c.sha,
		tree_id: c.sha,
		distinct: true,
		message: c.message,
		timestamp: c.timestamp,
		url: `${r.web}/${repo.fullName}/commit/${c.sha}`,
		author: { name: c.author.name, email: c.author.email },
		committer: { name: c.author.name, email: c.author.email },
		added: c.added,
		removed: [],
		modified: []
	}));
	return {
		ref: push.ref,
		before: push.before ?? zero,
		after: push.after,
		created: push.before === null,
		deleted: false,
		forced: false,
		base_ref: null,
		compare: `${r.web}/${repo.fullName}/compare/${(push.before ?? zero).slice(0, 12)}...${push.after.slice(0, 12)}`,
		// GitHub lists at most 20 commits in a push payload.
		commits: commits.slice(-20),
		head_commit: commits.at(-1) ?? null,
		repository: webhookRepository(r, repo, 0),
		pusher: { name: pusher.login, email: pusher.email },
		sender: simpleUser(r, pusher),
		...(repo.owner.type === 'Organization' ? { organization: orgSimple(r, repo.owner.org) } : {}),
		...installationOf(world, repo)
	};
}

/** The `installation` field GitHub adds when the App is installed on the repository's owner. */
export function installationOf(world: World, repo: Repo): { installation?: { id: number; node_id: string } } {
	const owner = repo.owner.type === 'Organization' ? repo.owner.org.id : null;
	const installation = world.installations.find((i) => i.org.id === owner);
	return installation ? { installation: { id: installation.id, node_id: Buffer.from(`Installation:${installation.id}`).toString('base64') } } : {};
}
