// Jira Data Center (and Server) through a thin typed client of its REST API 2: no maintained
// field client speaks it. The search pages by startAt and says how many match; its embedded
// changelog is whole.
import type { JiraSession } from './session.ts';
import { findStoryPointsField, jiraTime, workflowFrom, type JiraApi, type JiraHistory, type JiraIssue } from './api.ts';

interface DcUser {
	name?: string;
	key?: string;
	displayName?: string;
	emailAddress?: string;
	timeZone?: string;
}
interface DcProject {
	id?: string;
	key?: string;
	name?: string;
}
interface DcIssueType {
	name?: string;
	subtask?: boolean;
	statuses?: Array<{ name?: string; statusCategory?: { key?: string } }>;
}
interface DcField {
	id?: string;
	name?: string;
	custom?: boolean;
	schema?: { custom?: string };
}
interface DcHistory {
	id?: string;
	author?: DcUser;
	created?: string;
	items?: JiraHistory['items'];
}
interface DcIssue {
	id?: string;
	key?: string;
	fields?: Record<string, unknown>;
	changelog?: { startAt?: number; maxResults?: number; total?: number; histories?: DcHistory[] };
}
interface DcSearch {
	startAt?: number;
	maxResults?: number;
	total?: number;
	issues?: DcIssue[];
}

function history(h: DcHistory): JiraHistory | null {
	const created = jiraTime(h.created);
	if (!h.id || !created) return null;
	return { id: h.id, author: h.author?.displayName ?? h.author?.name ?? null, created, items: h.items ?? [] };
}

const histories = (list: DcHistory[] | undefined) => (list ?? []).map(history).filter((h): h is JiraHistory => h !== null);

export function dataCenterApi(session: JiraSession): JiraApi {
	const api = '/rest/api/2';
	return {
		async myself() {
			const user = await session.request<DcUser>('GET', `${api}/myself`);
			return { account: user.name ?? user.emailAddress ?? 'unknown', displayName: user.displayName ?? user.name ?? 'unknown', timeZone: user.timeZone || 'UTC' };
		},
		async canBrowse() {
			const answer = await session.request<{ permissions?: Record<string, { havePermission?: boolean }> }>('GET', `${api}/mypermissions`, { query: { permissions: 'BROWSE_PROJECTS' } });
			return answer.permissions?.BROWSE_PROJECTS?.havePermission === true;
		},
		async projects(onPage) {
			const list = await session.request<DcProject[]>('GET', `${api}/project`);
			onPage?.();
			return list.filter((p) => p.id && p.key).map((p) => ({ id: String(p.id), key: p.key!, name: p.name ?? p.key! }));
		},
		async workflow(project) {
			return workflowFrom(await session.request<DcIssueType[]>('GET', `${api}/project/${encodeURIComponent(project.id)}/statuses`));
		},
		async storyPointsField() {
			return findStoryPointsField(await session.request<DcField[]>('GET', `${api}/field`));
		},
		async search({ jql, fields, page, maxResults }) {
			const startAt = typeof page === 'number' ? page : 0;
			const answer = await session.request<DcSearch>('POST', `${api}/search`, { body: { jql, fields, expand: ['changelog'], startAt, maxResults, validateQuery: 'strict' } });
			const issues: JiraIssue[] = (answer.issues ?? [])
				.filter((i) => i.id && i.key)
				.map((issue) => {
					const list = histories(issue.changelog?.histories);
					return { id: issue.id!, key: issue.key!, fields: issue.fields ?? {}, histories: list, historiesCut: (issue.changelog?.total ?? 0) > list.length };
				});
			const total = answer.total ?? null;
			const next = startAt + issues.length;
			return { issues, next: issues.length > 0 && (total === null || next < total) ? next : null, total };
		},
		async fullHistories(issues) {
			const result = new Map<string, JiraHistory[]>();
			for (const issue of issues.filter((i) => i.historiesCut)) {
				const whole = await session.request<DcIssue>('GET', `${api}/issue/${encodeURIComponent(issue.key)}`, { query: { expand: 'changelog', fields: 'status' } });
				result.set(issue.id, histories(whole.changelog?.histories));
			}
			return result;
		}
	};
}
