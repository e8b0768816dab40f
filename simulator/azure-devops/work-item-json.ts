// Work items, their updates and work item types as the REST API answers them (and as service
// hooks carry them): dates as ISO 8601 with milliseconds and Z, identities as `IdentityRef`s.
import { identityRef, orgUrl, seg, time } from './json.ts';
import { fieldDef, fieldsOfType, FIELDS, type FieldDef, type ProcessTemplate, type WorkItemTypeDef } from './processes.ts';
import type { AzureIdentity, AzureProject } from './model.ts';
import type { FieldChange, FieldValue, WorkItemRecord } from './work-items.ts';
import type { AzFieldReference, AzFieldValue, AzIdentityReference, AzWorkItem, AzWorkItemStateColor, AzWorkItemType, AzWorkItemUpdate } from './types.ts';

/** What `revisedDate` says of the latest revision: it has not been superseded. */
export const NEVER_REVISED = '9999-01-01T00:00:00Z';

export type WorkItemExpand = 'none' | 'relations' | 'fields' | 'links' | 'all';

export function fieldValueJson(base: string, field: FieldDef | undefined, value: FieldValue): AzFieldValue {
	if (typeof value === 'object') return identityRef(base, value);
	if (field?.kind === 'dateTime') return time(value as number);
	return value;
}

export function fieldReferenceJson(base: string, field: FieldDef): AzFieldReference {
	return { referenceName: field.referenceName, name: field.name, url: `${base}/_apis/wit/fields/${field.referenceName}` };
}

export function identityReference(base: string, identity: AzureIdentity): AzIdentityReference {
	return { ...identityRef(base, identity), id: identity.id, name: `${identity.displayName} <${identity.uniqueName}>`, displayName: identity.displayName, uniqueName: identity.uniqueName };
}

export const workItemUrl = (origin: string, item: WorkItemRecord) => `${orgUrl(origin, item.project.organization)}/${item.project.id}/_apis/wit/workItems/${item.id}`;

/** The work item's page: `{org}/{project}/_workitems/edit/{id}`. */
export const workItemWebUrl = (origin: string, item: WorkItemRecord) => `${orgUrl(origin, item.project.organization)}/${seg(item.project.name)}/_workitems/edit/${item.id}`;

/** A work item's fields as of a moment or a revision (replaying its history); null before it existed. */
export function fieldsAt(item: WorkItemRecord, at: { ms?: number; rev?: number }): Map<string, FieldValue> | null {
	if (at.ms === undefined && at.rev === undefined) return item.fields;
	const fields = new Map<string, FieldValue>();
	let any = false;
	for (const revision of item.revisions) {
		if (at.ms !== undefined && revision.at > at.ms) break;
		if (at.rev !== undefined && revision.rev > at.rev) break;
		any = true;
		for (const [name, change] of Object.entries(revision.changes)) {
			if (change.newValue === undefined) fields.delete(name);
			else fields.set(name, change.newValue);
		}
	}
	return any ? fields : null;
}

export function workItemJson(
	origin: string,
	item: WorkItemRecord,
	options: { fields?: FieldDef[] | null; expand?: WorkItemExpand; values?: Map<string, FieldValue>; url?: string } = {}
): AzWorkItem {
	const base = orgUrl(origin, item.project.organization);
	const values = options.values ?? item.fields;
	const wanted = options.fields ?? FIELDS.filter((f) => f.default);
	const fields: Record<string, AzFieldValue> = {};
	for (const field of wanted) {
		const value = values.get(field.referenceName);
		if (value !== undefined) fields[field.referenceName] = fieldValueJson(base, field, value);
	}
	const url = options.url ?? workItemUrl(origin, item);
	const expand = options.expand ?? 'none';
	const rev = Number(values.get('System.Rev') ?? item.revisions.length);
	const projectBase = `${base}/${item.project.id}/_apis/wit`;
	return {
		id: item.id,
		rev,
		fields,
		...(expand === 'relations' || expand === 'all' ? { relations: [] as [] } : {}),
		...(expand === 'links' || expand === 'all'
			? {
					_links: {
						self: { href: workItemUrl(origin, item) },
						workItemUpdates: { href: `${workItemUrl(origin, item)}/updates` },
						workItemRevisions: { href: `${workItemUrl(origin, item)}/revisions` },
						workItemComments: { href: `${workItemUrl(origin, item)}/comments` },
						html: { href: workItemWebUrl(origin, item) },
						workItemType: { href: `${projectBase}/workItemTypes/${seg(item.type.name)}` },
						fields: { href: `${projectBase}/fields` }
					}
				}
			: {}),
		url
	};
}

export function fieldChangesJson(base: string, changes: Record<string, FieldChange>): AzWorkItemUpdate['fields'] {
	const fields: AzWorkItemUpdate['fields'] = {};
	for (const [name, change] of Object.entries(changes)) {
		const field = fieldDef(name);
		fields[name] = {
			...(change.oldValue === undefined ? {} : { oldValue: fieldValueJson(base, field, change.oldValue) }),
			...(change.newValue === undefined ? {} : { newValue: fieldValueJson(base, field, change.newValue) })
		};
	}
	return fields;
}

/** Update `index` (0-based) of a work item: the revision's changes, who made it, when it was superseded. */
export function updateJson(origin: string, item: WorkItemRecord, index: number): AzWorkItemUpdate {
	const base = orgUrl(origin, item.project.organization);
	const revision = item.revisions[index]!;
	const next = item.revisions[index + 1];
	return {
		id: revision.rev,
		workItemId: item.id,
		rev: revision.rev,
		revisedBy: identityReference(base, revision.by),
		revisedDate: next ? time(next.at) : NEVER_REVISED,
		fields: fieldChangesJson(base, revision.changes),
		url: `${workItemUrl(origin, item)}/updates/${revision.rev}`
	};
}

export const stateJson = (type: WorkItemTypeDef): AzWorkItemStateColor[] => type.states.map((s) => ({ name: s.name, color: s.color, category: s.category }));

export function workItemTypeJson(origin: string, project: AzureProject, process: ProcessTemplate, type: WorkItemTypeDef): AzWorkItemType {
	const base = orgUrl(origin, project.organization);
	const fields = fieldsOfType(process, type)
		.filter((f) => f.default)
		.map((f) => ({ defaultValue: null as unknown as string, alwaysRequired: f.referenceName === 'System.Title', referenceName: f.referenceName, name: f.name, url: `${base}/${project.id}/_apis/wit/fields/${f.referenceName}` }));
	const initial = type.states[0]!.name;
	const transitions: AzWorkItemType['transitions'] = { '': [{ to: initial, actions: null }] };
	for (const from of type.states) transitions[from.name] = type.states.filter((to) => to !== from).map((to) => ({ to: to.name, actions: null }));
	return {
		name: type.name,
		referenceName: type.referenceName,
		description: type.description,
		color: type.color,
		icon: { id: type.icon, url: `${base}/_apis/wit/workItemIcons/${type.icon}?color=${type.color}&v=2` },
		isDisabled: false,
		states: stateJson(type),
		fields,
		fieldInstances: fields,
		transitions,
		url: `${base}/${project.id}/_apis/wit/workItemTypes/${seg(type.name)}`
	};
}
