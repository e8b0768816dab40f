// One request through a simulated Jira REST API (`/jira-cloud/rest/api/3/…` or
// `/jira-dc/rest/api/2/…`), in this order: faults (standing in for the network and Atlassian's
// edge), the credentials, the rate limit, the route, the handler. Answers are JSON; refusals
// `{errorMessages, errors}`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { applyFault, type Fault, type Faults } from '../shared/faults.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { compile } from '../shared/route-match.ts';
import { JiraAuth } from './auth.ts';
import { cloudRoutes } from './cloud-routes.ts';
import { dcRoutes } from './dc-routes.ts';
import { CLOUD, DATA_CENTER, type Flavour, type FlavourName } from './flavour.ts';
import { badPayload, JiraError, jiraError, type JiraRoute } from './http.ts';
import { spentBudget, rateLimited, throttleHeaders } from './throttle.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { JiraModel } from './model.ts';
import type { JiraUser } from './people.ts';
import type { Searcher } from './search.ts';

export interface JiraContext {
	model: JiraModel;
	auth: JiraAuth;
	searcher: Searcher;
	rateLimits: RateLimits;
	faults: Faults;
	counters: Record<FlavourName, RequestCounters>;
	log: (event: string, fields: object) => void;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** What each site says to a caller it does not know. */
const UNAUTHENTICATED: Record<FlavourName, string> = {
	cloud: 'Client must be authenticated to access this resource.',
	dc: 'You are not authenticated. Authentication required to perform this operation.'
};

type CompiledRoute = JiraRoute & { match: (path: string) => Record<string, string> | null };

async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	if (!text.trim()) return {};
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw badPayload();
	}
}

/** The site a path is under, and the path after its REST root; null outside any REST root. */
export function jiraSite(pathname: string): { flavour: Flavour; path: string } | null {
	for (const flavour of [CLOUD, DATA_CENTER]) {
		for (const version of flavour.apiVersions) {
			const root = `${flavour.prefix}/rest/api/${version}`;
			if (pathname === root || pathname.startsWith(`${root}/`)) return { flavour, path: pathname.slice(root.length) || '/' };
		}
	}
	return null;
}

export function createJiraApi(context: JiraContext) {
	const { model, auth, searcher, rateLimits, faults } = context;
	const tables: Record<FlavourName, CompiledRoute[]> = {
		cloud: cloudRoutes().map((route) => ({ ...route, match: compile(route.path) })),
		dc: dcRoutes().map((route) => ({ ...route, match: compile(route.path) }))
	};

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL): Promise<void> {
		const started = performance.now();
		const method = req.method ?? 'GET';
		const site = jiraSite(url.pathname);
		const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-cache, no-store, no-transform', 'x-arequestid': randomUUID() };
		if (!site) {
			// Jira's web pages are not simulated.
			res.writeHead(404, { 'content-type': 'text/html;charset=UTF-8' }).end('<!DOCTYPE html><html><head><title>Oops, you&#39;ve found a dead link. - Jira</title></head><body></body></html>\n');
			return;
		}
		const { flavour, path } = site;
		const counters = context.counters[flavour.name];
		if (flavour.name === 'cloud') headers['atl-traceid'] = randomUUID().replace(/-/g, '').slice(0, 16);
		let found: { route: CompiledRoute; params: Record<string, string> } | null = null;
		let otherMethod = false;
		for (const route of tables[flavour.name]) {
			const params = route.match(path);
			if (!params) continue;
			if (route.method !== method) {
				otherMethod = true;
				continue;
			}
			found = { route, params };
			break;
		}
		const kind = found?.route.kind ?? 'unknown';
		countRequest(counters, kind);
		let status = 500;
		let fault: Fault | undefined;
		try {
			fault = faults.take(flavour.provider, method, path);
			const answers = { status: (code: number) => jiraError(code, REASONS[code] ?? 'Internal Server Error'), limited: (seconds: number) => rateLimited(flavour.name, seconds) };
			if (await applyFault(fault, req, answers)) {
				status = 0;
				return;
			}

			let user: JiraUser | null = null;
			if (!found?.route.anonymous) {
				const result = auth.authenticate(flavour.name, req.headers.authorization);
				if ('error' in result) {
					// A credential that failed names the reason, as Seraph (Jira's login filter) does.
					throw jiraError(401, UNAUTHENTICATED[flavour.name], result.error === 'refused' ? { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' } : {});
				}
				user = result.credential.user;
				if (flavour.name === 'cloud') headers['x-aaccountid'] = encodeURIComponent(user.accountId);
				else headers['x-ausername'] = user.name;
				const limit = rateLimits.state(JiraAuth.bucket(result.credential));
				if (!rateLimits.spend(limit)) throw spentBudget(flavour.name, limit);
				Object.assign(headers, throttleHeaders(flavour.name, limit));
			}

			if (!found) throw otherMethod ? jiraError(405, `Method ${method} is not allowed on ${path}.`) : jiraError(404, `No resource is found at ${url.pathname}.`);
			const body = method === 'POST' ? await readBody(req) : undefined;
			const base = `${origin}${flavour.prefix}`;
			const request = { method, path, query: url.searchParams, body, base, api: `${base}/rest/api/${flavour.apiVersions[0]}`, flavour, model, searcher, params: found.params };
			const route = found.route;
			const answer = route.anonymous ? route.handle({ ...request, user }) : route.handle({ ...request, user: user! });
			let text = JSON.stringify(answer.body);
			if (fault?.kind === 'malformed') text = malformed(text);
			status = answer.status ?? 200;
			await writeAnswer(res, status, { ...headers, ...answer.headers }, text, fault);
		} catch (error) {
			const answer = error instanceof JiraError ? error : jiraError(500, 'Internal server error');
			if (!(error instanceof JiraError)) context.log('jira.request.failed', { method, path: url.pathname, error: String(error) });
			status = answer.status;
			await writeAnswer(res, status, { ...headers, ...answer.headers }, JSON.stringify(answer.body));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || fault) {
				context.log(`${flavour.provider}.request`, { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}
