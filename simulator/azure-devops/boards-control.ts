// The Azure Boards side of the control API (`/_simulator/azure-devops/…`): create, change and
// delete work items (each change a new revision, now, delivered as `workitem.*` service hooks),
// and lower the WIQL result cap for tests.
import { ControlError, int, str, type Body, type ControlRoute } from '../shared/control.ts';
import { orgUrl } from './json.ts';
import { azureEvent, type AzureDelivery, type AzureServiceHooks } from './service-hooks.ts';
import { fieldChangesJson, identityReference, NEVER_REVISED, updateJson, workItemJson, workItemUrl, workItemWebUrl } from './work-item-json.ts';
import { DEFAULT_WIQL_LIMIT, type WorkItemIntent, type WorkItemRecord, type WorkItemRevision } from './work-items.ts';
import type { AzureIdentity, AzureModel } from './model.ts';
import type { AzWorkItem, AzWorkItemUpdate } from './types.ts';

export interface BoardsControlContext {
	model: AzureModel;
	hooks: AzureServiceHooks;
	origin: () => string;
}

export interface AzureWorkItemResult {
	/** The work item with every field, as the REST API answers it. */
	workItem: AzWorkItem;
	/** `{org}/{project}/_workitems/edit/{id}`. */
	webUrl: string;
	deliveries: AzureDelivery[];
}

export interface AzureWorkItemUpdateResult extends AzureWorkItemResult {
	/** The new revision as `GET …/updates` lists it. */
	update: AzWorkItemUpdate;
}

export function boardsControlRoutes(context: BoardsControlContext): ControlRoute[] {
	const { model, hooks } = context;
	const boards = model.boards;

	const userOf = (body: Body): AzureIdentity => {
		const name = str(body, 'user');
		if (!name) return model.viewer;
		const identity = model.identityByRef(name);
		if (!identity) throw new ControlError(400, `No user ${name}.`);
		return identity;
	};
	const itemOf = (params: Record<string, string>): WorkItemRecord => {
		const organization = model.organization(params.org ?? '');
		if (!organization) throw new ControlError(404, `No organisation ${params.org}.`);
		const item = boards.item(organization, Number(params.id));
		if (!item) throw new ControlError(404, `No work item ${params.id} in ${organization.name} (or it is in the recycle bin).`);
		return item;
	};
	/** The fields a body sets; `assignedTo: null` unassigns, `estimate: null` clears. */
	const intentOf = (body: Body, item: { type: WorkItemRecord['type'] }): WorkItemIntent => {
		const intent: WorkItemIntent = {};
		const title = str(body, 'title');
		if (title !== undefined) {
			if (title.trim() === '') throw new ControlError(400, '"title" may not be empty.');
			intent.title = title;
		}
		if (body.assignedTo === null) intent.assignedTo = null;
		else {
			const assignee = str(body, 'assignedTo');
			if (assignee !== undefined) {
				const identity = model.identityByRef(assignee);
				if (!identity) throw new ControlError(400, `No user ${assignee}.`);
				intent.assignedTo = identity;
			}
		}
		const priority = int(body, 'priority', 1);
		if (priority !== undefined) {
			if (priority > 4) throw new ControlError(400, '"priority" must be 1, 2, 3 or 4.');
			intent.priority = priority;
		}
		if (body.estimate === null) intent.estimate = null;
		else if (body.estimate !== undefined) {
			if (typeof body.estimate !== 'number' || body.estimate < 0) throw new ControlError(400, '"estimate" must be a number ≥ 0, or null.');
			if (!item.type.estimate) throw new ControlError(400, `A ${item.type.name} has no story points or effort.`);
			intent.estimate = body.estimate;
		}
		const state = str(body, 'state');
		if (state !== undefined) {
			const def = item.type.states.find((s) => s.name.toLowerCase() === state.toLowerCase());
			if (!def) throw new ControlError(400, `A ${item.type.name} has no state ${state}: one of ${item.type.states.map((s) => s.name).join(', ')}.`);
			intent.state = def;
		}
		return intent;
	};

	const summary = (item: WorkItemRecord) => `${item.type.name} #${item.id} (${String(item.fields.get('System.Title'))})`;
	const details = (item: WorkItemRecord) =>
		`\r\n\r\n- Area: ${String(item.fields.get('System.AreaPath'))}\r\n- Iteration: ${String(item.fields.get('System.IterationPath'))}\r\n- State: ${String(item.fields.get('System.State'))}\r\n- Assigned to: ${(item.fields.get('System.AssignedTo') as AzureIdentity | undefined)?.displayName ?? 'Unassigned'}`;
	const fullItem = (item: WorkItemRecord) => workItemJson(context.origin(), item, { expand: 'links' });
	const result = (item: WorkItemRecord, deliveries: AzureDelivery[]): AzureWorkItemResult => ({ workItem: workItemJson(context.origin(), item), webUrl: workItemWebUrl(context.origin(), item), deliveries });

	function updatedEvent(item: WorkItemRecord, revision: WorkItemRevision, by: AzureIdentity) {
		const origin = context.origin();
		const base = orgUrl(origin, item.project.organization);
		const url = workItemUrl(origin, item);
		const resource = {
			id: revision.rev,
			workItemId: item.id,
			rev: revision.rev,
			revisedBy: identityReference(base, by),
			revisedDate: NEVER_REVISED,
			fields: fieldChangesJson(base, revision.changes),
			_links: { self: { href: `${url}/updates/${revision.rev}` }, workItemUpdates: { href: `${url}/updates` }, parent: { href: url } },
			url: `${url}/updates/${revision.rev}`,
			revision: { id: item.id, rev: revision.rev, fields: workItemJson(origin, item).fields, url: `${url}/revisions/${revision.rev}` }
		};
		const message = `${summary(item)} updated by ${by.displayName}`;
		return hooks.emitForProject(item.project, azureEvent(origin, item.project, 'workitem.updated', message, `${message}${details(item)}`, resource));
	}

	return [
		{
			method: 'POST',
			path: '/_simulator/azure-devops/projects/:org/:project/workitems',
			handle: async (params, body) => {
				const organization = model.organization(params.org ?? '');
				const project = organization && model.project(organization, params.project ?? '');
				if (!project) throw new ControlError(404, `No project ${params.org}/${params.project}.`);
				const typeName = str(body, 'type');
				const type = typeName === undefined ? boards.processOf(project).types[0]! : boards.typeOf(project, typeName);
				if (!type) throw new ControlError(400, `No work item type ${typeName} in ${project.name} (${boards.processOf(project).name}): one of ${boards.processOf(project).types.map((t) => t.name).join(', ')}.`);
				if (body.state !== undefined) throw new ControlError(400, 'A new work item starts in its first state: change "state" with PATCH afterwards.');
				const by = userOf(body);
				const item = boards.create(project, type, intentOf(body, { type }), by);
				const message = `${summary(item)} created by ${by.displayName}`;
				const deliveries = await hooks.emitForProject(project, azureEvent(context.origin(), project, 'workitem.created', message, `${message}${details(item)}`, fullItem(item)));
				return result(item, deliveries);
			}
		},
		{
			method: 'PATCH',
			path: '/_simulator/azure-devops/workitems/:org/:id',
			handle: async (params, body): Promise<AzureWorkItemUpdateResult> => {
				const item = itemOf(params);
				const by = userOf(body);
				const revision = boards.update(item, intentOf(body, item), by);
				if (!revision) throw new ControlError(400, 'Nothing to change: give "state", "title", "assignedTo", "priority" or "estimate" with a new value.');
				const deliveries = await updatedEvent(item, revision, by);
				return { ...result(item, deliveries), update: updateJson(context.origin(), item, revision.rev - 1) };
			}
		},
		{
			method: 'DELETE',
			path: '/_simulator/azure-devops/workitems/:org/:id',
			handle: async (params, body) => {
				const item = itemOf(params);
				const by = userOf(body);
				boards.delete(item);
				const message = `${summary(item)} deleted by ${by.displayName}`;
				const deliveries = await hooks.emitForProject(item.project, azureEvent(context.origin(), item.project, 'workitem.deleted', message, `${message}${details(item)}`, fullItem(item)));
				return result(item, deliveries);
			}
		},
		{
			method: 'POST',
			path: '/_simulator/azure-devops/wiql-limit',
			handle: (_params, body) => {
				if (body.limit === null || body.limit === undefined) boards.wiqlLimit = DEFAULT_WIQL_LIMIT;
				else boards.wiqlLimit = int(body, 'limit', 1)!;
				return { limit: boards.wiqlLimit };
			}
		}
	];
}
