// What the list pages (integrations, repos, ticket projects) sort and search by, the same way on
// every page: text as it is shown, without regard to case, in the same order on every server; a
// status by its label; searched text taken literally.
import { sql, type Expression, type RawBuilder } from 'kysely';

/** A column as a table shows it, compared without regard to case, in the same order on every server. */
export const shownText = (text: Expression<string | null>): RawBuilder<string | null> => sql<string | null>`lower(${text}) collate "C"`;

/** A coded column (a kind, a status) sorted by the label a person reads for each code. */
export function shownLabel(column: Expression<string>, labels: Record<string, string>): RawBuilder<string | null> {
	return shownText(sql`case ${column} ${sql.join(Object.entries(labels).map(([value, label]) => sql`when ${value} then ${label}`), sql` `)} end`);
}

/** An ILIKE pattern finding `text` as typed: `%`, `_` and `\` are characters, not LIKE's wildcards and escape. */
export function likePattern(text: string): string {
	return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
