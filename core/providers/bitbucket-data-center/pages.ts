// Data Center's paged lists: `{values, start, limit, isLastPage, nextPageStart}`. Pages are asked
// for by `start` until one says it is the last.
export interface ServerPage<T> {
	values?: readonly T[];
	isLastPage?: boolean;
	nextPageStart?: number;
	size?: number;
}

export async function allServerPages<T>(read: (start: number) => Promise<ServerPage<T> | undefined>, options: { onPage?: () => void } = {}): Promise<T[]> {
	const items: T[] = [];
	let start = 0;
	for (;;) {
		const page = await read(start);
		options.onPage?.();
		items.push(...(page?.values ?? []));
		if (!page || page.isLastPage !== false || typeof page.nextPageStart !== 'number' || page.nextPageStart <= start) return items;
		start = page.nextPageStart;
	}
}
