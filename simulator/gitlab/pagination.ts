// GitLab's two paginations. Offset: `page` and `per_page` (default 20, at most 100), the
// `x-page`/`x-per-page`/`x-next-page`/`x-prev-page`/`x-total`/`x-total-pages` headers and a
// `Link` with prev/next/first/last, all on the request's own origin, path and query; past
// 10,000 items GitLab stops counting and leaves out `x-total`, `x-total-pages` and rel="last".
// Keyset (project lists, `pagination=keyset&order_by=id`): only a rel="next" link carrying
// `id_after` (ascending) or `id_before` (descending), no totals.
import { API_PREFIX, GitLabError, integerParam, oneOf, type GitLabRequest } from './http.ts';

interface Page {
	/** Zero-based index of the first item on the page, and one past the last. */
	start: number;
	end: number;
	headers: Record<string, string>;
}

const COUNT_LIMIT = 10_000;

function perPageOf(req: GitLabRequest): number {
	return Math.min(100, Math.max(1, integerParam(req.query, 'per_page') ?? 20));
}

function href(req: GitLabRequest, change: Record<string, string>, drop: string[] = []): string {
	const query = new URLSearchParams(req.query);
	for (const name of drop) query.delete(name);
	for (const [name, value] of Object.entries(change)) query.set(name, value);
	return `${req.origin}${API_PREFIX}${req.path}?${query.toString()}`;
}

export function offsetPage(req: GitLabRequest, total: number): Page {
	const perPage = perPageOf(req);
	const page = Math.max(1, integerParam(req.query, 'page') ?? 1);
	const pages = Math.max(1, Math.ceil(total / perPage));
	const counted = total <= COUNT_LIMIT;
	// As Kaminari: a page past the end has neither a next nor a previous page.
	const inRange = page <= pages;
	const prev = inRange && page > 1 ? page - 1 : null;
	const next = inRange && page < pages ? page + 1 : null;
	const link = (n: number, rel: string) => `<${href(req, { page: String(n), per_page: String(perPage) })}>; rel="${rel}"`;
	const links = [...(prev ? [link(prev, 'prev')] : []), ...(next ? [link(next, 'next')] : []), link(1, 'first'), ...(counted ? [link(pages, 'last')] : [])];
	const headers: Record<string, string> = {
		'x-page': String(page),
		'x-per-page': String(perPage),
		'x-next-page': next ? String(next) : '',
		'x-prev-page': prev ? String(prev) : '',
		link: links.join(', ')
	};
	if (counted) {
		headers['x-total'] = String(total);
		headers['x-total-pages'] = String(pages);
	}
	const start = Math.min(total, (page - 1) * perPage);
	return { start, end: Math.min(total, start + perPage), headers };
}

/** A page of a list that exists in full. */
export function offsetPageOf<T>(req: GitLabRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
	const { start, end, headers } = offsetPage(req, items.length);
	return { items: items.slice(start, end), headers };
}

export function wantsKeyset(req: GitLabRequest): boolean {
	return req.query.get('pagination') === 'keyset';
}

/** A keyset page of `items` (already filtered by `id_after`/`id_before`), ordered by id as `sort` asks. */
export function keysetPageOf<T extends { id: number }>(req: GitLabRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
	if (req.query.get('order_by') !== 'id') throw new GitLabError(405, { error: 'Keyset pagination is not yet available for this type of request' });
	const sort = oneOf(req.query, 'sort', ['asc', 'desc'], 'desc');
	const ordered = [...items].sort((a, b) => (sort === 'asc' ? a.id - b.id : b.id - a.id));
	const page = ordered.slice(0, perPageOf(req));
	const headers: Record<string, string> = {};
	if (ordered.length > page.length) {
		const bound = sort === 'asc' ? 'id_after' : 'id_before';
		const next = `<${href(req, { [bound]: String(page.at(-1)!.id) }, ['page', 'id_after', 'id_before'])}>; rel="next"`;
		// GitLab sends the deprecated `Links` beside `Link`.
		headers.link = next;
		headers.links = next;
	}
	return { items: page, headers };
}

/** GitLab's `id_after`/`id_before` filters, which keyset links carry. */
export function idBounds<T extends { id: number }>(req: GitLabRequest, items: T[]): T[] {
	const after = integerParam(req.query, 'id_after');
	const before = integerParam(req.query, 'id_before');
	return items.filter((item) => (after === undefined || item.id > after) && (before === undefined || item.id < before));
}
