// Jira Cloud through its field client, jira.js: the client's request functions and models, sent
// through Tributary's own session (jira.js's default client calls the global fetch with retries
// off; ours has the network rules, quota and Retry-After of every provider). The search is the
// enhanced one (/rest/api/3/search/jql, pages by nextPageToken, no total): the old /search is gone.
import type { Client, SendRequestOptions } from 'jira.js/core';
import { getAllStatuses, getBulkChangelogs, getCurrentUser, getFields, getMyPermissions, searchAndReconsileIssuesUsingJqlPost, searchProjects } from 'jira.js/cloud';
import type { JiraSession, Query } from './session.ts';
import { findStoryPointsField, jiraTime, workflowFrom, type JiraApi, type JiraHistory, type JiraIssue, type JiraProjectInfo } from './api.ts';

/**
 * jira.js's Client over our session. Answers are checked against jira.js's schemas (times become
 * Dates); an answer that differs from them in a way the schema refuses is used as sent rather than
 * failing an update over a field Tributary does not read.
 */
export function sessionClient(session: JiraSession): Client {
	return {
		async sendRequest<T>(options: SendRequestOptions<T>): Promise<T> {
			const query: Query = {};
			for (const [name, value] of Object.entries(options.searchParams ?? {})) {
				if (value === undefined || value === null) continue;
				query[name] = Array.isArray(value) ? value.map(String) : typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
			}
			const method = options.method === 'POST' ? 'POST' : 'GET';
			const answer = await session.request<unknown>(method, options.url, { query, ...(options.body === undefined ? {} : { body: options.body }) });
			if (!options.schema) return answer as T;
			const parsed = options.schema.safeParse(answer);
			return parsed.success ? parsed.data : (answer as T);
		}
	};
}

type CloudHistory = { id?: string | undefined; author?: { displayName?: string | undefined; accountId?: string | undefined } | undefined; created?: unknown; items?: JiraHistory['items'] | undefined };

function history(h: CloudHistory): JiraHistory | null {
	const created = jiraTime(h.created);
	if (!h.id || !created) return null;
	return { id: h.id, author: h.author?.displayName ?? h.author?.accountId ?? null, created, items: h.items ?? [] };
}

const histories = (list: readonly CloudHistory[] | undefined) => (list ?? []).map(history).filter((h): h is JiraHistory => h !== null);

export function cloudApi(session: JiraSession): JiraApi {
	const client = sessionClient(session);
	return {
		async myself() {
			const user = await getCurrentUser(client);
			return { account: user.emailAddress || user.displayName || user.accountId || 'unknown', displayName: user.displayName ?? user.accountId ?? 'unknown', timeZone: user.timeZone || 'UTC' };
		},
		async canBrowse() {
			const answer = await getMyPermissions(client, { permissions: 'BROWSE_PROJECTS' });
			return answer.permissions?.BROWSE_PROJECTS?.havePermission === true;
		},
		async projects(onPage) {
			const projects: JiraProjectInfo[] = [];
			for (let startAt = 0; ; ) {
				const page = await searchProjects(client, { startAt, maxResults: 50, orderBy: 'key' });
				onPage?.();
				for (const p of page.values ?? []) if (p.id && p.key) projects.push({ id: String(p.id), key: p.key, name: p.name ?? p.key });
				const count = page.values?.length ?? 0;
				if (page.isLast !== false || count === 0) return projects;
				startAt += count;
			}
		},
		async workflow(project) {
			return workflowFrom(await getAllStatuses(client, { projectIdOrKey: project.id }));
		},
		async storyPointsField() {
			return findStoryPointsField(await getFields(client));
		},
		async search({ jql, fields, page, maxResults }) {
			const answer = await searchAndReconsileIssuesUsingJqlPost(client, {
				jql,
				fields,
				expand: 'changelog',
				maxResults,
				...(typeof page === 'string' ? { nextPageToken: page } : {})
			});
			const issues: JiraIssue[] = (answer.issues ?? []).map((issue) => {
				const changelog = issue.changelog as { histories?: CloudHistory[]; total?: number; maxResults?: number } | undefined;
				const list = histories(changelog?.histories);
				return {
					id: String(issue.id),
					key: String(issue.key),
					fields: (issue.fields ?? {}) as Record<string, unknown>,
					histories: list,
					historiesCut: (changelog?.total ?? 0) > list.length
				};
			});
			return { issues, next: answer.isLast === false && answer.nextPageToken ? answer.nextPageToken : null, total: null };
		},
		async fullHistories(issues) {
			const result = new Map<string, JiraHistory[]>();
			const ids = issues.filter((i) => i.historiesCut).map((i) => i.id);
			// Status changes only, for up to 1,000 issues a request, paged by token.
			for (let i = 0; i < ids.length; i += 1000) {
				let nextPageToken: string | undefined;
				do {
					const answer = await getBulkChangelogs(client, { issueIdsOrKeys: ids.slice(i, i + 1000), fieldIds: ['status'], maxResults: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
					for (const log of answer.issueChangeLogs ?? []) {
						if (!log.issueId) continue;
						result.set(log.issueId, [...(result.get(log.issueId) ?? []), ...histories(log.changeHistories as CloudHistory[] | undefined)]);
					}
					nextPageToken = answer.nextPageToken ?? undefined;
				} while (nextPageToken);
			}
			return result;
		}
	};
}
