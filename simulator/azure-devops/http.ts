// The shape every Azure DevOps REST handler shares, and Azure DevOps's error bodies: a refusal is
// thrown as AzureError and leaves as `{$id, innerException, message, typeName, typeKey, errorCode,
// eventId}`, with the message again in `X-TFS-ServiceError`.
import type { AzurePat } from './auth.ts';
import type { AzureModel, AzureOrganization } from './model.ts';

export interface AzureRequest {
	method: string;
	/** The JSON body of a POST (undefined for GET). */
	body?: unknown;
	/** Path after `/azure-devops`, as sent. */
	path: string;
	query: URLSearchParams;
	/** `http://127.0.0.1:P` or `https://…`: where the request came, for the URLs we answer with. */
	origin: string;
	organization: AzureOrganization;
	pat: AzurePat | null;
	params: Record<string, string>;
	model: AzureModel;
}

export interface AzureResponse {
	body: unknown;
	headers?: Record<string, string>;
}

export interface AzureRoute {
	/** A regular expression over the path after `/azure-devops/{organization}` (matched without regard to case). */
	pattern: RegExp;
	/** Names of the pattern's groups, in order. */
	names: string[];
	/** The route's kind in the request counters. */
	kind: string;
	/** GET (and HEAD) by default; POST routes read a JSON body. */
	method?: 'GET' | 'POST';
	/** Scopes any of which lets a PAT call it; empty: any caller (connectionData). */
	scopes: string[];
	/** No `api-version` needed (connectionData, which the field client asks for without one). */
	unversioned?: boolean;
	handle(req: AzureRequest): AzureResponse | Promise<AzureResponse>;
}

export class AzureError extends Error {
	readonly status: number;
	readonly body: Record<string, unknown>;
	readonly headers: Record<string, string | string[]>;
	constructor(status: number, body: Record<string, unknown>, headers: Record<string, string | string[]> = {}) {
		super(String(body.message));
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

/** Azure DevOps's exception body: `typeKey` is the class name, `typeName` it with its assembly. */
export function vssError(status: number, message: string, typeKey: string, assembly = 'Microsoft.VisualStudio.Services.WebApi', extra: Record<string, unknown> = {}, headers: Record<string, string | string[]> = {}): AzureError {
	const namespace = typeKey.startsWith('Git') ? 'Microsoft.TeamFoundation.Git.Server' : typeKey.startsWith('Project') ? 'Microsoft.TeamFoundation.Core.WebApi' : 'Microsoft.VisualStudio.Services.WebApi';
	return new AzureError(
		status,
		{ $id: '1', ...extra, innerException: null, message, typeName: `${namespace}.${typeKey}, ${assembly}`, typeKey, errorCode: 0, eventId: 3000 },
		{ 'x-tfs-serviceerror': encodeURIComponent(message), ...headers }
	);
}

/** A work item tracking exception (`Microsoft.TeamFoundation.WorkItemTracking.Server.*`, eventId 3200), or another namespace's. */
export function witError(status: number, message: string, typeKey: string, namespace = 'Microsoft.TeamFoundation.WorkItemTracking.Server', eventId = 3200): AzureError {
	return new AzureError(
		status,
		{ $id: '1', innerException: null, message, typeName: `${namespace}.${typeKey}, ${namespace}`, typeKey, errorCode: 0, eventId },
		{ 'x-tfs-serviceerror': encodeURIComponent(message) }
	);
}

/** A request body or WIQL text the server cannot read (`VssPropertyValidationException`). */
export const propertyValidation = (message: string) => witError(400, message, 'VssPropertyValidationException', 'Microsoft.VisualStudio.Services.Common', 3000);

/** TF401232: what a missing, deleted or unreadable work item answers. */
export const workItemNotFound = (id: number | string) =>
	witError(404, `TF401232: Work item ${id} does not exist, or you do not have permissions to read it.`, 'WorkItemUnauthorizedAccessException');

export const projectNotFound = (name: string) =>
	vssError(
		404,
		`TF200016: The following project does not exist: ${name}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
		'ProjectDoesNotExistWithNameException',
		'Microsoft.TeamFoundation.Core.WebApi'
	);

export const repositoryNotFound = (ref: string) =>
	vssError(404, `TF401019: The Git repository with name or identifier ${ref} does not exist or you do not have permissions for the operation you are attempting.`, 'GitRepositoryNotFoundException', 'Microsoft.TeamFoundation.SourceControl.WebServer');

export const pullRequestNotFound = () => vssError(404, 'TF401180: The requested pull request was not found.', 'GitPullRequestNotFoundException', 'Microsoft.TeamFoundation.SourceControl.WebServer');

/** A bad query parameter value, as the REST layer refuses one. */
export const badParameter = (name: string, value: string) =>
	vssError(400, `The value '${value}' is not valid for parameter '${name}'.`, 'InvalidArgumentValueException', 'Microsoft.VisualStudio.Services.Common');

export function integerParam(query: URLSearchParams, name: string, min = 0): number | undefined {
	const value = query.get(name);
	if (value === null || value === '') return undefined;
	if (!/^\d+$/.test(value) || Number(value) < min) throw badParameter(name, value);
	return Number(value);
}

export function timeParam(query: URLSearchParams, name: string): number | undefined {
	const value = query.get(name);
	if (value === null || value === '') return undefined;
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) throw badParameter(name, value);
	return ms;
}

/** A route pattern from a template: `:name` one segment, `:project?` an optional project segment (never `_apis`). */
export function route(template: string): { pattern: RegExp; names: string[] } {
	const names: string[] = [];
	const source = template.replace(/\/:([a-zA-Z]+)(\??)/g, (_, name: string, optional: string) => {
		names.push(name);
		return optional ? '(?:/([^/_][^/]*))?' : '/([^/]+)';
	});
	return { pattern: new RegExp(`^${source}/?$`, 'i'), names };
}
