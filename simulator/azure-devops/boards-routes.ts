// The Azure Boards routes (paths after `/azure-devops/{organization}`, scope vso.work): work item
// types and their states, WIQL (flat queries, ids only, the 20,000 cap, date precision), work
// items by id and in batches of at most 200, their updates and revisions.
import { badParameter, integerParam, projectNotFound, propertyValidation, route, witError, workItemNotFound, type AzureRequest, type AzureRoute } from './http.ts';
import { orgUrl, time } from './json.ts';
import { fieldDef, type FieldDef } from './processes.ts';
import { parseWiql, runWiql } from './wiql.ts';
import { fieldReferenceJson, fieldsAt, stateJson, updateJson, workItemJson, workItemTypeJson, workItemUrl, type WorkItemExpand } from './work-item-json.ts';
import type { AzureProject } from './model.ts';
import type { WorkItemRecord } from './work-items.ts';
import type { AzList, AzWorkItem, AzWorkItemQueryResult } from './types.ts';

/** What Azure DevOps answers a batch of more ids than this. */
export const BATCH_LIMIT = 200;
/** Updates per page: the default `$top` and its ceiling. */
const UPDATES_PAGE = 200;
/** Any of these lets a PAT read work items. */
const WORK_SCOPES = ['vso.work', 'vso.work_write', 'vso.work_full'];

const list = <T>(value: T[]): AzList<T> => ({ count: value.length, value });

function projectOf(req: AzureRequest): AzureProject | undefined {
	const ref = req.params.project;
	if (ref === undefined) return undefined;
	const project = req.model.project(req.organization, ref);
	if (!project) throw projectNotFound(ref);
	return project;
}

function requireProject(req: AzureRequest): AzureProject {
	const project = projectOf(req);
	if (!project) throw projectNotFound('');
	return project;
}

const argumentNull = (name: string) => witError(400, `Value cannot be null.\r\nParameter name: ${name}`, 'ArgumentNullException', 'System', 3000);

const fieldNotFound = (name: string) => witError(400, `TF51535: Cannot find field ${name}.`, 'WorkItemTrackingFieldDefinitionNotFoundException');

function fieldsParam(names: string[] | undefined): FieldDef[] | null {
	if (names === undefined || names.length === 0) return null;
	return names.map((name) => {
		const field = fieldDef(name.trim());
		if (!field) throw fieldNotFound(name.trim());
		return field;
	});
}

const EXPANDS: WorkItemExpand[] = ['none', 'relations', 'fields', 'links', 'all'];

/** `$expand` by name (any case) or the field client's number (WorkItemExpand). */
function expandParam(value: unknown, name = '$expand'): WorkItemExpand {
	if (value === undefined || value === null || value === '') return 'none';
	const text = String(value).toLowerCase();
	const expand = /^\d$/.test(text) ? EXPANDS[Number(text)] : EXPANDS.find((e) => e === text);
	if (!expand) throw badParameter(name, String(value));
	return expand;
}

/** `errorPolicy`: `fail` (default) or `omit`, or the field client's number (1, 2). */
function errorPolicyParam(value: unknown): 'fail' | 'omit' {
	if (value === undefined || value === null || value === '') return 'fail';
	const text = String(value).toLowerCase();
	if (text === 'fail' || text === '1') return 'fail';
	if (text === 'omit' || text === '2') return 'omit';
	throw badParameter('errorPolicy', String(value));
}

function asOfParam(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const ms = Date.parse(String(value));
	if (Number.isNaN(ms)) throw badParameter('asOf', String(value));
	return ms;
}

/** Work items by id, as a batch or `?ids=` answers them: in the order asked, `null` for the missing ones under `omit`. */
function readWorkItems(req: AzureRequest, input: { ids: number[]; fields: FieldDef[] | null; expand: WorkItemExpand; policy: 'fail' | 'omit'; asOf: number | undefined }): Array<AzWorkItem | null> {
	if (input.ids.length > BATCH_LIMIT) {
		throw witError(400, `VS403474: You requested ${input.ids.length} work items which exceeds the limit of ${BATCH_LIMIT}`, 'VssPropertyValidationException', 'Microsoft.VisualStudio.Services.Common', 3000);
	}
	if (input.fields && input.expand !== 'none') throw propertyValidation('The expand parameter can not be used with the fields parameter.');
	return input.ids.map((id) => {
		const item = req.model.boards.item(req.organization, id);
		const values = item && fieldsAt(item, { ms: input.asOf });
		if (!item || !values) {
			if (input.policy === 'omit') return null;
			throw workItemNotFound(id);
		}
		return workItemJson(req.origin, item, { fields: input.fields, expand: input.expand, values });
	});
}

function itemOf(req: AzureRequest): WorkItemRecord {
	projectOf(req);
	const ref = req.params.id ?? '';
	if (!/^\d+$/.test(ref)) throw badParameter('id', ref);
	const item = req.model.boards.item(req.organization, Number(ref));
	if (!item) throw workItemNotFound(ref);
	return item;
}

export function boardsRoutes(): AzureRoute[] {
	const routes: Array<Omit<AzureRoute, 'pattern' | 'names'> & { path: string }> = [
		{
			path: '/:project/_apis/wit/workitemtypes',
			kind: 'wit.workItemTypes',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const project = requireProject(req);
				const process = req.model.boards.processOf(project);
				return { body: list(process.types.map((type) => workItemTypeJson(req.origin, project, process, type))) };
			}
		},
		{
			path: '/:project/_apis/wit/workitemtypes/:type',
			kind: 'wit.workItemType',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const project = requireProject(req);
				const type = req.model.boards.typeOf(project, req.params.type ?? '');
				if (!type) throw witError(404, `VS402323: Work item type ${req.params.type} does not exist.`, 'WorkItemTypeNotFoundException');
				return { body: workItemTypeJson(req.origin, project, req.model.boards.processOf(project), type) };
			}
		},
		{
			path: '/:project/_apis/wit/workitemtypes/:type/states',
			kind: 'wit.workItemTypeStates',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const project = requireProject(req);
				const type = req.model.boards.typeOf(project, req.params.type ?? '');
				if (!type) throw witError(404, `VS402323: Work item type ${req.params.type} does not exist.`, 'WorkItemTypeNotFoundException');
				return { body: list(stateJson(type)) };
			}
		},
		{
			// `{org}[/{project}[/{team}]]/_apis/wit/wiql`: the team is accepted and ignored.
			path: '/:project?/:team?/_apis/wit/wiql',
			kind: 'wit.wiql',
			method: 'POST',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const project = projectOf(req);
				const body = req.body as { query?: unknown } | null | undefined;
				if (!body || typeof body !== 'object' || typeof body.query !== 'string' || body.query.trim() === '') throw argumentNull('wiql');
				const precision = (req.query.get('timePrecision') ?? 'false').toLowerCase();
				if (precision !== 'true' && precision !== 'false') throw badParameter('timePrecision', req.query.get('timePrecision') ?? '');
				const top = integerParam(req.query, '$top', 1);
				const query = parseWiql(body.query);
				const now = Date.now();
				const boards = req.model.boards;
				const hits = runWiql(query, boards.organizationItems(req.organization), {
					organization: req.organization,
					project,
					timePrecision: precision === 'true',
					me: req.pat!.identity,
					now,
					projectNamed: (name) => req.organization.projects.find((p) => p.name.toLowerCase() === name.toLowerCase())
				});
				const returned = top === undefined ? hits : hits.slice(0, top);
				if (returned.length > boards.wiqlLimit) {
					throw witError(
						400,
						`VS402337: The number of work items returned exceeds the size limit of ${boards.wiqlLimit}. Change the query to return fewer items.`,
						'WorkItemTrackingQueryResultSizeLimitExceededException'
					);
				}
				const base = orgUrl(req.origin, req.organization);
				const result: AzWorkItemQueryResult = {
					queryType: 'flat',
					queryResultType: 'workItem',
					asOf: time(now),
					columns: query.fields.map((f) => fieldReferenceJson(base, f)),
					sortColumns: query.orderBy.map((o) => ({ field: fieldReferenceJson(base, o.field), descending: o.descending })),
					workItems: returned.map((item) => ({ id: item.id, url: `${base}/_apis/wit/workItems/${item.id}` }))
				};
				return { body: result };
			}
		},
		{
			path: '/:project?/_apis/wit/workitemsbatch',
			kind: 'wit.workItemsBatch',
			method: 'POST',
			scopes: WORK_SCOPES,
			handle: (req) => {
				projectOf(req);
				const body = req.body as { ids?: unknown; fields?: unknown; $expand?: unknown; errorPolicy?: unknown; asOf?: unknown } | null | undefined;
				if (!body || typeof body !== 'object' || body.ids === undefined || body.ids === null) throw argumentNull('ids');
				if (!Array.isArray(body.ids) || !body.ids.every((id) => Number.isInteger(id) && (id as number) > 0)) throw propertyValidation('The ids must be a list of work item ids.');
				if (body.fields !== undefined && body.fields !== null && (!Array.isArray(body.fields) || !body.fields.every((f) => typeof f === 'string'))) throw propertyValidation('The fields must be a list of field reference names.');
				const value = readWorkItems(req, {
					ids: body.ids as number[],
					fields: fieldsParam((body.fields as string[] | null | undefined) ?? undefined),
					expand: expandParam(body.$expand),
					policy: errorPolicyParam(body.errorPolicy),
					asOf: asOfParam(body.asOf)
				});
				return { body: list(value) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems',
			kind: 'wit.workItems.list',
			scopes: WORK_SCOPES,
			handle: (req) => {
				projectOf(req);
				const ids = req.query.get('ids');
				if (ids === null || ids.trim() === '') throw argumentNull('ids');
				const parsed = ids.split(',').map((s) => s.trim());
				if (!parsed.every((s) => /^\d+$/.test(s))) throw badParameter('ids', ids);
				const value = readWorkItems(req, {
					ids: parsed.map(Number),
					fields: fieldsParam(req.query.get('fields')?.split(',')),
					expand: expandParam(req.query.get('$expand')),
					policy: errorPolicyParam(req.query.get('errorPolicy')),
					asOf: asOfParam(req.query.get('asOf'))
				});
				return { body: list(value) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems/:id',
			kind: 'wit.workItems.get',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const item = itemOf(req);
				const fields = fieldsParam(req.query.get('fields')?.split(','));
				const expand = expandParam(req.query.get('$expand'));
				if (fields && expand !== 'none') throw propertyValidation('The expand parameter can not be used with the fields parameter.');
				const values = fieldsAt(item, { ms: asOfParam(req.query.get('asOf')) });
				if (!values) throw workItemNotFound(item.id);
				return { body: workItemJson(req.origin, item, { fields, expand, values }) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems/:id/updates',
			kind: 'wit.updates.list',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const item = itemOf(req);
				const top = Math.min(integerParam(req.query, '$top', 1) ?? UPDATES_PAGE, UPDATES_PAGE);
				const skip = integerParam(req.query, '$skip') ?? 0;
				const page = item.revisions.slice(skip, skip + top).map((_, i) => updateJson(req.origin, item, skip + i));
				return { body: list(page) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems/:id/updates/:number',
			kind: 'wit.updates.get',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const item = itemOf(req);
				const number = Number(req.params.number);
				if (!/^\d+$/.test(req.params.number ?? '') || number < 1 || number > item.revisions.length) {
					throw witError(404, `VS402332: Update ${req.params.number} of work item ${item.id} does not exist.`, 'WorkItemUpdateNotFoundException');
				}
				return { body: updateJson(req.origin, item, number - 1) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems/:id/revisions',
			kind: 'wit.revisions.list',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const item = itemOf(req);
				const top = integerParam(req.query, '$top', 1) ?? UPDATES_PAGE;
				const skip = integerParam(req.query, '$skip') ?? 0;
				const expand = expandParam(req.query.get('$expand'));
				const page = item.revisions.slice(skip, skip + top).map((r) => workItemJson(req.origin, item, { expand, values: fieldsAt(item, { rev: r.rev })!, url: `${workItemUrl(req.origin, item)}/revisions/${r.rev}` }));
				return { body: list(page) };
			}
		},
		{
			path: '/:project?/_apis/wit/workitems/:id/revisions/:number',
			kind: 'wit.revisions.get',
			scopes: WORK_SCOPES,
			handle: (req) => {
				const item = itemOf(req);
				const number = Number(req.params.number);
				if (!/^\d+$/.test(req.params.number ?? '') || number < 1 || number > item.revisions.length) {
					throw witError(404, `VS402333: Revision ${req.params.number} of work item ${item.id} does not exist.`, 'WorkItemRevisionNotFoundException');
				}
				const expand = expandParam(req.query.get('$expand'));
				return { body: workItemJson(req.origin, item, { expand, values: fieldsAt(item, { rev: number })!, url: `${workItemUrl(req.origin, item)}/revisions/${number}` }) };
			}
		}
	];
	return routes.map(({ path, ...rest }) => ({ ...route(path), ...rest }));
}
