// GitHub's page-number pagination: `per_page` (default 30, at most 100), `page`, and a `Link`
// header with next/last/first/prev as they apply, absolute on the host and prefix the request used.
import { intParam, type ApiRequest } from './http.ts';

export interface Page {
	/** Zero-based index of the first item on the page. */
	start: number;
	end: number;
	headers: Record<string, string>;
}

export function paginate(req: ApiRequest, total: number): Page {
	const perPage = Math.min(100, Math.max(1, intParam(req.query, 'per_page', 30)));
	const page = Math.max(1, intParam(req.query, 'page', 1));
	const last = Math.max(1, Math.ceil(total / perPage));
	const link = (n: number, rel: string) => {
		const query = new URLSearchParams(req.query);
		query.set('page', String(n));
		if (!query.has('per_page') && perPage !== 30) query.set('per_page', String(perPage));
		return `<${req.origin}${req.prefix}${req.path}?${query.toString()}>; rel="${rel}"`;
	};
	const links: string[] = [];
	if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
	if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
	if (page > 1) links.push(link(1, 'first'));
	const start = Math.min(total, (page - 1) * perPage);
	return { start, end: Math.min(total, start + perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

/** A page of a list that exists in full. */
export function pageOf<T>(req: ApiRequest, items: T[]): { items: T[]; headers: Record<string, string> } {
	const { start, end, headers } = paginate(req, items.length);
	return { items: items.slice(start, end), headers };
}
