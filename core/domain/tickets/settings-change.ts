// A ticket project's settings in words: what a status means under them, and what changed between
// two versions of them (said to a person whose save was refused because someone else saved first).
// Pure: the server and the browser share it.
import { statusCategoryLabels, type StatusCategory, type TicketProjectSettings, type TicketWorkflow } from './ticket-project.ts';

/** What a status means under the settings: in progress, done, or (neither) to do. */
export function meaningOf(settings: TicketProjectSettings, status: string): StatusCategory {
	if (settings.done.includes(status)) return 'done';
	if (settings.inProgress.includes(status)) return 'in-progress';
	return 'to-do';
}

const quoted = (names: string[]) => (names.length === 0 ? 'none' : names.map((n) => `“${n}”`).join(', '));

/** Each difference between two settings of a project, as a short sentence; none when they mean the same. */
export function describeTicketSettingsChange(workflow: TicketWorkflow, before: TicketProjectSettings, after: TicketProjectSettings): string[] {
	const lines: string[] = [];
	const statuses = [...new Set([...workflow.statuses.map((s) => s.name), ...before.inProgress, ...before.done, ...after.inProgress, ...after.done])];
	for (const status of statuses) {
		const was = meaningOf(before, status);
		const now = meaningOf(after, status);
		if (was !== now) lines.push(`“${status}” now means ${statusCategoryLabels[now].toLowerCase()} (it meant ${statusCategoryLabels[was].toLowerCase()})`);
	}
	const added = after.types.filter((t) => !before.types.includes(t));
	const removed = before.types.filter((t) => !after.types.includes(t));
	if (added.length > 0) lines.push(`${quoted(added)} now ${added.length === 1 ? 'counts' : 'count'}`);
	if (removed.length > 0) lines.push(`${quoted(removed)} no longer ${removed.length === 1 ? 'counts' : 'count'}`);
	return lines;
}

/** The settings in one line each, for a project's page. */
export function summarizeTicketSettings(settings: TicketProjectSettings): { inProgress: string; done: string; types: string } {
	const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
	return { inProgress: list(settings.inProgress), done: list(settings.done), types: list(settings.types) };
}
