// The list pages (integrations, operations, audit log) page by offset, 1-based.

/** The page to show of `total` rows: a page past the end shows the last one; none shows page 1. */
export function pageWithin(requested: number, total: number, pageSize: number): { page: number; offset: number } {
	const page = Math.max(1, Math.min(requested, Math.ceil(total / pageSize)));
	return { page, offset: (page - 1) * pageSize };
}
