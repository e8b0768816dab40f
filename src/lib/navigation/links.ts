// Links of list pages: the same page with some of its query changed (a filter, a sort, a page),
// the rest kept.

/** `path` (already resolved) with `current`'s query, changed by `changes` (undefined or '' removes a key). */
export function withQuery(path: string, current: Pick<URL, 'search'>, changes: Record<string, string | number | undefined>): string {
	const params = new URLSearchParams(current.search);
	for (const [key, value] of Object.entries(changes)) {
		if (value === undefined || value === '') params.delete(key);
		else params.set(key, String(value));
	}
	const query = params.toString();
	return `${path}${query ? `?${query}` : ''}`;
}

/**
 * A named form action of the page at `current`, with its query kept: the answer lands on the same
 * tab, filters, sort and page (a bare `?/name` lands on the page without its query, as a browser's
 * own submission does).
 */
export function actionOf(name: string, current: Pick<URL, 'search'>): string {
	const params = new URLSearchParams(current.search);
	for (const key of [...params.keys()]) if (key.startsWith('/')) params.delete(key);
	const query = params.toString();
	return `?${query ? `${query}&` : ''}/${name}`;
}
