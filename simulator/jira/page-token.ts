// Cloud's enhanced search pages with an opaque `nextPageToken`. Ours remembers the query it
// belongs to and where the last page ended in the query's order (not an offset): a ticket
// changed between pages may move, and show up again or not at all, as on a real site.
import { jiraError } from './http.ts';
import { compareValues, directions, sortValues, type SearchResult } from './search.ts';
import type { Ticket } from './model.ts';

function fingerprint(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return (h >>> 0).toString(36);
}

export function nextPageToken(jql: string, result: SearchResult, last: Ticket): string {
	return Buffer.from(JSON.stringify({ q: fingerprint(jql), a: sortValues(last, result.order) })).toString('base64url');
}

/** Where the page after `token` starts in `result`. */
export function pageStart(jql: string, result: SearchResult, token: string): number {
	let after: Array<number | string>;
	try {
		const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q?: unknown; a?: unknown };
		if (decoded.q !== fingerprint(jql) || !Array.isArray(decoded.a)) throw new Error('another query');
		after = decoded.a as Array<number | string>;
	} catch {
		throw jiraError(400, 'The provided next page token is invalid or does not belong to this query.');
	}
	const dirs = directions(result.order);
	// The first ticket after the token's position: the results are sorted, so a binary search finds it.
	let low = 0;
	let high = result.tickets.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (compareValues(sortValues(result.tickets[mid]!, result.order), after, dirs) <= 0) low = mid + 1;
		else high = mid;
	}
	return low;
}
