// Jira Data Center's REST API v2 (`/jira-dc/rest/api/2/…`, also `/rest/api/latest`): the common
// routes, every browsable project in one list, and `/search` paged by startAt with a `total`,
// every navigable field by default and, with `expand=changelog`, each issue's whole changelog.
import { commonRoutes, viewOf } from './common-routes.ts';
import { selectFields } from './fields.ts';
import { badPayload, intField, intParam, listParam, objectBody, type AuthedRequest, type JiraRoute } from './http.ts';
import { expands, issueJson } from './issues.ts';
import { projectJson } from './json.ts';
import type { JiraSearchPage } from './types.ts';

/** Data Center's page size limit (`jira.search.views.default.max`, set low on this server). */
const MAX_RESULTS = 100;

function search(req: AuthedRequest) {
	const body = req.method === 'POST' ? objectBody(req.body) : null;
	const jql = body ? body.jql : req.query.get('jql');
	if (jql !== undefined && jql !== null && typeof jql !== 'string') throw badPayload();
	const startAt = body ? intField(body, 'startAt', 0) : intParam(req.query, 'startAt', 0);
	const maxResults = body ? intField(body, 'maxResults', 50, MAX_RESULTS) : intParam(req.query, 'maxResults', 50, MAX_RESULTS);
	const selection = selectFields(req.flavour, listParam(body ? body.fields : req.query.getAll('fields')), 'all');
	const changelog = expands(body ? body.expand : req.query.get('expand'), 'changelog');
	const result = req.searcher.search(req.flavour, req.user, jql ?? '');
	const v = viewOf(req);
	const answer: JiraSearchPage = {
		expand: 'schema,names',
		startAt,
		maxResults,
		total: result.tickets.length,
		issues: result.tickets.slice(startAt, startAt + maxResults).map((ticket) => issueJson(v, ticket, selection, changelog ? null : undefined))
	};
	return { body: answer };
}

export function dcRoutes(): JiraRoute[] {
	return [
		...commonRoutes(),
		{ method: 'GET', path: '/project', kind: 'project.list', handle: (req) => ({ body: req.model.browsable(req.user).map((p) => projectJson(viewOf(req), p)) }) },
		{ method: 'GET', path: '/search', kind: 'search', handle: search },
		{ method: 'POST', path: '/search', kind: 'search', handle: search }
	];
}
