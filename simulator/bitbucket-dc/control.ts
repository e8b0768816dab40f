// The Bitbucket Data Center side of the control API (`/_simulator/bitbucket-dc/…`): repository
// webhooks and their deliveries (and the test button's `diagnostics:ping`), pushes, pull
// requests, comments and approvals through Data Center's eyes (real commits, the World's pull
// stores), and the counts the Data Center API shows.
import { randomUUID } from 'node:crypto';
import { ControlError, int, str, strings, type Body, type ControlRoute } from '../shared/control.ts';
import { bitbucketComments, bitbucketCounts, SignedWebhooks, type SignedDelivery } from '../shared/bitbucket.ts';
import { checkRefName, type Pushed, type RepoChanges } from '../shared/repo-changes.ts';
import { commentJson, pullJson, repositoryJson, userJson, type Json } from './json.ts';
import { DC_PREFIX, type DcModel, type DcRepo, type DcUser } from './model.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { PullFacts, PullStore } from '../github/pull-store.ts';

export const DC_EVENTS = [
	'repo:refs_changed',
	'pr:opened',
	'pr:modified',
	'pr:from_ref_updated',
	'pr:reviewer:approved',
	'pr:reviewer:needs_work',
	'pr:merged',
	'pr:declined',
	'pr:deleted',
	'pr:comment:added',
	'pr:comment:deleted',
	'diagnostics:ping'
] as const;

export interface DcRepositoryStats {
	/** `KEY/slug`. */
	repository: string;
	pullRequests: number;
	open: number;
	merged: number;
	declined: number;
	drafts: number;
	/** APPROVED activities. */
	approvals: number;
	/** REVIEWED (needs work) activities. */
	needsWork: number;
	/** Comments with a `commentAnchor` (replies nested in them included). */
	inlineComments: number;
	/** Comments without an anchor. */
	comments: number;
}

export interface DcControlContext {
	model: DcModel;
	counters: RequestCounters;
	changes: RepoChanges;
	log: (event: string, fields: object) => void;
	origin: () => string;
}

/** Data Center's `date`: `2017-09-19T09:45:32+0000`. */
export function dcDate(ms = Date.now()): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

export function dcWebhooks(log: (event: string, fields: object) => void): SignedWebhooks {
	return new SignedWebhooks(
		'bitbucket-dc',
		(_hook, event, requestId) => ({ 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Bitbucket version: 8.19.4, Post webhook plugin', 'x-event-key': event, 'x-request-id': requestId }),
		log
	);
}

export function dcControlRoutes(context: DcControlContext, webhooks: SignedWebhooks = dcWebhooks(context.log)): ControlRoute[] {
	const { model, counters, changes } = context;
	const base = () => `${context.origin()}${DC_PREFIX}`;
	const fullName = (repo: DcRepo) => `${repo.project.key}/${repo.slug}`;
	const repoOf = (params: Record<string, string>): DcRepo => {
		const repo = model.repository(params.key ?? '', params.slug ?? '');
		if (!repo) throw new ControlError(404, `No repository ${params.key}/${params.slug}.`);
		return repo;
	};
	const userOf = (body: Body): DcUser => {
		const name = str(body, 'user');
		if (!name) return model.viewer;
		const user = model.userBySlug(name);
		if (!user || user.index === null) throw new ControlError(400, `No user ${name}.`);
		return user;
	};
	const pullOf = (store: PullStore, params: Record<string, string>) => {
		const id = Number(params.id);
		if (!store.has(id)) throw new ControlError(404, `No pull request #${params.id}.`);
		return store.facts(id);
	};
	const pullEvent = (repo: DcRepo, store: PullStore, pull: PullFacts, eventKey: string, actor: DcUser, extra: Json = {}): Json => ({
		eventKey,
		date: dcDate(),
		actor: userJson(base(), actor),
		pullRequest: pullJson(base(), model, repo, store, pull),
		...extra
	});
	const refsChanged = (repo: DcRepo, push: Pushed, actor: DcUser): Json => {
		const branch = push.ref.replace(/^refs\/heads\//, '');
		return {
			eventKey: 'repo:refs_changed',
			date: dcDate(),
			actor: userJson(base(), actor),
			repository: repositoryJson(base(), repo),
			changes: [{ ref: { id: push.ref, displayId: branch, type: 'BRANCH' }, refId: push.ref, fromHash: push.before ?? '0000000000000000000000000000000000000000', toHash: push.after, type: push.before ? 'UPDATE' : 'ADD' }]
		};
	};
	const emit = (repo: DcRepo, event: string, payload: Json) => webhooks.emit(fullName(repo), event, payload);
	const prefix = '/_simulator/bitbucket-dc/projects/:key/repos/:slug';

	return [
		{
			method: 'GET',
			path: '/_simulator/bitbucket-dc/stats',
			handle: async () => {
				const repositories: DcRepositoryStats[] = await Promise.all(
					model.repos.map(async (repo) => {
						const { changesRequested, ...counts } = bitbucketCounts(await model.world.pulls(repo.repo));
						return { repository: fullName(repo), ...counts, needsWork: changesRequested };
					})
				);
				return { projects: model.projects.map((p) => p.key), repositories, requests: counters };
			}
		},
		{ method: 'GET', path: '/_simulator/bitbucket-dc/hooks', handle: () => webhooks.hooks() },
		{
			method: 'POST',
			path: '/_simulator/bitbucket-dc/hooks',
			handle: (_params, body) => {
				const url = str(body, 'url');
				const repository = str(body, 'repository');
				if (!url || !repository) throw new ControlError(400, 'Give "repository" (KEY/slug) and "url".');
				const [key = '', slug = ''] = repository.split('/');
				const repo = repoOf({ key, slug });
				const events = strings(body, 'events');
				const unknown = events?.find((event) => !(DC_EVENTS as readonly string[]).includes(event));
				if (unknown) throw new ControlError(400, `No event ${unknown}: one of ${DC_EVENTS.join(', ')}.`);
				return webhooks.register({ repository: fullName(repo), url, secret: str(body, 'secret'), events }, randomUUID());
			}
		},
		{
			method: 'POST',
			path: '/_simulator/bitbucket-dc/hooks/:id/ping',
			handle: async (params) => {
				const delivery = webhooks.emitTo(Number(params.id), 'diagnostics:ping', { test: true });
				if (!delivery) throw new ControlError(404, `No hook ${params.id}.`);
				return delivery;
			}
		},
		{ method: 'GET', path: '/_simulator/bitbucket-dc/deliveries', handle: (_params, _body, query) => webhooks.deliveries(query.has('hookId') ? Number(query.get('hookId')) : undefined) },
		{
			method: 'POST',
			path: '/_simulator/bitbucket-dc/deliveries/:id/redeliver',
			handle: async (params) => {
				const delivery = await webhooks.redeliver(Number(params.id));
				if (!delivery) throw new ControlError(404, `No delivery ${params.id}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: `${prefix}/push`,
			handle: (params, body) => {
				const repo = repoOf(params);
				const branch = checkRefName(str(body, 'branch') ?? 'main');
				const commits = int(body, 'commits', 1) ?? 1;
				return changes.locked(repo.repo, async () => {
					const push = await changes.push(repo.repo, `refs/heads/${branch}`, commits, branch === 'main' ? undefined : 'refs/heads/main');
					const deliveries = await emit(repo, 'repo:refs_changed', refsChanged(repo, push, model.viewer));
					return { before: push.before, after: push.after, commits: push.commits, deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: `${prefix}/pull-requests`,
			handle: (params, body) => {
				const repo = repoOf(params);
				const author = userOf(body);
				const worldAuthor = model.world.users[author.index!]!;
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const input = { title: str(body, 'title'), body: str(body, 'description') ?? null, author: worldAuthor, draft: body.draft === true, commits: int(body, 'commits', 1) ?? 1 };
					const { pull, pushed } = await changes.openPull(repo.repo, store, input);
					const deliveries: SignedDelivery[] = [...(await emit(repo, 'repo:refs_changed', refsChanged(repo, pushed, author))), ...(await emit(repo, 'pr:opened', pullEvent(repo, store, pull, 'pr:opened', author)))];
					return { pullRequest: pullJson(base(), model, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'PATCH',
			path: `${prefix}/pull-requests/:id`,
			handle: (params, body) => {
				const repo = repoOf(params);
				const state = str(body, 'state');
				if (state !== undefined && state !== 'DECLINED' && state !== 'OPEN') throw new ControlError(400, '"state" must be DECLINED or OPEN.');
				const title = str(body, 'title');
				const description = str(body, 'description');
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					if (state === 'DECLINED' && before.state !== 'open') throw new ControlError(409, `#${before.number} is not open.`);
					if (state === 'OPEN' && before.state !== 'closed') throw new ControlError(409, `#${before.number} is not declined.`);
					const pull = store.update(before.number, {
						...(title === undefined ? {} : { title }),
						...(description === undefined ? {} : { body: description }),
						...(state === undefined ? {} : { state: state === 'DECLINED' ? ('closed' as const) : ('open' as const) })
					});
					const event = state === 'DECLINED' ? 'pr:declined' : state === 'OPEN' ? 'pr:opened' : 'pr:modified';
					const extra: Json = event === 'pr:modified' ? { previousTitle: before.title, previousDescription: before.body ?? '', previousTarget: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH', latestCommit: before.baseSha } } : {};
					const deliveries = await emit(repo, event, pullEvent(repo, store, pull, event, model.viewer, extra));
					return { pullRequest: pullJson(base(), model, repo, store, pull), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: `${prefix}/pull-requests/:id/comments`,
			handle: (params, body) => {
				const repo = repoOf(params);
				const text = str(body, 'body') ?? str(body, 'text');
				if (!text) throw new ControlError(400, 'Give "body".');
				const author = userOf(body);
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					const record = store.addComment(before.number, { user: author.index!, body: text });
					const pull = store.facts(before.number);
					const comment = commentJson(base(), model, repo, bitbucketComments(store, pull.number).find((c) => c.id === record.id)!, []);
					const deliveries = await emit(repo, 'pr:comment:added', pullEvent(repo, store, pull, 'pr:comment:added', author, { comment, commentParentId: null }));
					return { comment, deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: `${prefix}/pull-requests/:id/approve`,
			handle: (params, body) => {
				const repo = repoOf(params);
				const user = userOf(body);
				const needsWork = body.status === 'NEEDS_WORK';
				return changes.locked(repo.repo, async () => {
					const store = await model.world.pulls(repo.repo);
					const before = pullOf(store, params);
					store.addReview(before.number, { user: user.index!, state: needsWork ? 'CHANGES_REQUESTED' : 'APPROVED', body: '' });
					const pull = store.facts(before.number);
					const participant = { user: userJson(base(), user), role: 'REVIEWER', approved: !needsWork, status: needsWork ? 'NEEDS_WORK' : 'APPROVED' };
					const event = needsWork ? 'pr:reviewer:needs_work' : 'pr:reviewer:approved';
					const deliveries = await emit(repo, event, pullEvent(repo, store, pull, event, user, { participant, previousStatus: 'UNAPPROVED' }));
					return { participant, deliveries };
				});
			}
		}
	];
}
