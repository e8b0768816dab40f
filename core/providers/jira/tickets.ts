// One Jira project's tickets, incrementally: a pass reads every ticket updated since the mark
// (JQL, ordered by key: a ticket changed while the pass runs keeps its place, so none is skipped;
// one that newly matches is read, perhaps twice, which writes nothing the second time), with its
// status history, page by page; each page is stored with a cursor that says where the pass
// stands, so a killed worker's retry carries on from there. When the pass ends the mark becomes
// the pass's start, less a margin for the two clocks.
import type { TicketBatch, TicketRecord, TicketRun, TicketStatusChangeRecord } from '../provider.ts';
import { categoryOf, jiraTime, type JiraApi, type JiraHistory, type JiraIssue, type PagePosition } from './api.ts';
import { JiraError } from './errors.ts';
import { pageWriter } from '../shared/page-writer.ts';
import { jqlTime } from './jql-time.ts';

export interface JiraTicketCursor {
	/** Tickets updated at or after this instant are read by the next pass; null: every ticket. */
	since: string | null;
	/** A pass under way: when it began, its next page, tickets read so far. */
	pass?: { startedAt: string; page: PagePosition; read: number };
}

/** Jira's clock and ours may differ, and an update may land just as a pass begins. */
export const clockMarginMs = 5 * 60_000;
const pageSize = 100;

const baseFields = ['summary', 'issuetype', 'priority', 'status', 'assignee', 'reporter', 'created', 'updated', 'resolutiondate'];

const named = (value: unknown, field = 'name'): string | null => {
	if (typeof value !== 'object' || value === null) return null;
	const name = (value as Record<string, unknown>)[field];
	return typeof name === 'string' && name ? name : null;
};

export function ticketRecord(issue: JiraIssue, baseUrl: string, pointsField: string | null): TicketRecord | null {
	const f = issue.fields;
	const created = jiraTime(f.created);
	const updated = jiraTime(f.updated);
	const status = named(f.status);
	if (!created || !updated || !status) return null;
	const points = pointsField ? f[pointsField] : null;
	const statusCategory = typeof f.status === 'object' && f.status !== null ? (f.status as { statusCategory?: { key?: string } }).statusCategory?.key : undefined;
	return {
		providerId: issue.id,
		key: issue.key,
		title: typeof f.summary === 'string' ? f.summary : '',
		type: named(f.issuetype) ?? 'Unknown',
		priority: named(f.priority),
		status,
		statusCategory: categoryOf(statusCategory),
		assignee: named(f.assignee, 'displayName'),
		reporter: named(f.reporter, 'displayName'),
		storyPoints: typeof points === 'number' && Number.isFinite(points) ? points : null,
		url: `${baseUrl}/browse/${encodeURIComponent(issue.key)}`,
		createdAt: created,
		updatedAt: updated,
		resolvedAt: jiraTime(f.resolutiondate)
	};
}

/** The status moves among an issue's histories; each item keeps its place in its history as part of its id. */
export function statusChanges(issueId: string, histories: readonly JiraHistory[]): TicketStatusChangeRecord[] {
	const changes: TicketStatusChangeRecord[] = [];
	for (const history of histories) {
		history.items.forEach((item, index) => {
			if ((item.fieldId ?? item.field) !== 'status' || !item.toString) return;
			changes.push({ ticketProviderId: issueId, providerId: `${history.id}:${index}`, from: item.fromString ?? null, to: item.toString, author: history.author, changedAt: history.created });
		});
	}
	return changes;
}

export async function ingestJiraTickets(api: JiraApi, baseUrl: string, run: TicketRun): Promise<void> {
	const [account, pointsField] = await Promise.all([api.myself(), api.storyPointsField()]);
	const stored = run.cursor as JiraTicketCursor | null;
	const since = stored?.since ?? null;
	let pass = stored?.pass ?? { startedAt: new Date().toISOString(), page: null, read: 0 };
	// The project by id: a renamed key still finds it.
	const jql = `project = ${Number(run.project.providerId) || JSON.stringify(run.project.providerId)}${since ? ` AND updated >= "${jqlTime(new Date(since), account.timeZone)}"` : ''} ORDER BY key ASC`;
	const fields = pointsField ? [...baseFields, pointsField] : baseFields;
	// Each page is stored while the next is read; the cursor a page carries is stored with it.
	const writer = pageWriter<TicketBatch>(run);
	try {
		for (let restarted = false; ; ) {
			let page;
			try {
				page = await api.search({ jql, fields, page: pass.page, maxResults: pageSize });
			} catch (error) {
				// Cloud's page tokens do not last: a retry that comes back late starts its pass again.
				if (error instanceof JiraError && error.category === 'bad-request' && typeof pass.page === 'string' && !restarted) {
					restarted = true;
					pass = { ...pass, page: null, read: 0 };
					continue;
				}
				throw error;
			}
			const whole = await api.fullHistories(page.issues);
			const batch: TicketBatch = { tickets: [], statusChanges: [], cursor: {} };
			for (const issue of page.issues) {
				const record = ticketRecord(issue, baseUrl, pointsField);
				if (!record) continue;
				batch.tickets.push(record);
				batch.statusChanges.push(...statusChanges(issue.id, whole.get(issue.id) ?? issue.histories));
			}
			const read = pass.read + page.issues.length;
			const finished = page.next === null || page.issues.length === 0;
			const cursor: JiraTicketCursor = finished
				? { since: new Date(Date.parse(pass.startedAt) - clockMarginMs).toISOString() }
				: { since, pass: { startedAt: pass.startedAt, page: page.next, read } };
			batch.cursor = cursor as unknown as Record<string, unknown>;
			await writer.write(batch, read, page.total ?? (finished ? read : read + pageSize));
			if (finished) return;
			pass = cursor.pass!;
		}
	} finally {
		await writer.finish();
	}
}
