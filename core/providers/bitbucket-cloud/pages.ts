// Bitbucket Cloud's paged lists: `{values, next, page, pagelen}`, the next page named by a full
// URL. Pages are asked for by number through the field client (the URL is not followed: the
// client sends requests to the API's own origin only), until an answer has no `next`.
export interface CloudPage<T> {
	values?: readonly T[];
	next?: string;
}

/** Every item of a list, page after page; `pages` stops early (a probe needs one). */
export async function allPages<T>(read: (page: number) => Promise<CloudPage<T> | undefined>, options: { pages?: number; onPage?: () => void } = {}): Promise<T[]> {
	const items: T[] = [];
	for (let page = 1; ; page++) {
		const answer = await read(page);
		options.onPage?.();
		items.push(...(answer?.values ?? []));
		if (!answer?.next || (options.pages !== undefined && page >= options.pages)) return items;
	}
}
