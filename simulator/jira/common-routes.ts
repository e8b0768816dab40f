// The REST routes both sites answer alike, each in its own dialect (json.ts): serverInfo, the
// caller, their permissions, a project and its statuses, the fields, and one issue.
import { fieldsJson, selectFields } from './fields.ts';
import { issueNotFound, listParam, projectNotFound, type AuthedRequest, type JiraRoute } from './http.ts';
import { expands, issueJson } from './issues.ts';
import { issueTypeJson, projectDetailJson, statusJson, userJson, view, type View } from './json.ts';
import { myPermissions } from './permissions.ts';
import { jiraTime } from './time.ts';
import type { JiraProject, Ticket } from './model.ts';
import type { JiraIssueTypeStatuses, JiraServerInfo, JiraUserJson } from './types.ts';

/** The view an authenticated request is answered in: the caller's time zone. */
export function viewOf(req: AuthedRequest): View {
	return view(req.flavour, req.base, req.flavour.zone(req.user));
}

/** A project the caller may browse, by key or id; 404 otherwise (Jira does not tell the two apart). */
export function browsableProject(req: AuthedRequest, ref: string): JiraProject {
	const project = req.model.project(ref);
	if (!project || !req.model.browsable(req.user).includes(project)) throw projectNotFound(ref);
	return project;
}

export function browsableTicket(req: AuthedRequest, ref: string): Ticket {
	const ticket = req.model.ticket(ref);
	if (!ticket || !req.model.browsable(req.user).includes(ticket.project)) throw issueNotFound();
	return ticket;
}

/** The moment the simulator's builds are dated. */
const BUILD_DATE = Date.UTC(2026, 9, 1);

export function commonRoutes(): JiraRoute[] {
	return [
		{
			method: 'GET',
			path: '/serverInfo',
			kind: 'serverInfo',
			anonymous: true,
			handle: (req) => {
				const cloud = req.flavour.name === 'cloud';
				const version = cloud ? [1001, 0, 0] : [9, 12, 15];
				const body: JiraServerInfo = {
					baseUrl: req.base,
					version: cloud ? '1001.0.0-SNAPSHOT' : version.join('.'),
					versionNumbers: version,
					deploymentType: cloud ? 'Cloud' : 'Server',
					buildNumber: cloud ? 100_289 : 9_120_015,
					buildDate: jiraTime(BUILD_DATE),
					serverTime: jiraTime(Date.now()),
					scmInfo: 'c4a6b1f0e8d2a7b9c3e5f1a2b4d6e8f0a1c3e5b7',
					serverTitle: 'Jira',
					...(cloud ? { defaultLocale: { locale: 'en_US' } } : { databaseBuildNumber: 9_120_015 })
				};
				return { body };
			}
		},
		{
			method: 'GET',
			path: '/myself',
			kind: 'myself',
			handle: (req) => {
				const body: JiraUserJson = { ...userJson(viewOf(req), req.user, true), locale: 'en_US', groups: { size: 1, items: [] }, applicationRoles: { size: 1, items: [] }, expand: 'groups,applicationRoles' };
				return { body };
			}
		},
		{ method: 'GET', path: '/mypermissions', kind: 'mypermissions', handle: (req) => ({ body: myPermissions(req.flavour.name, req.model, req.user, req.query) }) },
		{ method: 'GET', path: '/project/:ref', kind: 'project.get', handle: (req) => ({ body: projectDetailJson(viewOf(req), browsableProject(req, req.params.ref!)) }) },
		{
			method: 'GET',
			path: '/project/:ref/statuses',
			kind: 'project.statuses',
			handle: (req) => {
				const v = viewOf(req);
				const project = browsableProject(req, req.params.ref!);
				// Every issue type of a project walks the project's workflow.
				const body: JiraIssueTypeStatuses[] = project.issueTypes.map((type) => {
					const { self, id, name, subtask } = issueTypeJson(v, type);
					return { self, id, name, subtask, statuses: project.workflow.statuses.map((s) => statusJson(v, s)) };
				});
				return { body };
			}
		},
		{ method: 'GET', path: '/field', kind: 'fields', handle: (req) => ({ body: fieldsJson(req.flavour) }) },
		{
			method: 'GET',
			path: '/issue/:ref',
			kind: 'issue.get',
			handle: (req) => {
				const ticket = browsableTicket(req, req.params.ref!);
				const selection = selectFields(req.flavour, listParam(req.query.getAll('fields')), 'all');
				// Cloud embeds the latest 100 histories; Data Center all of them.
				const changelog = expands(req.query.get('expand'), 'changelog') ? (req.flavour.name === 'cloud' ? 100 : null) : undefined;
				return { body: issueJson(viewOf(req), ticket, selection, changelog) };
			}
		}
	];
}
