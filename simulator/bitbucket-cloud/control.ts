// The Bitbucket Cloud side of the control API (`/_simulator/bitbucket-cloud/…`): repository
// webhooks and their deliveries, pushes, pull requests, comments and approvals made through
// Bitbucket's eyes (real commits, the same pull stores GitHub and GitLab read), and the counts the
// Bitbucket Cloud API shows.
import { randomUUID } from 'node:crypto';
import { ControlError, int, str, strings, type Body, type ControlRoute } from '../shared/control.ts';
import { bitbucketComments, bitbucketCounts, SignedWebhooks, type BitbucketComment, type SignedDelivery } from '../shared/bitbucket.ts';
import { checkRefName, type Pushed, type RepoChanges } from '../shared/repo-changes.ts';
import { accountJson, commentJson, iso, pullJson, repositoryJson, type Json } from './json.ts';
import { CLOUD_PREFIX, type CloudAccount, type CloudModel, type CloudRepo } from './model.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';

export const CLOUD_EVENTS = [
	'repo:push',
	'pullrequest:created',
	'pullrequest:updated',
	'pullrequest:approved',
	'pullrequest:changes_request_created',
	'pullrequest:fulfilled',
	'pullrequest:rejected',
	'pullrequest:comment_created',
	'pullrequest:comment_deleted'
] as const;

export interface CloudRepositoryStats {
	/** `workspace/slug`. */
	repository: string;
	pullRequests: number;
	open: number;
	merged: number;
	declined: number;
	drafts: number;
	/** Approval entries of the activity. */
	approvals: number;
	/** `changes_request` entries of the activity. */
	changesRequested: number;
	/** Comments with `inline`. */
	inlineComments: number;
	/** Comments without `inline`: conversation comments and commenting-review bodies. */
	comments: number;
}

export interface CloudControlContext {
	model: CloudModel;
	counters: RequestCounters;
	changes: RepoChanges;
	log: (event: string, fields: object) => void;
	/** The plain HTTP origin: webhook payloads and control answers point at it. */
	origin: () => string;
}

export function cloudWebhooks(log: (event: string, fields: object) => void): SignedWebhooks {
	return new SignedWebhooks(
		'bitbucket-cloud',
		(hook, event, requestId, attempt) => ({
			'content-type': 'application/json',
			'user-agent': 'Bitbucket-Webhooks/2.0',
			'x-event-key': event,
			'x-hook-uuid': hook.uuid.replace(/[{}]/g, ''),
			'x-request-uuid': requestId,
			'x-attempt-number': String(attempt),
			'x-event-time': new Date().toUTCString()
		}),
		log
	);
}

export function cloudControlRoutes(context: CloudControlContext, webhooks: SignedWebhooks = cloudWebhooks(context.log)): ControlRoute[] {
	const { model, counters, changes } = context;
	const base = () => `${context.origin()}${CLOUD_PREFIX}`;
	const repoOf = (params: Record<string, string>): CloudRepo => {
		const repo = model.repository(params.workspace ?? '', params.slug ?? '');
		if (!repo) throw new ControlError(404, `No repository ${params.workspace}/${params.slug}.`);
		return repo;
	};
	const userOf = (body: Body): CloudAccount => {
		const name = str(body, 'user');
		if (!name) return model.viewer;
		const user = model.accountByName(name);
		if (!user) throw new ControlError(400, `No user ${name}.`);
		return user;
	};
	const pullOf = (store: PullStore, params: Record<string, string>) => {
		const id = Number(params.id);
		if (!store.has(id)) throw new ControlError(404, `No pull request #${params.id}.`);
		return store.facts(id);
	};
	const fullName = (repo: CloudRepo) => `${repo.workspace.slug}/${repo.slug}`;
	const common = (repo: CloudRepo, actor: CloudAccount): Json => ({ actor: accountJson(base(), actor), repository: repositoryJson(base(), repo, model.viewer.nickname) });
	const pullEvent = (repo: CloudRepo, store: PullStore, pull: PullFacts, actor: CloudAccount, extra: Json = {}): Json => ({ ...common(repo, actor), pullrequest: pullJson(base(), model, repo, store, pull, true), ...extra });
	const pushEvent = (repo: CloudRepo, push: Pushed, actor: CloudAccount): Json => {
		const branch = push.ref.replace(/^refs\/heads\//, '');
		const commit = (c: Pushed['commits'][number]) => ({ type: 'commit', hash: c.sha, message: `${c.message}\n`, date: c.timestamp, author: { type: 'author', raw: `${c.author.name} <${c.author.email}>` } });
		const head = push.commits.at(-1);
		return {
			...common(repo, actor),
			push: {
				changes: [
					{
						new: { type: 'branch', name: branch, target: head ? commit(head) : { type: 'commit', hash: push.after } },
						old: push.before ? { type: 'branch', name: branch, target: { type: 'commit', hash: push.before } } : null,
						created: push.before === null,
						closed: false,
						forced: false,
						truncated: false,
						commits: push.commits.map(commit).reverse(),
						links: { html: { href: `${base()}/${fullName(repo)}/branches/compare/${push.after}..${push.before ?? ''}` } }
					}
				]
			}
		};
	};
	const emit = (repo: CloudRepo, event: string, payload: Json) => webhooks.emit(fullName(repo), event, payload);

	return [
		{
			method: 'GET',
			path: '/_simulator/bitbucket-cloud/stats',
			handle: async () => {
				const repositories: CloudRepositoryStats[] = await Promise.all(
					model.repos.map(async (repo) => {
						const counts = bitbucketCounts(await model.world.pulls(repo.repo));
						return { repository: fullName(repo), ...counts };
					})
				);
				return { workspaces: model.workspaces.map((w) => w.slug), repositories, requests: counters };
			}
		},
		{ method: 'GET', path: '/_simulator/bitbucket-cloud/hooks', handle: () => webhooks.hooks() },
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/hooks',
			handle: (_params, body) => {
				const url = str(body, 'url');
				const repository = str(body, 'repository');
				if (!url || !repository) throw new ControlError(400, 'Give "repository" (workspace/slug) and "url".');
				const [workspace = '', slug = ''] = repository.split('/');
				const repo = repoOf({ workspace, slug });
				const events = strings(body, 'events');
				const unknown = events?.find((event) => !(CLOUD_EVENTS as readonly string[]).includes(event));
				if (unknown) throw new ControlError(400, `No event ${unknown}: one of ${CLOUD_EVENTS.join(', ')}.`);
				return webhooks.register({ repository: fullName(repo), url, secret: str(body, 'secret'), events }, `{${randomUUID()}}`);
			}
		},
		{ method: 'GET', path: '/_simulator/bitbucket-cloud/deliveries', handle: (_params, _body, query) => webhooks.deliveries(query.has('hookId') ? Number(query.get('hookId')) : undefined) },
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/deliveries/:id/redeliver',
			handle: async (params) => {
				const delivery = await webhooks.redeliver(Number(params.id));
				if (!delivery) throw new ControlError(404, `No delivery ${params.id}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/repositories/:workspace/:slug/push',
			handle: (params, body) => {
				const repo = repoOf(params);
				const branch = checkRefName(str(body, 'branch') ?? 'main');
				const commits = int(body, 'commits', 1) ?? 1;
				return changes.locked(repo.repo, async () => {
					const push = await changes.push(repo.repo, `refs/heads/${branch}`, commits, branch === 'main' ? undefined : 'refs/heads/main');
					const deliveries = await emit(repo, 'repo:push', pushEvent(repo, push, model.viewer));
					return { before: push.before, after: push.after, commits: push.commits, deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/repositories/:workspace/:slug/pullrequests',
			handle: (params, body) => {
				const repo = repoOf(params);
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A pull request needs an author from the World.');
				const worldAuthor = model.world.users[author.index]!;
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const input = { title: str(body, 'title'), body: str(body, 'description') ?? null, author: worldAuthor, draft: body.draft === true, commits: int(body, 'commits', 1) ?? 1 };
					const { pull, pushed } = await changes.openPull(repo.repo, store, input);
					const deliveries: SignedDelivery[] = [...(await emit(repo, 'repo:push', pushEvent(repo, pushed, author))), ...(await emit(repo, 'pullrequest:created', pullEvent(repo, store, pull, author)))];
					return { pullrequest: pullJson(base(), model, repo, store, pull, true), deliveries };
				});
			}
		},
		{
			method: 'PATCH',
			path: '/_simulator/bitbucket-cloud/repositories/:workspace/:slug/pullrequests/:id',
			handle: (params, body) => {
				const repo = repoOf(params);
				const state = str(body, 'state');
				if (state !== undefined && state !== 'DECLINED' && state !== 'OPEN') throw new ControlError(400, '"state" must be DECLINED or OPEN.');
				const title = str(body, 'title');
				const description = str(body, 'description');
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					if (state === 'DECLINED' && before.state !== 'open') throw new ControlError(422, `#${before.number} is not open.`);
					if (state === 'OPEN' && before.state !== 'closed') throw new ControlError(422, `#${before.number} is not declined.`);
					const pull = store.update(before.number, {
						...(title === undefined ? {} : { title }),
						...(description === undefined ? {} : { body: description }),
						...(state === undefined ? {} : { state: state === 'DECLINED' ? ('closed' as const) : ('open' as const) })
					});
					const event = state === 'DECLINED' ? 'pullrequest:rejected' : 'pullrequest:updated';
					const deliveries = await emit(repo, event, pullEvent(repo, store, pull, model.viewer));
					return { pullrequest: pullJson(base(), model, repo, store, pull, true), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/repositories/:workspace/:slug/pullrequests/:id/comments',
			handle: (params, body) => {
				const repo = repoOf(params);
				const text = str(body, 'body');
				if (!text) throw new ControlError(400, 'Give "body".');
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A comment needs an author from the World.');
				const authorIndex = author.index;
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					const record = store.addComment(before.number, { user: authorIndex, body: text });
					const pull = store.facts(before.number);
					const comment: BitbucketComment = bitbucketComments(store, pull.number).find((c) => c.id === record.id)!;
					const json = commentJson(base(), model, repo, pull, comment);
					const deliveries = await emit(repo, 'pullrequest:comment_created', pullEvent(repo, store, pull, author, { comment: json }));
					return { comment: json, deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/bitbucket-cloud/repositories/:workspace/:slug/pullrequests/:id/approve',
			handle: (params, body) => {
				const repo = repoOf(params);
				const user = userOf(body);
				if (user.index === null) throw new ControlError(400, 'An approval needs a user from the World.');
				const userIndex = user.index;
				const changesRequested = body.state === 'CHANGES_REQUESTED';
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					const review = store.addReview(before.number, { user: userIndex, state: changesRequested ? 'CHANGES_REQUESTED' : 'APPROVED', body: '' });
					const pull = store.facts(before.number);
					const entry = { date: iso(review.submitted), user: accountJson(base(), user), pullrequest: { type: 'pullrequest', id: pull.number, title: pull.title } };
					const event = changesRequested ? 'pullrequest:changes_request_created' : 'pullrequest:approved';
					const deliveries = await emit(repo, event, pullEvent(repo, store, pull, user, changesRequested ? { changes_request: entry } : { approval: entry }));
					return { [changesRequested ? 'changes_request' : 'approval']: entry, deliveries };
				});
			}
		}
	];
}
