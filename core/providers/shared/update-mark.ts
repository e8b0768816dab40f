// Where an incremental read of "what changed since" stands: the newest update time stored, and
// which items (by their number in the repository) were stored at exactly that instant. Providers
// that list pull requests by update time (GitLab's updated_after, Bitbucket Cloud's
// `updated_on >=`) start each page again from the mark, which includes that instant, and leave
// out the items already stored at it: a list that shifts while it is paged (an item updated
// meanwhile moves to the end) then skips nothing and repeats nothing.

/** Type alias, not an interface: cursors are stored as JSON. */
export type UpdateMark = { updatedAt: string; ids: number[] };

/** Something listed by update time: its number in the repository, and its last update (ISO 8601). */
export interface Updated {
	id: number;
	updatedAt: string;
}

const time = (iso: string) => Date.parse(iso);

/** Whether an item is past the mark: updated later, or at the mark's instant and not yet stored. */
export function isPast(item: Updated, mark: UpdateMark | null): boolean {
	if (!mark) return true;
	const at = time(item.updatedAt);
	const since = time(mark.updatedAt);
	return at > since || (at === since && !mark.ids.includes(item.id));
}

/** The mark after a page (oldest update first): moved to its last update, or grown by it at the same instant. Never backwards. */
export function advanceMark(mark: UpdateMark | null, page: readonly Updated[]): UpdateMark | null {
	const last = page[page.length - 1];
	if (!last || (mark && time(last.updatedAt) < time(mark.updatedAt))) return mark;
	const atLast = page.filter((item) => time(item.updatedAt) === time(last.updatedAt)).map((item) => item.id);
	if (mark && time(mark.updatedAt) === time(last.updatedAt)) return { updatedAt: mark.updatedAt, ids: [...new Set([...mark.ids, ...atLast])] };
	return { updatedAt: last.updatedAt, ids: atLast };
}
