// The REST routes (GET; paths after `/azure-devops/{organization}`): connectionData, the resource
// locations the field client discovers, projects, repositories, pull requests and their threads;
// Azure Boards' in boards-routes.ts.
import { badParameter, integerParam, projectNotFound, pullRequestNotFound, repositoryNotFound, route, timeParam, type AzureRequest, type AzureRoute } from './http.ts';
import { boardsRoutes } from './boards-routes.ts';
import { orgUrl, projectJson, pullRequestJson, repositoryJson, statusOf, threadsJson } from './json.ts';
import { guid, type AzureIdentity, type AzureProject, type AzureRepository } from './model.ts';
import type { AzConnectionData, AzConnectionIdentity, AzList } from './types.ts';

export const LATEST_VERSION = '7.1';

/** What `OPTIONS {org}/_apis/{area}` lists: the field client builds its URLs from these. */
const LOCATIONS = [
	{ id: '00d9565f-ed9c-4a06-9a50-00e7896ccab4', area: 'Location', resourceName: 'ConnectionData', routeTemplate: '_apis/{resource}' },
	{ id: 'e81700f7-3be2-46de-8624-2eb35882fcaa', area: 'Location', resourceName: 'ResourceAreas', routeTemplate: '_apis/{resource}/{areaId}' },
	{ id: '603fe2ac-9723-48b9-88ad-09305aa6c6e1', area: 'core', resourceName: 'projects', routeTemplate: '_apis/{resource}/{*projectId}' },
	{ id: '225f7195-f9c7-4d14-ab28-a83f7ff77e1f', area: 'git', resourceName: 'repositories', routeTemplate: '{project}/_apis/{area}/{resource}/{repositoryId}' },
	{ id: '9946fd70-0d40-406e-b686-b4744cbbcc37', area: 'git', resourceName: 'pullRequests', routeTemplate: '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}' },
	{ id: 'ab6e2e5d-a0b7-4153-b64a-a4efe0d49449', area: 'git', resourceName: 'threads', routeTemplate: '{project}/_apis/{area}/repositories/{repositoryId}/pullRequests/{pullRequestId}/{resource}/{threadId}' },
	{ id: '7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa', area: 'wit', resourceName: 'workItemTypes', routeTemplate: '{project}/_apis/{area}/{resource}/{type}' },
	{ id: '7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa', area: 'wit', resourceName: 'states', routeTemplate: '{project}/_apis/{area}/workitemtypes/{type}/{resource}' },
	{ id: '1a9c53f7-f243-4447-b110-35ef023636e4', area: 'wit', resourceName: 'wiql', routeTemplate: '{project}/{team}/_apis/{area}/{resource}/{id}' },
	{ id: '908509b6-4248-4475-a1cd-829139ba419f', area: 'wit', resourceName: 'workItemsBatch', routeTemplate: '{project}/_apis/{area}/{resource}' },
	{ id: '72c7ddf8-2cdc-4f60-90cd-ab71c14a399b', area: 'wit', resourceName: 'workItems', routeTemplate: '{project}/_apis/{area}/{resource}/{id}' },
	{ id: '6570bf97-d02c-4a91-8d93-3abe9895b1a9', area: 'wit', resourceName: 'updates', routeTemplate: '{project}/_apis/{area}/workItems/{id}/{resource}/{updateNumber}' },
	{ id: 'a00c85a5-80fa-4565-99c3-bcd2181434bb', area: 'wit', resourceName: 'revisions', routeTemplate: '{project}/_apis/{area}/workItems/{id}/{resource}/{revisionNumber}' }
].map((location) => ({ ...location, routeName: `${location.area}-${location.resourceName}`, resourceVersion: 1, minVersion: '1.0', maxVersion: LATEST_VERSION, releasedVersion: LATEST_VERSION }));

export function locations(area: string): AzList<(typeof LOCATIONS)[number]> {
	const value = LOCATIONS.filter((location) => location.area.toLowerCase() === area.toLowerCase());
	return { count: value.length, value };
}

/** The anonymous identity connectionData names for a caller without credentials. */
const ANONYMOUS_ID = 'aa1b7d81-a8f3-4a35-94cf-58a8c5cb9a4e';

function connectionIdentity(identity: AzureIdentity | null): AzConnectionIdentity {
	if (!identity) {
		return {
			id: ANONYMOUS_ID,
			descriptor: `System:PublicAccess;${ANONYMOUS_ID}`,
			subjectDescriptor: `s2s.${Buffer.from(ANONYMOUS_ID).toString('base64url')}`,
			providerDisplayName: 'Anonymous',
			isActive: true,
			properties: {},
			resourceVersion: 2,
			metaTypeId: 255
		};
	}
	return {
		id: identity.id,
		descriptor: `Microsoft.IdentityModel.Claims.ClaimsIdentity;${identity.id.slice(0, 8)}-tenant\\${identity.uniqueName}`,
		subjectDescriptor: identity.descriptor,
		providerDisplayName: identity.displayName,
		isActive: true,
		properties: { Account: { $type: 'System.String', $value: identity.uniqueName } },
		resourceVersion: 2,
		metaTypeId: 0
	};
}

const list = <T>(value: T[]): AzList<T> => ({ count: value.length, value });

function projectOf(req: AzureRequest, ref: string | undefined): AzureProject | undefined {
	if (ref === undefined) return undefined;
	const project = req.model.project(req.organization, ref);
	if (!project) throw projectNotFound(ref);
	return project;
}

function repositoryOf(req: AzureRequest): AzureRepository {
	const project = projectOf(req, req.params.project);
	const ref = req.params.repo ?? '';
	const repository = req.model.repository(req.organization, project, ref);
	if (!repository) throw repositoryNotFound(ref);
	return repository;
}

const STATUSES = ['active', 'abandoned', 'completed', 'all', 'notset'] as const;
const NUMBERED_STATUSES: Record<string, string> = { notset: 'active', '0': 'active', '1': 'active', '2': 'abandoned', '3': 'completed', '4': 'all' };

export function azureRoutes(): AzureRoute[] {
	const routes: Array<Omit<AzureRoute, 'pattern' | 'names'> & { path: string }> = [
		{
			path: '/_apis/connectionData',
			kind: 'connectionData',
			scopes: [],
			unversioned: true,
			handle: (req) => {
				const user = connectionIdentity(req.pat?.identity ?? null);
				const body: AzConnectionData = {
					authenticatedUser: user,
					authorizedUser: user,
					instanceId: req.organization.id,
					deploymentId: req.model.instanceId,
					deploymentType: 'hosted',
					locationServiceData: { serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7', defaultAccessMappingMoniker: 'PublicAccessMapping', lastChangeId: 1_000, lastChangeId64: 1_000 }
				};
				return { body };
			}
		},
		// The simulator has one host: no resource area lives elsewhere (the field client then stays on the organisation URL).
		{ path: '/_apis/resourceAreas', kind: 'resourceAreas', scopes: [], handle: () => ({ body: list([]) }) },
		{
			path: '/_apis/projects',
			kind: 'projects.list',
			scopes: ['vso.project', 'vso.code'],
			handle: (req) => {
				const top = integerParam(req.query, '$top', 1) ?? 100;
				const token = req.query.get('continuationToken');
				if (token !== null && token !== '' && !/^\d+$/.test(token)) throw badParameter('continuationToken', token);
				const skip = (token ? Number(token) : 0) + (integerParam(req.query, '$skip') ?? 0);
				const state = (req.query.get('stateFilter') ?? 'wellFormed').toLowerCase();
				const all = [...req.organization.projects].sort((a, b) => a.name.localeCompare(b.name));
				const projects = state === 'wellformed' || state === 'all' ? all : [];
				const page = projects.slice(skip, skip + top);
				const headers: Record<string, string> = skip + top < projects.length ? { 'x-ms-continuationtoken': String(skip + top) } : {};
				return { body: list(page.map((p) => projectJson(req.origin, p))), headers };
			}
		},
		{
			path: '/_apis/projects/:project',
			kind: 'projects.get',
			scopes: ['vso.project', 'vso.code'],
			handle: (req) => {
				const project = projectOf(req, req.params.project)!;
				const base = orgUrl(req.origin, req.organization);
				return {
					body: {
						...projectJson(req.origin, project),
						_links: { self: { href: `${base}/_apis/projects/${project.id}` }, collection: { href: `${base}/_apis/projectCollections/${req.organization.id}` }, web: { href: `${base}/${encodeURIComponent(project.name)}` } },
						defaultTeam: { id: guid(req.model.world.options.seed, 0xad07, project.organization.org.id, project.repositories.length), name: `${project.name} Team` }
					}
				};
			}
		},
		{
			path: '/:project?/_apis/git/repositories',
			kind: 'repositories.list',
			scopes: ['vso.code'],
			handle: (req) => {
				const project = projectOf(req, req.params.project);
				const repositories = project ? project.repositories : req.organization.projects.flatMap((p) => p.repositories);
				return { body: list(repositories.map((r) => repositoryJson(req.origin, r))) };
			}
		},
		{
			path: '/:project?/_apis/git/repositories/:repo',
			kind: 'repositories.get',
			scopes: ['vso.code'],
			handle: (req) => ({ body: repositoryJson(req.origin, repositoryOf(req)) })
		},
		{
			path: '/:project?/_apis/git/repositories/:repo/pullRequests',
			kind: 'pullRequests.list',
			scopes: ['vso.code'],
			handle: async (req) => {
				const repository = repositoryOf(req);
				const store = await req.model.world.pulls(repository.repo);
				// The field client sends enums as numbers (PullRequestStatus, PullRequestTimeRangeType); the REST API takes both.
				const rawStatus = (req.query.get('searchCriteria.status') ?? 'active').toLowerCase();
				const statusParam = NUMBERED_STATUSES[rawStatus] ?? rawStatus;
				if (!STATUSES.includes(statusParam as (typeof STATUSES)[number])) throw badParameter('searchCriteria.status', req.query.get('searchCriteria.status') ?? '');
				const rawRange = (req.query.get('searchCriteria.queryTimeRangeType') ?? 'created').toLowerCase();
				const range = rawRange === '0' ? 'created' : rawRange === '1' ? 'closed' : rawRange;
				if (range !== 'created' && range !== 'closed') throw badParameter('searchCriteria.queryTimeRangeType', req.query.get('searchCriteria.queryTimeRangeType') ?? '');
				const min = timeParam(req.query, 'searchCriteria.minTime');
				const max = timeParam(req.query, 'searchCriteria.maxTime');
				const source = req.query.get('searchCriteria.sourceRefName');
				const target = req.query.get('searchCriteria.targetRefName');
				const top = integerParam(req.query, '$top', 0) ?? 101;
				const skip = integerParam(req.query, '$skip') ?? 0;
				const order = store.order('created');
				const pulls = [];
				for (let i = order.length - 1; i >= 0; i--) {
					const pull = store.facts(order[i]!);
					if (statusParam !== 'all' && statusOf(pull) !== statusParam) continue;
					if (source && `refs/heads/${pull.headRef}` !== source) continue;
					if (target && `refs/heads/${pull.baseRef}` !== target) continue;
					const at = range === 'closed' ? pull.closed : pull.created;
					if ((min !== undefined || max !== undefined) && at === null) continue;
					if (min !== undefined && at! < min) continue;
					if (max !== undefined && at! > max) continue;
					pulls.push(pull);
				}
				// By closed date the newest closed first; otherwise the newest created first.
				if (range === 'closed') pulls.sort((a, b) => (b.closed ?? 0) - (a.closed ?? 0) || b.number - a.number);
				const page = pulls.slice(skip, skip + top);
				return { body: list(page.map((pull) => pullRequestJson(req.origin, req.model, repository, store, pull))) };
			}
		},
		{
			path: '/:project?/_apis/git/repositories/:repo/pullRequests/:number',
			kind: 'pullRequests.get',
			scopes: ['vso.code'],
			handle: async (req) => {
				const repository = repositoryOf(req);
				const store = await req.model.world.pulls(repository.repo);
				const number = Number(req.params.number);
				if (!/^\d+$/.test(req.params.number ?? '') || !store.has(number)) throw pullRequestNotFound();
				return { body: pullRequestJson(req.origin, req.model, repository, store, store.facts(number)) };
			}
		},
		{
			path: '/:project?/_apis/git/repositories/:repo/pullRequests/:number/threads',
			kind: 'threads.list',
			scopes: ['vso.code'],
			handle: async (req) => {
				const repository = repositoryOf(req);
				const store = await req.model.world.pulls(repository.repo);
				const number = Number(req.params.number);
				if (!/^\d+$/.test(req.params.number ?? '') || !store.has(number)) throw pullRequestNotFound();
				return { body: list(threadsJson(req.origin, req.model, repository, store, number)) };
			}
		},
		{
			path: '/:project?/_apis/git/repositories/:repo/pullRequests/:number/threads/:thread',
			kind: 'threads.get',
			scopes: ['vso.code'],
			handle: async (req) => {
				const repository = repositoryOf(req);
				const store = await req.model.world.pulls(repository.repo);
				const number = Number(req.params.number);
				if (!/^\d+$/.test(req.params.number ?? '') || !store.has(number)) throw pullRequestNotFound();
				const thread = threadsJson(req.origin, req.model, repository, store, number).find((t) => String(t.id) === req.params.thread);
				if (!thread) throw badParameter('threadId', req.params.thread ?? '');
				return { body: thread };
			}
		}
	];
	return [...routes.map(({ path, ...rest }) => ({ ...route(path), ...rest })), ...boardsRoutes()];
}
