// One request through the simulated Azure DevOps REST API (`/azure-devops/{organization}/…`), in
// this order: faults (standing in for the network and Azure's front door), the organisation, the
// credentials (none: the anonymous caller, who gets connectionData and, anywhere else, the 203
// sign-in page), the throttle, `api-version`, the route and its scopes, a POST's JSON body, the
// handler.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { countRequest, countStatus, type RequestCounters } from '../shared/counters.ts';
import { malformed, writeAnswer } from '../shared/respond.ts';
import { AzureAuth, type AzurePat } from './auth.ts';
import { AzureError, vssError, type AzureRequest, type AzureRoute } from './http.ts';
import { AZURE_PREFIX, type AzureModel } from './model.ts';
import { azureRoutes, LATEST_VERSION, locations } from './routes.ts';
import { applyFault, type Fault, type Faults } from '../shared/faults.ts';
import type { RateLimits, RateLimitState } from '../shared/rate-limits.ts';

export interface AzureContext {
	model: AzureModel;
	auth: AzureAuth;
	rateLimits: RateLimits;
	faults: Faults;
	counters: RequestCounters;
	log: (event: string, fields: object) => void;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** The throttling headers start once this share of the budget is used. */
const NEAR = 0.8;
/** What `X-RateLimit-Resource` names: the simulator meters requests, not TSTUs. */
const RESOURCE = 'Core.RequestsPerUser';

function throttleHeaders(state: RateLimitState): Record<string, string> {
	return {
		'x-ratelimit-resource': RESOURCE,
		'x-ratelimit-delay': '0.000',
		'x-ratelimit-limit': String(state.limit),
		'x-ratelimit-remaining': String(Math.max(0, state.limit - state.used)),
		'x-ratelimit-reset': String(state.reset)
	};
}

/** What Azure DevOps answers a caller without credentials on anything but connectionData: its sign-in page, with 203. */
function signInPage(origin: string): string {
	return `<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"><title>Azure DevOps Services | Sign In</title></head>
<body>
<div id="signin">Sign in to continue to Azure DevOps.</div>
<a href="${origin}/_signin?realm=dev.azure.com&amp;reply_to=${encodeURIComponent(origin)}">Sign in</a>
</body>
</html>
`;
}

/** The 401 of a PAT Azure DevOps does not accept, with its challenges. */
function refusal(origin: string, error: 'unknown' | 'expired' | 'revoked' | 'scope', scope?: string): AzureError {
	const challenges = { 'www-authenticate': [`Bearer authorization_uri=https://login.microsoftonline.com/common`, `Basic realm="${origin}/"`, 'TFS-Federated'] };
	if (error === 'unknown') return vssError(401, "TF400813: The user '' is not authorized to access this resource.", 'UnauthorizedRequestException', 'Microsoft.TeamFoundation.Framework.Server', {}, challenges);
	if (error === 'scope') {
		return vssError(401, `The requested operation requires scope ${scope}. The access token does not have it.`, 'UnauthorizedRequestException', 'Microsoft.TeamFoundation.Framework.Server', {}, challenges);
	}
	const message = error === 'expired' ? 'Access Denied: The Personal Access Token used has expired.' : 'Access Denied: The Personal Access Token used has been revoked.';
	const customProperties = { Descriptor: null, IdentityDisplayName: null, Token: null, RequestedPermissions: 0, NamespaceId: '00000000-0000-0000-0000-000000000000' };
	return vssError(401, message, 'AccessCheckException', 'Microsoft.VisualStudio.Services.WebApi', { customProperties }, challenges);
}

/** TF400733: what a spent budget answers, with 429. */
function blocked(retryAfter: number, headers: Record<string, string>): AzureError {
	return vssError(
		429,
		`TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource '${RESOURCE}' in namespace 'User'.`,
		'RequestBlockedException',
		'Microsoft.TeamFoundation.Framework.Server',
		{},
		{ ...headers, 'retry-after': String(retryAfter) }
	);
}

/** `api-version` from the query or the Accept header (`application/json;api-version=7.1`). */
function apiVersion(req: IncomingMessage, url: URL): string | null {
	const query = url.searchParams.get('api-version');
	if (query !== null) return query;
	return /api-version=([^;,\s]+)/i.exec(String(req.headers.accept ?? ''))?.[1] ?? null;
}

function checkVersion(method: string, version: string | null): void {
	if (version === null || version === '') {
		throw vssError(
			400,
			`No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
			'VssVersionNotSpecifiedException'
		);
	}
	const match = /^(\d+)\.(\d+)(-preview(\.\d+)?)?$/i.exec(version);
	if (!match) throw vssError(400, `The following api-version value was in the incorrect format: '${version}'.`, 'VssInvalidApiVersionException');
	const [latestMajor, latestMinor] = LATEST_VERSION.split('.').map(Number) as [number, number];
	const major = Number(match[1]);
	const minor = Number(match[2]);
	if (major > latestMajor || (major === latestMajor && minor > latestMinor)) {
		throw vssError(400, `The requested REST API version of ${match[1]}.${match[2]} is out of range for this server. The latest REST API version for this server is ${LATEST_VERSION}.`, 'VssVersionOutOfRangeException');
	}
}

/** Most a POST body may hold. */
const MAX_BODY = 4 * 1024 * 1024;

/** A POST's JSON body; undefined when empty. */
async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY) throw vssError(413, 'The request body is too large.', 'VssRequestContentException');
		chunks.push(chunk as Buffer);
	}
	const text = Buffer.concat(chunks).toString('utf8');
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw vssError(400, 'The request body could not be read as JSON.', 'VssRequestContentException');
	}
}

export function createAzureApi(context: AzureContext) {
	const { model, auth, rateLimits, faults, counters } = context;
	const routes = azureRoutes();

	/** The route for the path and method; `method` when a route has the path but not the method. */
	function find(path: string, method: string): { route: AzureRoute; params: Record<string, string> } | 'method' | null {
		const wanted = method === 'HEAD' ? 'GET' : method;
		let otherMethod = false;
		for (const route of routes) {
			const match = route.pattern.exec(path);
			if (!match) continue;
			if ((route.method ?? 'GET') !== wanted) {
				otherMethod = true;
				continue;
			}
			try {
				const params = Object.fromEntries(route.names.flatMap((name, i) => (match[i + 1] === undefined ? [] : [[name, decodeURIComponent(match[i + 1]!)]])));
				return { route, params };
			} catch {
				return null;
			}
		}
		return otherMethod ? 'method' : null;
	}

	return async function handle(req: IncomingMessage, res: ServerResponse, origin: string, url: URL): Promise<void> {
		const started = performance.now();
		const method = req.method ?? 'GET';
		const path = url.pathname.slice(AZURE_PREFIX.length) || '/';
		const [, orgName = '', ...rest] = path.split('/');
		const orgPath = `/${rest.join('/')}`;
		const activity = randomUUID();
		const headers: Record<string, string | string[]> = {
			'content-type': 'application/json; charset=utf-8; api-version=7.1',
			'cache-control': 'no-cache',
			'x-content-type-options': 'nosniff',
			activityid: activity,
			'x-tfs-processid': model.instanceId,
			'x-tfs-session': activity,
			'x-vss-e2eid': activity,
			'x-vss-senderdeploymentid': model.instanceId,
			'request-context': `appId=cid-v1:${model.instanceId}`
		};
		const options = method === 'OPTIONS' ? /^\/_apis\/([^/]+)\/?$/i.exec(orgPath) : null;
		const matched = options ? null : find(orgPath, method);
		const found = matched === 'method' ? null : matched;
		const kind = options ? 'options' : (found?.route.kind ?? 'unknown');
		countRequest(counters, kind);
		let status = 500;
		let fault: Fault | undefined;
		const send = async (code: number, extra: Record<string, string | string[]>, body: string) => {
			status = code;
			await writeAnswer(res, code, { ...headers, ...extra } as Record<string, string>, method === 'HEAD' ? '' : body, code === 200 ? fault : undefined);
		};
		try {
			fault = faults.take('azure-devops', method, path);
			if (await applyFault(fault, req, { status: (code) => vssError(code, `${code} ${REASONS[code] ?? 'Internal Server Error'}: the service is unavailable, retry the request later.`, 'VssServiceResponseException'), limited: (seconds) => blocked(seconds, {}) })) {
				status = 0;
				return;
			}

			const organization = model.organization(orgName);
			if (!organization) throw vssError(404, `The organization '${orgName}' could not be found.`, 'OrganizationNotFoundException');

			// The resource locations the field client discovers: anyone may ask.
			if (options) return await send(200, {}, JSON.stringify(locations(options[1]!)));

			const result = auth.authenticate(req.headers.authorization);
			if ('error' in result) throw refusal(origin, result.error);
			const pat: AzurePat | null = 'pat' in result ? result.pat : null;
			if (!pat && found?.route.kind !== 'connectionData') {
				return await send(203, { 'content-type': 'text/html; charset=utf-8' }, signInPage(origin));
			}
			if (pat) headers['x-vss-userdata'] = `${pat.identity.id}:${pat.identity.uniqueName}`;

			const limit = rateLimits.state(AzureAuth.bucket(pat, req.socket.remoteAddress ?? '127.0.0.1'));
			if (!rateLimits.spend(limit)) throw blocked(Math.max(1, limit.reset - Math.floor(Date.now() / 1000)), throttleHeaders(limit));
			if (limit.used >= limit.limit * NEAR) Object.assign(headers, throttleHeaders(limit));

			if (matched === 'method') throw vssError(405, `The requested resource does not support http method '${method}'.`, 'VssResourceNotFoundException');
			if (!found) throw vssError(404, `The resource at ${url.pathname} could not be found: no API route matches it.`, 'VssResourceNotFoundException');
			const { route, params } = found;
			if (!route.unversioned) checkVersion(method, apiVersion(req, url));
			if (pat && route.scopes.length > 0 && !pat.scopes.some((scope) => route.scopes.includes(scope))) throw refusal(origin, 'scope', route.scopes[0]);

			const body = route.method === 'POST' ? await readBody(req) : undefined;
			const request: AzureRequest = { method, path, query: url.searchParams, origin, organization, pat, params, model, body };
			const response = await route.handle(request);
			let text = JSON.stringify(response.body);
			if (fault?.kind === 'malformed') text = malformed(text);
			await send(200, response.headers ?? {}, text);
		} catch (error) {
			const answer = error instanceof AzureError ? error : vssError(500, 'An unexpected error occurred.', 'VssServiceException');
			if (!(error instanceof AzureError)) context.log('azure-devops.request.failed', { method, path, error: String(error) });
			await send(answer.status, answer.headers, JSON.stringify(answer.body));
		} finally {
			countStatus(counters, status);
			if (status >= 400 || status === 0 || status === 203 || fault) {
				context.log('azure-devops.request', { method, path: url.pathname, status, kind, fault: fault?.kind, ms: Math.round(performance.now() - started) });
			}
		}
	};
}
