// What Tributary asks of Jira, the same for both editions: who am I, may I browse, the projects
// and their workflows, the story points field, one page of a JQL search with each issue's status
// history, and the rest of a history the search cut short. Cloud answers through jira.js
// (cloud-api.ts), Data Center through a thin client of its /rest/api/2 (data-center-api.ts).
import type { StatusCategory, TicketWorkflow } from '#core/domain/tickets/ticket-project.ts';

export interface JiraAccount {
	/** How people recognise the account: its email, else its name. */
	account: string;
	displayName: string;
	/** JQL's times are read in this zone (the account's profile setting). */
	timeZone: string;
}

export interface JiraProjectInfo {
	id: string;
	key: string;
	name: string;
}

export interface JiraHistoryItem {
	field?: string | null | undefined;
	fieldId?: string | null | undefined;
	from?: string | null | undefined;
	fromString?: string | null | undefined;
	to?: string | null | undefined;
	toString?: string | null | undefined;
}

export interface JiraHistory {
	id: string;
	author: string | null;
	created: Date;
	items: JiraHistoryItem[];
}

export interface JiraIssue {
	id: string;
	key: string;
	fields: Record<string, unknown>;
	histories: JiraHistory[];
	/** The search gave only part of the history (Cloud keeps the latest few): the rest must be asked for. */
	historiesCut: boolean;
}

/** A page position: Cloud's nextPageToken, Data Center's startAt. */
export type PagePosition = string | number | null;

export interface SearchPage {
	issues: JiraIssue[];
	/** Null after the last page. */
	next: PagePosition;
	/** Data Center says how many match; Cloud does not. */
	total: number | null;
}

export interface JiraApi {
	myself(): Promise<JiraAccount>;
	/** Whether the account may browse projects (Jira's BROWSE_PROJECTS, on any project). */
	canBrowse(): Promise<boolean>;
	projects(onPage?: () => void): Promise<JiraProjectInfo[]>;
	workflow(project: JiraProjectInfo): Promise<TicketWorkflow>;
	/** The id of the story points field, when the site has one. */
	storyPointsField(): Promise<string | null>;
	search(request: { jql: string; fields: string[]; page: PagePosition; maxResults: number }): Promise<SearchPage>;
	/** The whole status history of issues whose search answer cut it short, by issue id. */
	fullHistories(issues: JiraIssue[]): Promise<Map<string, JiraHistory[]>>;
}

/** Jira's status categories (statusCategory.key) in our words; "undefined" (no category) counts as to do. */
export function categoryOf(key: string | undefined | null): StatusCategory {
	if (key === 'done') return 'done';
	if (key === 'indeterminate') return 'in-progress';
	return 'to-do';
}

/** The statuses of every issue type of a project, once each, and its issue types. */
export function workflowFrom(types: ReadonlyArray<{ name?: string | undefined; subtask?: boolean | undefined; statuses?: ReadonlyArray<{ name?: string | undefined; statusCategory?: { key?: string | undefined } | undefined }> | undefined }>): TicketWorkflow {
	const statuses = new Map<string, StatusCategory>();
	for (const type of types) for (const status of type.statuses ?? []) if (status.name && !statuses.has(status.name)) statuses.set(status.name, categoryOf(status.statusCategory?.key));
	return {
		statuses: [...statuses].map(([name, category]) => ({ name, category })),
		types: types.filter((t) => t.name).map((t) => ({ name: t.name!, subtask: t.subtask === true }))
	};
}

/** A time as Jira sends it ("2026-11-30T14:05:09.123+0000") or as jira.js parsed it. */
export function jiraTime(value: unknown): Date | null {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
	if (typeof value !== 'string' || !value) return null;
	// "+0000" is ISO 8601's basic form of an offset; Date.parse wants "+00:00".
	const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
	return Number.isNaN(date.getTime()) ? null : date;
}

/** Story point estimates the site's custom fields may be named by, and their types. */
export const storyPointNames = ['story points', 'story point estimate'];
export const storyPointTypes = ['com.pyxis.greenhopper.jira:jsw-story-points', 'com.atlassian.jira.plugin.system.customfieldtypes:float'];

export function findStoryPointsField(fields: ReadonlyArray<{ id?: string | undefined; name?: string | undefined; custom?: boolean | undefined; schema?: { custom?: string | undefined } | undefined }>): string | null {
	const candidates = fields.filter((f) => f.id && f.custom && storyPointNames.includes((f.name ?? '').toLowerCase()));
	// Jira Software's own estimate field first, then any number field so named.
	const best = candidates.find((f) => f.schema?.custom === storyPointTypes[0]) ?? candidates.find((f) => storyPointTypes.includes(f.schema?.custom ?? '')) ?? candidates[0];
	return best?.id ?? null;
}
