// Jira Cloud's REST API v3 (`/jira-cloud/rest/api/3/…`): the common routes, project search,
// the enhanced JQL search (`/search/jql`, token-paged, ids only unless fields are asked; the old
// `/search` is gone: 410), an issue's changelog and the bulk changelog fetch.
import { browsableTicket, commonRoutes, viewOf } from './common-routes.ts';
import { selectFields, wantsFieldValues } from './fields.ts';
import { badPayload, intField, intParam, jiraError, listParam, objectBody, type AuthedRequest, type JiraRequest, type JiraRoute } from './http.ts';
import { expands, issueJson } from './issues.ts';
import { historyJson, projectJson } from './json.ts';
import { nextPageToken, pageStart } from './page-token.ts';
import type { ChangeItem, Ticket } from './model.ts';
import type { JiraBulkChangelog, JiraChangelogPage, JiraEnhancedSearchPage, JiraProjectPage } from './types.ts';

/** Histories embedded per issue in search results. */
const EMBEDDED_HISTORIES = 40;

/** `{self, nextPage?}` of a startAt/maxResults page on `path`. */
function pageLinks(api: string, path: string, query: Record<string, string>, startAt: number, maxResults: number, total: number) {
	const link = (start: number) => `${api}${path}?${new URLSearchParams({ ...query, maxResults: String(maxResults), startAt: String(start) })}`;
	const isLast = startAt + maxResults >= total;
	return { self: link(startAt), ...(isLast ? {} : { nextPage: link(startAt + maxResults) }), isLast };
}

function enhancedSearch(req: AuthedRequest) {
	const body = req.method === 'POST' ? objectBody(req.body) : null;
	const jqlRaw = body ? body.jql : req.query.get('jql');
	if (jqlRaw !== undefined && jqlRaw !== null && typeof jqlRaw !== 'string') throw badPayload();
	const jql = jqlRaw ?? '';
	const token = body ? body.nextPageToken : req.query.get('nextPageToken');
	if (token !== undefined && token !== null && typeof token !== 'string') throw badPayload();
	const selection = selectFields(req.flavour, listParam(body ? body.fields : req.query.getAll('fields')), 'id');
	const changelog = expands(body ? body.expand : req.query.get('expand'), 'changelog');
	// Pages are smaller when issues carry fields: 100 at most, 5,000 for ids and keys alone.
	const cap = wantsFieldValues(selection) || changelog ? 100 : 5000;
	const maxResults = Math.max(1, body ? intField(body, 'maxResults', 50, cap) : intParam(req.query, 'maxResults', 50, cap));

	const result = req.searcher.search(req.flavour, req.user, jql);
	if (!result.bounded) throw jiraError(400, 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
	const start = token ? pageStart(jql, result, token) : 0;
	const page = result.tickets.slice(start, start + maxResults);
	const isLast = start + page.length >= result.tickets.length;
	const v = viewOf(req);
	const answer: JiraEnhancedSearchPage = {
		issues: page.map((ticket) => issueJson(v, ticket, selection, changelog ? EMBEDDED_HISTORIES : undefined)),
		...(isLast ? {} : { nextPageToken: nextPageToken(jql, result, page.at(-1)!) }),
		isLast
	};
	return { body: answer };
}

/** The field id a changelog item is about, as `fieldIds` names it. */
function fieldIdOf(req: JiraRequest, item: ChangeItem): string {
	return item.field === 'storyPoints' ? req.flavour.storyPoints.id : item.field;
}

function bulkChangelog(req: AuthedRequest) {
	const body = objectBody(req.body);
	const refs = body.issueIdsOrKeys;
	if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === 'string' || typeof r === 'number')) throw jiraError(400, 'issueIdsOrKeys must contain at least one issue ID or key.');
	if (refs.length > 1000) throw jiraError(400, 'The number of issueIdsOrKeys must not exceed 1000.');
	const fieldIds = body.fieldIds === undefined ? undefined : listParam(body.fieldIds);
	if (fieldIds && fieldIds.length > 10) throw jiraError(400, 'The number of fieldIds must not exceed 10.');
	const maxResults = Math.max(1, intField(body, 'maxResults', 1000, 10_000));
	const token = body.nextPageToken;
	if (token !== undefined && token !== null && typeof token !== 'string') throw badPayload();

	// Issues the caller cannot see are left out, as are histories without a wanted field.
	const seen = new Set<Ticket>();
	const entries: Array<{ ticket: Ticket; history: Ticket['histories'][number]; items: ChangeItem[] }> = [];
	for (const ref of refs) {
		const ticket = req.model.ticket(String(ref));
		if (!ticket || seen.has(ticket) || !req.model.browsable(req.user).includes(ticket.project)) continue;
		seen.add(ticket);
		for (const history of ticket.histories) {
			const items = fieldIds ? history.items.filter((item) => fieldIds.includes(fieldIdOf(req, item))) : history.items;
			if (items.length > 0) entries.push({ ticket, history, items });
		}
	}
	const request = `${[...seen].map((t) => t.id).join(',')}|${fieldIds?.join(',') ?? ''}`;
	let start = 0;
	if (typeof token === 'string') {
		const decoded = (() => {
			try {
				return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { r?: unknown; o?: unknown };
			} catch {
				return {};
			}
		})();
		if (decoded.r !== request || typeof decoded.o !== 'number') throw jiraError(400, 'The provided next page token is invalid or does not belong to this request.');
		start = decoded.o;
	}
	const page = entries.slice(start, start + maxResults);
	const v = viewOf(req);
	const logs: NonNullable<JiraBulkChangelog['issueChangeLogs']> = [];
	for (const entry of page) {
		let log = logs.at(-1);
		if (log?.issueId !== String(entry.ticket.id)) logs.push((log = { issueId: String(entry.ticket.id), changeHistories: [] }));
		log.changeHistories!.push(historyJson(v, entry.history, entry.items));
	}
	const more = start + page.length < entries.length;
	const answer: JiraBulkChangelog = { issueChangeLogs: logs, ...(more ? { nextPageToken: Buffer.from(JSON.stringify({ r: request, o: start + page.length })).toString('base64url') } : {}) };
	return { body: answer };
}

export function cloudRoutes(): JiraRoute[] {
	// Before the common routes: `/project/search` is not a project called "search".
	return [
		{
			method: 'GET',
			path: '/project/search',
			kind: 'project.search',
			handle: (req) => {
				const startAt = intParam(req.query, 'startAt', 0);
				const maxResults = Math.max(1, intParam(req.query, 'maxResults', 50, 50));
				const text = req.query.get('query')?.toLowerCase();
				const orderBy = req.query.get('orderBy') ?? 'key';
				const field = orderBy.replace(/^[+-]/, '');
				if (!['key', 'name', 'id'].includes(field)) throw jiraError(400, `The value '${orderBy}' is not valid for the parameter 'orderBy'.`);
				const projects = req.model
					.browsable(req.user)
					.filter((p) => !text || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text))
					.sort((a, b) => (field === 'id' ? Number(a.id) - Number(b.id) : a[field as 'key' | 'name'].localeCompare(b[field as 'key' | 'name'])) * (orderBy.startsWith('-') ? -1 : 1));
				const v = viewOf(req);
				const query: Record<string, string> = { ...(text ? { query: text } : {}), ...(req.query.get('orderBy') ? { orderBy } : {}) };
				const body: JiraProjectPage = {
					...pageLinks(v.api, '/project/search', query, startAt, maxResults, projects.length),
					maxResults,
					startAt,
					total: projects.length,
					values: projects.slice(startAt, startAt + maxResults).map((p) => projectJson(v, p))
				};
				return { body };
			}
		},
		{ method: 'GET', path: '/search/jql', kind: 'search.jql', handle: enhancedSearch },
		{ method: 'POST', path: '/search/jql', kind: 'search.jql', handle: enhancedSearch },
		...(['GET', 'POST'] as const).map((method) => ({
			method,
			path: '/search',
			kind: 'search.removed',
			handle: (): never => {
				throw jiraError(410, 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046');
			}
		})),
		{
			method: 'GET',
			path: '/issue/:ref/changelog',
			kind: 'issue.changelog',
			handle: (req) => {
				const ticket = browsableTicket(req, req.params.ref!);
				const startAt = intParam(req.query, 'startAt', 0);
				const maxResults = Math.max(1, intParam(req.query, 'maxResults', 100, 100));
				const v = viewOf(req);
				const total = ticket.histories.length;
				const body: JiraChangelogPage = {
					...pageLinks(v.api, `/issue/${encodeURIComponent(req.params.ref!)}/changelog`, {}, startAt, maxResults, total),
					maxResults,
					startAt,
					total,
					values: ticket.histories.slice(startAt, startAt + maxResults).map((h) => historyJson(v, h))
				};
				return { body };
			}
		},
		{ method: 'POST', path: '/changelog/bulkfetch', kind: 'changelog.bulkfetch', handle: bulkChangelog },
		...commonRoutes()
	];
}
