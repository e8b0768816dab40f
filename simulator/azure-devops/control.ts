// The Azure DevOps side of the control API (`/_simulator/azure-devops/…`): service hook
// subscriptions and deliveries, changes to the World's repositories (the same pull stores GitHub
// and GitLab read), work item changes (boards-control.ts), and the truth about what the Azure
// DevOps API shows.
import { ControlError, int, str, type Body, type ControlRoute } from '../shared/control.ts';
import { checkRefName, type Pushed, type RepoChanges } from '../shared/repo-changes.ts';
import { countThreads, identityRef, orgUrl, pullRequestJson, repositoryJson, statusOf, threadsJson, time } from './json.ts';
import { boardsControlRoutes } from './boards-control.ts';
import { AZURE_EVENT_TYPES, WORK_ITEM_EVENT_TYPES, azureEvent, type AzureDelivery, type AzureEventType, type AzureServiceHooks } from './service-hooks.ts';
import type { RequestCounters } from '../shared/counters.ts';
import type { PullFacts, PullStore, ReviewState } from '../github/pull-store.ts';
import type { AzureIdentity, AzureModel, AzureRepository } from './model.ts';

export interface AzureControlContext {
	model: AzureModel;
	counters: RequestCounters;
	hooks: AzureServiceHooks;
	changes: RepoChanges;
	/** Where event payloads and control answers point: the plain HTTP origin. */
	origin: () => string;
}

export interface AzureRepositoryStats {
	/** `{organization}/{project}/{repository}`. */
	repository: string;
	id: string;
	disabled: boolean;
	pullRequests: number;
	active: number;
	completed: number;
	abandoned: number;
	drafts: number;
	/** Reviewers whose vote is 10 or 5, over every pull request. */
	approvals: number;
	/** Reviewers whose vote is -5. */
	waitingForAuthor: number;
	rejections: number;
	/** Threads on a file (review comments). */
	reviewThreads: number;
	/** Text threads without a file (conversation comments, commenting reviews with words). */
	commentThreads: number;
}

const VOTES = [10, 5, 0, -5, -10];
const VOTE_WORDS: Record<number, string> = { 10: 'approved', 5: 'approved with suggestions', 0: 'reset their vote on', [-5]: 'is waiting for the author on', [-10]: 'rejected' };

export function azureControlRoutes(context: AzureControlContext): ControlRoute[] {
	const { model, counters, hooks, changes } = context;

	const repositoryOf = (params: Record<string, string>): AzureRepository => {
		const organization = model.organization(params.org ?? '');
		const project = organization && model.project(organization, params.project ?? '');
		const repository = organization && project && model.repository(organization, project, params.repo ?? '');
		if (!repository) throw new ControlError(404, `No repository ${params.org}/${params.project}/${params.repo}.`);
		return repository;
	};
	const userOf = (body: Body): AzureIdentity => {
		const name = str(body, 'user');
		if (!name) return model.viewer;
		const identity = model.identityByRef(name);
		if (!identity) throw new ControlError(400, `No user ${name}.`);
		return identity;
	};
	const pullOf = (store: PullStore, params: Record<string, string>): PullFacts => {
		const number = Number(params.number);
		if (!store.has(number)) throw new ControlError(404, `No pull request ${params.number}.`);
		return store.facts(number);
	};
	const describe = (repository: AzureRepository, pull: PullFacts) => `pull request ${pull.number} (${pull.title}) in ${repository.name}`;

	function pushEvent(repository: AzureRepository, push: Pushed, by: AzureIdentity) {
		const origin = context.origin();
		const base = orgUrl(origin, repository.project.organization);
		const repoUrl = `${base}/${repository.project.id}/_apis/git/repositories/${repository.id}`;
		const branch = push.ref.replace(/^refs\/heads\//, '');
		const resource = {
			commits: push.commits.map((c) => ({
				commitId: c.sha,
				author: { name: c.author.name, email: c.author.email, date: c.timestamp },
				committer: { name: c.author.name, email: c.author.email, date: c.timestamp },
				comment: c.message,
				url: `${repoUrl}/commits/${c.sha}`
			})),
			refUpdates: [{ name: push.ref, oldObjectId: push.before ?? '0'.repeat(40), newObjectId: push.after }],
			repository: repositoryJson(origin, repository),
			pushedBy: identityRef(base, by),
			pushId: Date.now() % 1_000_000,
			date: time(Date.now()),
			url: `${repoUrl}/pushes`
		};
		const message = `${by.displayName} pushed updates to ${repository.name}:${branch}.`;
		return hooks.emit(repository, azureEvent(origin, repository.project, 'git.push', message, `${message}\r\n${push.commits.map((c) => `* ${c.message.split('\n')[0]} ${c.sha.slice(0, 8)}`).join('\r\n')}`, resource));
	}

	function pullEvent(repository: AzureRepository, store: PullStore, pull: PullFacts, eventType: AzureEventType, message: string) {
		const resource = pullRequestJson(context.origin(), model, repository, store, pull);
		return hooks.emit(repository, azureEvent(context.origin(), repository.project, eventType, message, `${message}\r\n\r\n- Status: ${resource.status}\r\n- Merge status: ${resource.mergeStatus}`, resource));
	}

	const answer = (repository: AzureRepository, store: PullStore, pull: PullFacts, deliveries: AzureDelivery[]) => ({
		pullRequest: pullRequestJson(context.origin(), model, repository, store, pull),
		deliveries
	});

	return [
		{
			method: 'GET',
			path: '/_simulator/azure-devops/stats',
			handle: async () => {
				const repositories: AzureRepositoryStats[] = await Promise.all(
					model.repositories.map(async (repository) => {
						const store = await model.world.pulls(repository.repo);
						const counts = store.counts();
						return {
							repository: `${repository.project.organization.name}/${repository.project.name}/${repository.name}`,
							id: repository.id,
							disabled: repository.repo.archived,
							pullRequests: counts.pullRequests,
							active: counts.open,
							completed: counts.merged,
							abandoned: counts.closed,
							drafts: counts.drafts,
							...countThreads(model, store)
						};
					})
				);
				return {
					organizations: model.organizations.map((o) => o.name),
					projects: model.projects.map((p) => `${p.organization.name}/${p.name}`),
					repositories,
					workItems: model.boards.stats(),
					wiqlLimit: model.boards.wiqlLimit,
					requests: counters
				};
			}
		},
		{ method: 'GET', path: '/_simulator/azure-devops/subscriptions', handle: () => hooks.subscriptions() },
		{
			method: 'POST',
			path: '/_simulator/azure-devops/subscriptions',
			handle: (_params, body) => {
				const url = str(body, 'url');
				const projectRef = str(body, 'project');
				const eventType = str(body, 'eventType');
				if (!url || !projectRef || !eventType) throw new ControlError(400, 'Give "project" ({organization}/{project}), "url" and "eventType".');
				if (!AZURE_EVENT_TYPES.includes(eventType as AzureEventType)) throw new ControlError(400, `No event type ${eventType}: one of ${AZURE_EVENT_TYPES.join(', ')}.`);
				const slash = projectRef.indexOf('/');
				const organization = model.organization(projectRef.slice(0, Math.max(0, slash)));
				const project = organization && model.project(organization, projectRef.slice(slash + 1));
				if (!project) throw new ControlError(404, `No project ${projectRef}.`);
				const repository = str(body, 'repository');
				if (repository !== undefined && WORK_ITEM_EVENT_TYPES.includes(eventType as AzureEventType)) throw new ControlError(400, 'Work item events are per project: leave out "repository".');
				if (repository !== undefined && !project.repositories.some((r) => r.name.toLowerCase() === repository.toLowerCase())) throw new ControlError(404, `No repository ${repository} in ${projectRef}.`);
				return hooks.subscribe(project, { url, eventType: eventType as AzureEventType, repository, username: str(body, 'username'), password: str(body, 'password') });
			}
		},
		{ method: 'GET', path: '/_simulator/azure-devops/deliveries', handle: (_params, _body, query) => hooks.deliveries(query.get('subscriptionId') ?? undefined) },
		{
			method: 'POST',
			path: '/_simulator/azure-devops/deliveries/:number/redeliver',
			handle: async (params) => {
				const delivery = await hooks.redeliver(Number(params.number));
				if (!delivery) throw new ControlError(404, `No delivery ${params.number}.`);
				return delivery;
			}
		},
		{
			method: 'POST',
			path: '/_simulator/azure-devops/repositories/:org/:project/:repo/push',
			handle: (params, body) => {
				const repository = repositoryOf(params);
				const branch = checkRefName(str(body, 'branch') ?? 'main');
				const commits = int(body, 'commits', 1) ?? 1;
				const by = model.viewer;
				return changes.locked(repository.repo, async () => {
					const push = await changes.push(repository.repo, `refs/heads/${branch}`, commits, branch === 'main' ? undefined : 'refs/heads/main');
					const deliveries = await pushEvent(repository, push, by);
					return { before: push.before, after: push.after, commits: push.commits, deliveries };
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/azure-devops/repositories/:org/:project/:repo/pullrequests',
			handle: (params, body) => {
				const repository = repositoryOf(params);
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A pull request needs an author from the World.');
				const worldAuthor = model.world.users[author.index]!;
				return changes.locked(repository.repo, async () => {
					const store = await model.world.pulls(repository.repo);
					const input = { title: str(body, 'title'), body: str(body, 'description') ?? null, author: worldAuthor, draft: body.draft === true, commits: int(body, 'commits', 1) ?? 1 };
					const { pull, pushed } = await changes.openPull(repository.repo, store, input);
					const deliveries = [
						...(await pushEvent(repository, pushed, author)),
						...(await pullEvent(repository, store, pull, 'git.pullrequest.created', `${author.displayName} created ${describe(repository, pull)}`))
					];
					return answer(repository, store, pull, deliveries);
				});
			}
		},
		{
			method: 'PATCH',
			path: '/_simulator/azure-devops/repositories/:org/:project/:repo/pullrequests/:number',
			handle: (params, body) => {
				const repository = repositoryOf(params);
				const status = str(body, 'status');
				if (status !== undefined && status !== 'active' && status !== 'abandoned' && status !== 'completed') throw new ControlError(400, '"status" must be active, abandoned or completed.');
				const title = str(body, 'title');
				const description = str(body, 'description');
				const by = userOf(body);
				return changes.locked(repository.repo, async () => {
					const store = await model.world.pulls(repository.repo);
					const before = pullOf(store, params);
					const was = statusOf(before);
					if (status === 'abandoned' && was !== 'active') throw new ControlError(409, `Pull request ${before.number} is ${was}, not active.`);
					if (status === 'active' && was !== 'abandoned') throw new ControlError(409, `Pull request ${before.number} is ${was}, not abandoned.`);
					if (status === 'completed' && was !== 'active') throw new ControlError(409, `Pull request ${before.number} is ${was}, not active.`);
					const deliveries: AzureDelivery[] = [];
					const edits = { ...(title === undefined ? {} : { title }), ...(description === undefined ? {} : { body: description }), ...(typeof body.draft === 'boolean' ? { draft: body.draft } : {}) };
					let pull: PullFacts;
					let verb = 'updated';
					if (status === 'completed') {
						// Completing merges: a real commit on main.
						const merge = await changes.push(repository.repo, 'refs/heads/main', 1);
						pull = store.update(before.number, { ...edits, state: 'merged', mergeSha: merge.after, mergedBy: by.index });
						deliveries.push(...(await pullEvent(repository, store, pull, 'git.pullrequest.merged', `${by.displayName} has created a pull request merge commit for ${describe(repository, pull)}`)));
						deliveries.push(...(await pushEvent(repository, merge, by)));
						verb = 'completed';
					} else {
						pull = store.update(before.number, { ...edits, ...(status === undefined ? {} : { state: status === 'abandoned' ? ('closed' as const) : ('open' as const) }) });
						if (status === 'abandoned') verb = 'abandoned';
						if (status === 'active') verb = 'reactivated';
					}
					deliveries.push(...(await pullEvent(repository, store, pull, 'git.pullrequest.updated', `${by.displayName} ${verb} ${describe(repository, pull)}`)));
					return answer(repository, store, pull, deliveries);
				});
			}
		},
		{
			method: 'POST',
			path: '/_simulator/azure-devops/repositories/:org/:project/:repo/pullrequests/:number/comments',
			handle: (params, body) => {
				const repository = repositoryOf(params);
				const content = str(body, 'body');
				if (!content) throw new ControlError(400, 'Give "body".');
				const author = userOf(body);
				if (author.index === null) throw new ControlError(400, 'A comment needs an author from the World.');
				const authorIndex = author.index;
				return changes.locked(repository.repo, async () => {
					const store = await model.world.pulls(repository.repo);
					const before = pullOf(store, params);
					store.addComment(before.number, { user: authorIndex, body: content });
					const pull = store.facts(before.number);
					const origin = context.origin();
					const thread = threadsJson(origin, model, repository, store, pull.number).findLast((t) => t.threadContext === null && t.comments[0]?.content === content)!;
					const comment = thread.comments[0]!;
					const resource = { comment, pullRequest: pullRequestJson(origin, model, repository, store, pull) };
					const message = `${author.displayName} has commented on ${describe(repository, pull)}`;
					const deliveries = await hooks.emit(repository, azureEvent(origin, repository.project, 'ms.vss-code.git-pullrequest-comment-event', message, `${message}\r\n${content}`, resource));
					return { thread, comment, deliveries };
				});
			}
		},
		...boardsControlRoutes({ model, hooks, origin: context.origin }),
		{
			method: 'POST',
			path: '/_simulator/azure-devops/repositories/:org/:project/:repo/pullrequests/:number/votes',
			handle: (params, body) => {
				const repository = repositoryOf(params);
				const vote = body.vote;
				if (typeof vote !== 'number' || !VOTES.includes(vote)) throw new ControlError(400, `"vote" must be one of ${VOTES.join(', ')}.`);
				const voter = userOf(body);
				if (voter.index === null) throw new ControlError(400, 'A vote needs a voter from the World.');
				const voterIndex = voter.index;
				return changes.locked(repository.repo, async () => {
					const store = await model.world.pulls(repository.repo);
					const before = pullOf(store, params);
					const state: ReviewState = vote > 0 ? 'APPROVED' : vote < 0 ? 'CHANGES_REQUESTED' : 'COMMENTED';
					const review = store.addReview(before.number, { user: voterIndex, state, body: '' });
					model.votes.set(review.id, vote);
					const pull = store.facts(before.number);
					const deliveries = await pullEvent(repository, store, pull, 'git.pullrequest.updated', `${voter.displayName} ${VOTE_WORDS[vote]} ${describe(repository, pull)}`);
					return answer(repository, store, pull, deliveries);
				});
			}
		}
	];
}
