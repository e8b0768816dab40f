// Azure Boards: an organisation's projects as ticket projects (their work item types, and each
// type's states with Azure's state categories), and their work items as tickets with the status
// history their updates tell. Incremental like Jira's: a pass asks WIQL for the ids of the work
// items changed since the mark (to the second: `timePrecision=true`, without which WIQL compares
// days), by ascending id (a work item changed while the pass runs keeps its place), a thousand at a
// time (WIQL refuses a query that finds more than 20,000); reads them 200 at a time
// (workitemsbatch) and each one's updates for its state changes; stores each page with the cursor.
import type { WorkItem, WorkItemStateColor, WorkItemType, WorkItemUpdate, WorkItemQueryResult } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import type { StatusCategory, TicketWorkflow } from '#core/domain/tickets/ticket-project.ts';
import type { ApiQuota, DiscoveredTicketProject, TicketBatch, TicketRecord, TicketRun, TicketStatusChangeRecord } from '../provider.ts';
import { inLanes, lanesFor } from '../shared/lanes.ts';
import { pageWriter } from '../shared/page-writer.ts';
import { listProjects, projectUrl } from './discovery.ts';
import type { AzureSession } from './session.ts';
import type { AzIdentity, AzList } from './types.ts';

/** Dates as strings, every field optional (as types.ts does for the git interfaces). */
type Wire<T> = T extends Date ? string : T extends Array<infer U> ? Array<Wire<U>> : T extends object ? { [K in keyof T]?: Wire<T[K]> } : T;
type AzWorkItem = Wire<WorkItem>;
type AzWorkItemType = Wire<WorkItemType>;
type AzUpdate = Wire<WorkItemUpdate>;
type AzQueryResult = Wire<WorkItemQueryResult>;

/** Azure's state categories in our words. Resolved is done but not yet verified: still in progress. Removed is out of the work: done. */
export function azureCategory(category: string | undefined): StatusCategory {
	switch (category) {
		case 'InProgress':
		case 'Resolved':
			return 'in-progress';
		case 'Completed':
		case 'Removed':
			return 'done';
		default:
			return 'to-do';
	}
}

/** The work item types of a project, each state once with its category. */
export function workflowOfTypes(types: readonly AzWorkItemType[]): TicketWorkflow {
	const statuses = new Map<string, StatusCategory>();
	const enabled = types.filter((t) => t.name && t.isDisabled !== true);
	for (const type of enabled) for (const state of (type.states ?? []) as Array<Wire<WorkItemStateColor>>) if (state.name && !statuses.has(state.name)) statuses.set(state.name, azureCategory(state.category));
	// Tasks are the parts of a backlog item, as Jira's sub-tasks are of a ticket.
	return { statuses: [...statuses].map(([name, category]) => ({ name, category })), types: enabled.map((t) => ({ name: t.name!, subtask: t.name === 'Task' })) };
}

const workflowLanes = 4;

export async function discoverBoards(session: AzureSession, heartbeat: () => void): Promise<DiscoveredTicketProject[]> {
	const projects = (await listProjects(session, heartbeat)).filter((p) => p.id && p.name);
	return inLanes(
		projects,
		() => lanesFor(session.quota(), workflowLanes),
		async (project) => {
			const { data } = await session.get<AzList<AzWorkItemType>>(`/${encodeURIComponent(project.name!)}/_apis/wit/workitemtypes`, {}, 'the work item types of a project');
			heartbeat();
			return { providerId: project.id!.toLowerCase(), key: project.name!, name: project.name!, url: `${projectUrl(session.baseUrl, project.name!)}/_workitems`, workflow: workflowOfTypes(data.value ?? []) };
		}
	);
}

export interface BoardsCursor {
	/** Work items changed at or after this instant are read by the next pass; null: every one. */
	since: string | null;
	/** A pass under way: when it began, the last id stored, work items read so far. */
	pass?: { startedAt: string; afterId: number; read: number };
}

/** The clocks may differ, and a change may land just as a pass begins. */
const clockMarginMs = 5 * 60_000;
/** Ids a WIQL query returns at once (its hard limit is 20,000). */
const idsPerQuery = 1_000;
/** workitemsbatch takes 200 ids at most. */
const itemsPerBatch = 200;
const updateLanes = 8;
const updatesPerPage = 200;

const fields = [
	'System.Id',
	'System.TeamProject',
	'System.WorkItemType',
	'System.Title',
	'System.State',
	'System.AssignedTo',
	'System.CreatedBy',
	'System.CreatedDate',
	'System.ChangedDate',
	'Microsoft.VSTS.Common.Priority',
	'Microsoft.VSTS.Common.ClosedDate',
	'Microsoft.VSTS.Scheduling.StoryPoints',
	'Microsoft.VSTS.Scheduling.Effort'
];

const time = (value: unknown): Date | null => {
	if (typeof value !== 'string' || !value) return null;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? null : date;
};
const person = (value: unknown): string | null => {
	if (typeof value === 'string') return value || null;
	const identity = value as AzIdentity | undefined;
	return identity?.displayName ?? identity?.uniqueName ?? null;
};

export function workItemRecord(item: AzWorkItem, baseUrl: string, project: string, workflow: TicketWorkflow): TicketRecord | null {
	const f = (item.fields ?? {}) as Record<string, unknown>;
	const created = time(f['System.CreatedDate']);
	const changed = time(f['System.ChangedDate']);
	const state = typeof f['System.State'] === 'string' ? f['System.State'] : null;
	if (!item.id || !created || !changed || !state) return null;
	const points = f['Microsoft.VSTS.Scheduling.StoryPoints'] ?? f['Microsoft.VSTS.Scheduling.Effort'];
	const priority = f['Microsoft.VSTS.Common.Priority'];
	return {
		providerId: String(item.id),
		key: `#${item.id}`,
		title: typeof f['System.Title'] === 'string' ? f['System.Title'] : '',
		type: typeof f['System.WorkItemType'] === 'string' ? f['System.WorkItemType'] : 'Unknown',
		priority: typeof priority === 'number' || typeof priority === 'string' ? String(priority) : null,
		status: state,
		statusCategory: workflow.statuses.find((s) => s.name === state)?.category ?? 'to-do',
		assignee: person(f['System.AssignedTo']),
		reporter: person(f['System.CreatedBy']),
		storyPoints: typeof points === 'number' && Number.isFinite(points) ? points : null,
		url: `${projectUrl(baseUrl, project)}/_workitems/edit/${item.id}`,
		createdAt: created,
		updatedAt: changed,
		resolvedAt: time(f['Microsoft.VSTS.Common.ClosedDate'])
	};
}

/**
 * The state moves among a work item's updates. An update's revisedDate is when it was superseded
 * (9999-01-01 for the latest), so the time of the change is the ChangedDate it set.
 */
export function stateChanges(workItemId: string, updates: readonly AzUpdate[]): TicketStatusChangeRecord[] {
	const changes: TicketStatusChangeRecord[] = [];
	for (const update of updates) {
		const state = update.fields?.['System.State'];
		const to = state?.newValue;
		const at = time(update.fields?.['System.ChangedDate']?.newValue) ?? time(update.revisedDate);
		if (typeof to !== 'string' || !at || update.id === undefined) continue;
		changes.push({
			ticketProviderId: workItemId,
			providerId: String(update.id),
			from: typeof state?.oldValue === 'string' ? state.oldValue : null,
			to,
			author: person(update.revisedBy),
			changedAt: at
		});
	}
	return changes;
}

async function updatesOf(session: AzureSession, project: string, id: number): Promise<AzUpdate[]> {
	const updates: AzUpdate[] = [];
	for (let skip = 0; ; skip += updatesPerPage) {
		const { data } = await session.get<AzList<AzUpdate>>(`/${encodeURIComponent(project)}/_apis/wit/workItems/${id}/updates`, { $top: updatesPerPage, $skip: skip }, 'a work item’s updates');
		const page = data.value ?? [];
		updates.push(...page);
		if (page.length < updatesPerPage) return updates;
	}
}

/** WIQL's refusal of a query that finds more work items than it returns (VS402337). */
const tooMany = (error: unknown) => error instanceof Error && /VS402337/.test(error.message);

/** The ids WIQL finds after `afterId`, a window of them; narrower windows when Azure says too many. */
async function nextIds(session: AzureSession, project: string, since: string | null, afterId: number): Promise<number[]> {
	const changed = since ? ` AND [System.ChangedDate] >= '${new Date(since).toISOString()}'` : '';
	const query = `SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project${changed} AND [System.Id] > ${afterId} ORDER BY [System.Id] ASC`;
	try {
		const { data } = await session.post<AzQueryResult>(`/${encodeURIComponent(project)}/_apis/wit/wiql`, { query }, { $top: idsPerQuery, timePrecision: 'true' }, 'a work item query (WIQL)');
		return (data.workItems ?? []).map((w) => w.id).filter((id): id is number => typeof id === 'number');
	} catch (error) {
		// A server that counts before it applies $top refuses past 20,000: ask for an id range instead.
		if (!tooMany(error)) throw error;
		for (let span = 10_000; span >= 1; span = Math.floor(span / 4)) {
			const { data } = await session
				.post<AzQueryResult>(`/${encodeURIComponent(project)}/_apis/wit/wiql`, { query: query.replace(' ORDER BY', ` AND [System.Id] <= ${afterId + span} ORDER BY`) }, { timePrecision: 'true' }, 'a work item query (WIQL)')
				.catch((narrower: unknown) => {
					if (tooMany(narrower)) return { data: null };
					throw narrower;
				});
			if (data) return (data.workItems ?? []).map((w) => w.id).filter((id): id is number => typeof id === 'number').slice(0, idsPerQuery);
		}
		throw error;
	}
}

export async function ingestWorkItems(session: AzureSession, run: TicketRun, quota: () => ApiQuota | undefined = () => undefined): Promise<void> {
	const { name: project, workflow } = run.project;
	const stored = run.cursor as BoardsCursor | null;
	const since = stored?.since ?? null;
	let pass = stored?.pass ?? { startedAt: new Date().toISOString(), afterId: 0, read: 0 };
	const writer = pageWriter<TicketBatch>(run);
	try {
		for (;;) {
			const ids = await nextIds(session, project, since, pass.afterId);
			if (ids.length === 0) {
				await writer.write({ tickets: [], statusChanges: [], cursor: { since: new Date(Date.parse(pass.startedAt) - clockMarginMs).toISOString() } }, pass.read, pass.read);
				return;
			}
			for (let i = 0; i < ids.length; i += itemsPerBatch) {
				const chunk = ids.slice(i, i + itemsPerBatch);
				const { data } = await session.post<AzList<AzWorkItem | null>>('/_apis/wit/workitemsbatch', { ids: chunk, fields, errorPolicy: 'omit' }, {}, 'a batch of work items');
				const items = (data.value ?? []).filter((w): w is AzWorkItem => w !== null && typeof w?.id === 'number');
				const histories = await inLanes(items, () => lanesFor(quota(), updateLanes), (item) => updatesOf(session, project, item.id!));
				const batch: TicketBatch = { tickets: [], statusChanges: [], cursor: {} };
				items.forEach((item, index) => {
					const record = workItemRecord(item, session.baseUrl, project, workflow);
					if (!record) return;
					batch.tickets.push(record);
					batch.statusChanges.push(...stateChanges(record.providerId, histories[index]!));
				});
				pass = { ...pass, afterId: chunk[chunk.length - 1]!, read: pass.read + items.length };
				batch.cursor = { since, pass } satisfies BoardsCursor;
				await writer.write(batch, pass.read, pass.read + (ids.length - i - chunk.length));
			}
		}
	} finally {
		await writer.finish();
	}
}
