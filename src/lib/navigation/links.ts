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
