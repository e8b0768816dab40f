// Ticket projects as the product shows them: their workflow as the provider lists it, the
// settings a person chooses (which statuses mean in progress and done, which ticket types count)
// and the defaults the workflow's own categories give until someone chooses.
import type { RepoDataStatus } from '#core/domain/integrations/providers.ts';

/** Every ticket system sorts its statuses into these (Jira's status categories, Azure Boards' state categories). */
export const statusCategories = ['to-do', 'in-progress', 'done'] as const;
export type StatusCategory = (typeof statusCategories)[number];
export const statusCategoryLabels: Record<StatusCategory, string> = { 'to-do': 'To do', 'in-progress': 'In progress', done: 'Done' };

export interface WorkflowStatus {
	name: string;
	category: StatusCategory;
}

export interface TicketType {
	name: string;
	/** Sub-tasks are parts of another ticket: not counted unless chosen. */
	subtask: boolean;
}

export interface TicketWorkflow {
	statuses: WorkflowStatus[];
	types: TicketType[];
}

export interface TicketProjectSettings {
	inProgress: string[];
	done: string[];
	types: string[];
}

/** What the project's own categories say, until a person chooses otherwise. */
export function defaultTicketSettings(workflow: TicketWorkflow): TicketProjectSettings {
	return {
		inProgress: workflow.statuses.filter((s) => s.category === 'in-progress').map((s) => s.name),
		done: workflow.statuses.filter((s) => s.category === 'done').map((s) => s.name),
		types: workflow.types.filter((t) => !t.subtask).map((t) => t.name)
	};
}

export function effectiveTicketSettings(workflow: TicketWorkflow, settings: TicketProjectSettings | null): TicketProjectSettings {
	return settings ?? defaultTicketSettings(workflow);
}

/**
 * Checks a person's choice against the workflow: every named status and type must be the
 * project's, a status cannot mean both in progress and done, and at least one type counts.
 */
export function checkTicketSettings(workflow: TicketWorkflow, settings: TicketProjectSettings): Record<string, string> {
	const errors: Record<string, string> = {};
	const statuses = new Set(workflow.statuses.map((s) => s.name));
	const types = new Set(workflow.types.map((t) => t.name));
	const unknownStatus = [...settings.inProgress, ...settings.done].find((s) => !statuses.has(s));
	if (unknownStatus !== undefined) errors.statuses = `“${unknownStatus}” is not a status of this project’s workflow (refresh to list it again).`;
	const both = settings.inProgress.find((s) => settings.done.includes(s));
	if (both !== undefined) errors.statuses = `“${both}” cannot mean both in progress and done.`;
	if (settings.done.length === 0) errors.done = 'Choose at least one status that means done.';
	const unknownType = settings.types.find((t) => !types.has(t));
	if (unknownType !== undefined) errors.types = `“${unknownType}” is not a ticket type of this project.`;
	if (settings.types.length === 0) errors.types = 'Choose at least one ticket type to count.';
	return errors;
}

/** A ticket project as pages and live events carry it. */
export interface TicketProjectSummary {
	id: string;
	integrationId: string;
	organizationId: string;
	key: string;
	name: string;
	url: string | null;
	imported: boolean;
	dataStatus: RepoDataStatus;
	statusDetail: string | null;
	lastUpdatedAt: string | null;
	tickets: number;
	progressDone: number;
	progressTotal: number;
	workflow: TicketWorkflow;
	/** Null: the defaults. */
	settings: TicketProjectSettings | null;
	version: number;
	/** Which of two views of it is newer (a page load's or an event's). */
	revision: number;
}

export const ticketProjectStatusText: Record<RepoDataStatus, { label: string; explanation: string; tone: 'ok' | 'bad' | 'run' | 'warn' | 'idle' }> = {
	queued: { label: 'Queued', explanation: 'Waiting for its turn in the current update.', tone: 'idle' },
	fetching: { label: 'Fetching', explanation: 'Reading new and changed tickets and their history from the provider.', tone: 'run' },
	processing: { label: 'Processing', explanation: 'Storing tickets and their status changes.', tone: 'run' },
	healthy: { label: 'Healthy', explanation: 'Up to date as of its last update.', tone: 'ok' },
	'rate-limited': { label: 'Rate limited', explanation: 'Waiting for the provider’s limit to reset; it carries on from where it stopped.', tone: 'warn' },
	blocked: { label: 'Blocked', explanation: 'Cannot be read: bad credentials, no permission to browse it, or deleted upstream. Fix and update again.', tone: 'bad' },
	failed: { label: 'Failed', explanation: 'The last update failed; the reason is shown with it.', tone: 'bad' },
	excluded: { label: 'Not imported', explanation: 'Known but not imported; import it to ingest its tickets.', tone: 'idle' }
};
