// The fields of a ticket: what `GET /field` lists (system fields and the two custom ones, whose
// ids differ between Cloud and Data Center), each one's value on a ticket, and which of them a
// request's `fields` parameter asks for (`*all`, `*navigable`, ids, `-id` to leave one out).
import { issueTypeJson, priorityJson, projectJson, resolutionJson, statusJson, time, userJson, type View } from './json.ts';
import type { Flavour } from './flavour.ts';
import type { Ticket } from './model.ts';
import type { JiraFieldJson } from './types.ts';
import { resolutionOf } from './workflow.ts';

interface FieldSpec {
	id: string;
	name: string;
	/** `schema`: `{type, system}` for system fields; custom fields get theirs from the flavour. */
	type?: string;
	items?: string;
	orderable?: boolean;
	searchable?: boolean;
	clauseNames: string[];
	/** Cloud only. */
	cloudOnly?: boolean;
	value(v: View, ticket: Ticket): unknown;
}

/** A linked ticket as `parent` and `subtasks` show it. */
function linked(v: View, ticket: Ticket) {
	return {
		id: String(ticket.id),
		key: ticket.key,
		self: `${v.api}/issue/${ticket.id}`,
		fields: { summary: ticket.summary, status: statusJson(v, ticket.status), priority: priorityJson(v, ticket.priority), issuetype: issueTypeJson(v, ticket.type) }
	};
}

const SYSTEM: FieldSpec[] = [
	{ id: 'summary', name: 'Summary', type: 'string', orderable: true, clauseNames: ['summary'], value: (_v, t) => t.summary },
	{ id: 'issuetype', name: 'Issue Type', type: 'issuetype', orderable: true, clauseNames: ['issuetype', 'type'], value: (v, t) => issueTypeJson(v, t.type) },
	{ id: 'project', name: 'Project', type: 'project', orderable: false, clauseNames: ['project'], value: (v, t) => projectJson(v, t.project) },
	{ id: 'status', name: 'Status', type: 'status', orderable: false, clauseNames: ['status'], value: (v, t) => statusJson(v, t.status) },
	{ id: 'priority', name: 'Priority', type: 'priority', orderable: true, clauseNames: ['priority'], value: (v, t) => priorityJson(v, t.priority) },
	{ id: 'assignee', name: 'Assignee', type: 'user', orderable: true, clauseNames: ['assignee'], value: (v, t) => (t.assignee ? userJson(v, t.assignee) : null) },
	{ id: 'reporter', name: 'Reporter', type: 'user', orderable: true, clauseNames: ['reporter'], value: (v, t) => userJson(v, t.reporter) },
	{ id: 'creator', name: 'Creator', type: 'user', orderable: false, clauseNames: ['creator'], value: (v, t) => userJson(v, t.reporter) },
	{ id: 'created', name: 'Created', type: 'datetime', orderable: false, clauseNames: ['created', 'createdDate'], value: (v, t) => time(v, t.created) },
	{ id: 'updated', name: 'Updated', type: 'datetime', orderable: false, clauseNames: ['updated', 'updatedDate'], value: (v, t) => time(v, t.updated) },
	{ id: 'resolutiondate', name: 'Resolved', type: 'datetime', orderable: false, clauseNames: ['resolutiondate', 'resolved'], value: (v, t) => (t.resolutiondate === null ? null : time(v, t.resolutiondate)) },
	{ id: 'resolution', name: 'Resolution', type: 'resolution', orderable: true, clauseNames: ['resolution'], value: (v, t) => resolutionJson(v, resolutionOf(t.status)) },
	{ id: 'statuscategorychangedate', name: 'Status Category Changed', type: 'datetime', orderable: false, clauseNames: ['statusCategoryChangedDate'], cloudOnly: true, value: (v, t) => time(v, t.statusCategoryChanged) },
	{ id: 'labels', name: 'Labels', type: 'array', items: 'string', orderable: true, clauseNames: ['labels'], value: () => [] },
	{ id: 'description', name: 'Description', type: 'string', orderable: true, clauseNames: ['description'], value: () => null },
	{ id: 'parent', name: 'Parent', orderable: false, clauseNames: ['parent'], value: (v, t) => (t.parent ? linked(v, t.parent) : undefined) },
	{ id: 'subtasks', name: 'Sub-tasks', type: 'array', items: 'issuelinks', orderable: false, clauseNames: ['subtasks'], value: (v, t) => t.subtasks.map((s) => linked(v, s)) },
	{ id: 'issuekey', name: 'Key', orderable: false, searchable: false, clauseNames: ['id', 'issue', 'issuekey', 'key'], value: () => undefined }
];

function fields(flavour: Flavour): FieldSpec[] {
	const custom = [
		{ spec: flavour.storyPoints, value: (_v: View, t: Ticket) => (t.type.estimated ? t.storyPoints : null) },
		{ spec: flavour.sprint, value: () => null }
	].map(({ spec, value }) => ({ id: spec.id, name: spec.name, clauseNames: spec.clauseNames, orderable: true, value }));
	return [...SYSTEM.filter((f) => flavour.name === 'cloud' || !f.cloudOnly), ...custom];
}

const BY_FLAVOUR = new Map<string, FieldSpec[]>();
function catalogue(flavour: Flavour): FieldSpec[] {
	let list = BY_FLAVOUR.get(flavour.name);
	if (!list) BY_FLAVOUR.set(flavour.name, (list = fields(flavour)));
	return list;
}

/** `GET /field`: every field with its schema. */
export function fieldsJson(flavour: Flavour): JiraFieldJson[] {
	const customs = [flavour.storyPoints, flavour.sprint];
	return catalogue(flavour).map((field) => {
		const custom = customs.find((c) => c.id === field.id);
		const schema = custom
			? { type: custom.type, ...(custom.items ? { items: custom.items } : {}), custom: custom.custom, customId: custom.customId }
			: field.type
				? { type: field.type, ...(field.items ? { items: field.items } : {}), system: field.id }
				: undefined;
		return {
			id: field.id,
			...(flavour.name === 'cloud' ? { key: field.id } : {}),
			name: field.name,
			...(flavour.name === 'cloud' ? { untranslatedName: field.name } : {}),
			custom: custom !== undefined,
			orderable: field.orderable ?? false,
			navigable: true,
			searchable: field.searchable ?? true,
			clauseNames: field.clauseNames,
			...(schema ? { schema } : {})
		};
	});
}

/** Which fields an answer carries. */
export interface FieldSelection {
	/** Field ids, in the catalogue's order. */
	ids: string[];
	/** Cloud's enhanced search without `fields`: each issue is its id and nothing else. */
	idOnly: boolean;
}

/**
 * `fields` as sent: ids, `*all`, `*navigable` (here: the same), `-id` to leave one out. Ids the
 * site does not have are ignored, as Jira does. `fallback` is what no `fields` means.
 */
export function selectFields(flavour: Flavour, requested: string[] | undefined, fallback: 'all' | 'id'): FieldSelection {
	const all = catalogue(flavour).map((f) => f.id);
	if (requested === undefined || requested.length === 0) return fallback === 'all' ? { ids: all, idOnly: false } : { ids: [], idOnly: true };
	const wanted = new Set<string>();
	const without = new Set<string>();
	for (const name of requested) {
		if (name === '*all' || name === '*navigable') all.forEach((id) => wanted.add(id));
		else if (name.startsWith('-')) without.add(name.slice(1));
		else wanted.add(name);
	}
	if ([...wanted].every((name) => name === 'id') && without.size === 0) return { ids: [], idOnly: true };
	return { ids: all.filter((id) => wanted.has(id) && !without.has(id)), idOnly: false };
}

/** Whether the selection asks for more than ids and keys (Cloud's enhanced search then pages by 100 at most). */
export const wantsFieldValues = (selection: FieldSelection) => selection.ids.some((id) => id !== 'issuekey');

/** The selected fields' values on a ticket (a field without a value, like a story's `parent`, is left out). */
export function fieldValues(v: View, ticket: Ticket, selection: FieldSelection): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	const specs = catalogue(v.flavour);
	for (const id of selection.ids) {
		const spec = specs.find((f) => f.id === id)!;
		const value = spec.value(v, ticket);
		if (value !== undefined) values[id] = value;
	}
	return values;
}
