// A ticket as an issue in an answer, with its changelog when asked (`expand=changelog`). Data
// Center embeds the whole changelog; Cloud only the latest histories (40 in search results, 100
// on the issue itself), so a client must read `total` and fetch the rest from
// `/issue/{key}/changelog` or `/changelog/bulkfetch`.
import { fieldValues, type FieldSelection } from './fields.ts';
import { historyJson, type View } from './json.ts';
import type { Ticket } from './model.ts';
import type { JiraEmbeddedChangelog, JiraIssueJson } from './types.ts';

export const EXPANDABLE = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

/** `expand` as sent: comma-separated, or a list (POST bodies). */
export function expands(raw: unknown, what: string): boolean {
	const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
	return list.some((item) => typeof item === 'string' && item.trim() === what);
}

/** The changelog embedded in an issue: the latest `limit` histories (all when null), oldest first. */
export function embeddedChangelog(v: View, ticket: Ticket, limit: number | null): JiraEmbeddedChangelog {
	const total = ticket.histories.length;
	const histories = limit === null ? ticket.histories : ticket.histories.slice(Math.max(0, total - limit));
	return { startAt: 0, maxResults: histories.length, total, histories: histories.map((h) => historyJson(v, h)) };
}

export function issueJson(v: View, ticket: Ticket, selection: FieldSelection, changelogLimit?: number | null): JiraIssueJson {
	if (selection.idOnly && changelogLimit === undefined) return { id: String(ticket.id) };
	return {
		expand: EXPANDABLE,
		id: String(ticket.id),
		self: `${v.api}/issue/${ticket.id}`,
		key: ticket.key,
		...(changelogLimit === undefined ? {} : { changelog: embeddedChangelog(v, ticket, changelogLimit) }),
		fields: fieldValues(v, ticket, selection)
	};
}
