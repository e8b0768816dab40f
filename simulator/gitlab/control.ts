// The GitLab side of the control API (`/_simulator/gitlab/…`): project hooks and their
// deliveries, pushes, merge requests and notes made through GitLab's eyes (real commits, the same
// pull stores GitHub reads), and the truth about what the GitLab API shows.
import { ControlError, int, str, strings, type Body, type ControlRoute } from '../shared/control.ts';
import { checkRefName, type Pushed, type RepoChanges } from '../shared/repo-changes.ts';
import { time } from './http.ts';
import { mergeRequestJson, mergeRequestState } from './merge-requests.ts';
import { commentNote, countNotes, noteJson } from './notes.ts';
import { mergeRequestEvent, noteEvent, pushEvent, STATE_IDS, tagPushEvent, type MergeRequestAction } from './webhook-payloads.ts';
import { GITLAB_EVENTS, type GitLabDelivery, type GitLabEvent, type GitLabWebhooks } from './webhooks.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { PullStore } from '../github/pull-store.ts';
import type { GitLabModel, GitLabUser, Project } from './model.ts';
import type { MergeRequestEvent } from './types.ts';

export interface GitLabControlContext {
	model: GitLabModel;
	counters: RequestCounters;
	webhooks: GitLabWebhooks;
	changes: RepoChanges;
	/** The GitLab host webhook payloads and control answers point at: on the plain HTTP origin. */
	host: () => string;
}

export interface GitLabProjectStats {
	project: string;
	id: number;
	archived: boolean;
	mergeRequests: number;
	opened: number;
	closed: number;
	merged: number;
	drafts: number;
	diffNotes: number;
	/** Notes neither on the diff nor made by the system: conversation comments and commenting reviews. */
	notes: number;
	/** System notes of approving reviews. */
	approvals: number;
	changesRequested: number;
}

export function gitlabControlRoutes(context: GitLabControlContext): ControlRoute[] {
	const { model, counters, webhooks, changes } = context;

	const projectOf = (params: Record<string, string>): Project => {
		const project = model.project(params.path ?? '');
		if (!project) throw new ControlError(404, `No project ${params.path}.`);
		return project;
	};
	const userOf = (body: Body): GitLabUser => {
		const name = str(body, 'user');
		if (!name) return model.viewer;
		const user = model.userByRef(name);
		if (!user) throw new ControlError(400, `No user ${name}.`);
		return user;
	};
	const mergeRequestOf = (store: PullStore, params: Record<string, string>) => {
		const iid = Number(params.iid);
		if (!store.has(iid)) throw new ControlError(404, `No merge request !${params.iid}.`);
		return store.facts(iid);
	};
	const deliverPush = (project: Project, push: Pushed, user: GitLabUser) => webhooks.emit(project, 'push', pushEvent(context.host(), project, push, user));

	return [
		{
			method: 'GET',
			path: '/_simulator/gitlab/stats',
			handle: async () => {
				const projects: GitLabProjectStats[] = await Promise.all(
					model.projects.map(async (project) => {
						const store = await model.world.pulls(project.repo);
						const counts = store.counts();
						return {
							project: project.pathWithNamespace,
							id: project.id,
							archived: project.repo.archived,
							mergeRequests: counts.pullRequests,
							opened: counts.open,
							closed: counts.closed,
							merged: counts.merged,
							drafts: counts.drafts,
							...countNotes(store)
						};
					})
				);
				return { groups: model.groups.map((group) => group.fullPath), projects, requests: counters };
			}
		},
		{ method: 'GET', path: '/_simulator/gitlab/hooks', handle: () => webhooks.hooks() },
		{
			method: 'POST',
			path: '/_simulator/gitlab/hooks',
			handle: (_params, body) => {
				const url = str(body, 'url');
				const path = str(body, 'project');
				if (!url || !path) throw new ControlError(400, 'Give "project" and "url".');
				const events = strings(body, 'events');
				const unknown = events?.find((event) => !GITLAB_EVENTS.includes(event as GitLabEvent));
				if (unknown) throw new ControlError(400, `No event ${unknown}: one of ${GITLAB_EVENTS.join(', ')}.`);
				return webhooks.register(projectOf({ path }), { url, token: str(body, 'token'), events: events as GitLabEvent[] | undefined });
			}
		},
		{ method: 'GET', path: '/_simulator/gitlab/deliveries', handle: (_params, _body, query) => webhooks.deliveries(query.has('hookId') ? Number(query.get('hookId')) : undefined) },
		{
			method: 'POST',
			path: '/_simulator/gitlab/deliveries/:id/redeliver',
			handle: async (params) => {
				const delivery = await webhooks.redeliver(Number(params.id));
				if (!delivery) throw new ControlError(404, `No delivery ${params.id}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/gitlab/projects/:path+/push',
			handle: (params, body) => {
				const project = projectOf(params);
				const branch = checkRefName(str(body, 'branch') ?? 'main');
				const tag = str(body, 'tag');
				const commits = int(body, 'commits', 0) ?? 1;
				if (commits === 0 && tag === undefined) throw new ControlError(400, 'Push at least one commit, or a tag.');
				const user = model.viewer;
				return changes.locked(project.repo, async () => {
					const ref = `refs/heads/${branch}`;
					const deliveries: GitLabDelivery[] = [];
					let push: Pushed | null = null;
					if (commits > 0) {
						push = await changes.push(project.repo, ref, commits, branch === 'main' ? undefined : 'refs/heads/main');
						deliveries.push(...(await deliverPush(project, push, user)));
					}
					let tagged: Pushed | null = null;
					if (tag !== undefined) {
						tagged = await changes.tag(project.repo, tag, ref);
						deliveries.push(...(await webhooks.emit(project, 'tag_push', tagPushEvent(context.host(), project, tagged, user))));
					}
					return {
						before: push?.before ?? null,
						after: push?.after ?? tagged!.after,
						commits: push?.commits ?? [],
						tag: tagged ? { ref: tagged.ref, sha: tagged.after } : null,
						deliveries
					};
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/gitlab/projects/:path+/merge_requests',
			handle: (params, body) => {
				const project = projectOf(params);
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A merge request needs an author from the World.');
				const worldAuthor = model.world.users[author.index]!;
				return changes.locked(project.repo, async () => {
					const store = await model.world.pulls(project.repo);
					const input = { title: str(body, 'title'), body: str(body, 'description') ?? null, author: worldAuthor, draft: body.draft === true, commits: int(body, 'commits', 1) ?? 1 };
					const { pull, pushed: head } = await changes.openPull(project.repo, store, input);
					const deliveries = [
						...(await deliverPush(project, head, author)),
						...(await webhooks.emit(project, 'merge_requests', mergeRequestEvent(context.host(), model, project, store, pull, 'open', author, {})))
					];
					return { merge_request: mergeRequestJson(context.host(), model, project, store, pull), deliveries };
				});
			}
		},
		{
			method: 'PATCH',
			path: '/_simulator/gitlab/projects/:path+/merge_requests/:iid',
			handle: (params, body) => {
				const project = projectOf(params);
				const stateEvent = str(body, 'state_event');
				if (stateEvent !== undefined && stateEvent !== 'close' && stateEvent !== 'reopen') throw new ControlError(400, '"state_event" must be close or reopen.');
				const title = str(body, 'title');
				const description = str(body, 'description');
				return changes.locked(project.repo, async () => {
					const store = await model.world.pulls(project.repo);
					const before = mergeRequestOf(store, params);
					if (stateEvent === 'close' && before.state !== 'open') throw new ControlError(422, `!${before.number} is ${mergeRequestState(before)}, not opened.`);
					if (stateEvent === 'reopen' && before.state !== 'closed') throw new ControlError(422, `!${before.number} is ${mergeRequestState(before)}, not closed.`);
					const pull = store.update(before.number, {
						...(title === undefined ? {} : { title }),
						...(description === undefined ? {} : { body: description }),
						...(stateEvent === undefined ? {} : { state: stateEvent === 'close' ? ('closed' as const) : ('open' as const) })
					});
					const action: MergeRequestAction = stateEvent ?? 'update';
					// GitLab lists only what changed.
					const changed: MergeRequestEvent['changes'] = {
						updated_at: { previous: time(before.updated), current: time(pull.updated) },
						...(pull.title !== before.title ? { title: { previous: before.title, current: pull.title } } : {}),
						...(pull.body !== before.body ? { description: { previous: before.body, current: pull.body } } : {}),
						...(pull.state !== before.state ? { state_id: { previous: STATE_IDS[mergeRequestState(before)], current: STATE_IDS[mergeRequestState(pull)] } } : {})
					};
					const user = model.viewer;
					const deliveries = await webhooks.emit(project, 'merge_requests', mergeRequestEvent(context.host(), model, project, store, pull, action, user, changed));
					return { merge_request: mergeRequestJson(context.host(), model, project, store, pull), deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/gitlab/projects/:path+/merge_requests/:iid/notes',
			handle: (params, body) => {
				const project = projectOf(params);
				const text = str(body, 'body');
				if (!text) throw new ControlError(400, 'Give "body".');
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A note needs an author from the World.');
				const authorIndex = author.index;
				return changes.locked(project.repo, async () => {
					const store = await model.world.pulls(project.repo);
					const before = mergeRequestOf(store, params);
					const comment = store.addComment(before.number, { user: authorIndex, body: text });
					const pull = store.facts(before.number);
					const deliveries = await webhooks.emit(project, 'note', noteEvent(context.host(), model, project, store, pull, comment, author));
					return { note: noteJson(context.host(), model, project, store, pull.number, commentNote(comment)), deliveries };
				});
			}
		}
	];
}
