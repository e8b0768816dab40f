// What every list page reads from its address (the integrations table, Repos, Ticket projects):
// a text search, a sort column of its own and a direction, a page; anything unreadable falls back
// to the default rather than failing the page. Pages add their own filters to the shape.
import { z } from 'zod';
import { importTabs } from '#core/domain/integrations/import-tabs.ts';
import { repoDataStatuses } from '#core/domain/integrations/providers.ts';

export const listPageSize = 25;

export function listFilter<Sort extends string>(sortColumns: Record<Sort, unknown>, defaultSort: NoInfer<Sort>) {
	return z.object({
		q: z.string().trim().max(200).catch(''),
		sort: z.enum(Object.keys(sortColumns) as [Sort, ...Sort[]]).catch(defaultSort),
		dir: z.enum(['asc', 'desc']).catch('asc'),
		page: z.coerce.number().int().min(1).max(100_000).catch(1)
	});
}

/** Repos and Ticket projects: the same list with the imported / available tabs, by integration and status. */
export function importListFilter<Sort extends string>(sortColumns: Record<Sort, unknown>, defaultSort: NoInfer<Sort>) {
	return listFilter(sortColumns, defaultSort).extend({
		tab: z.enum(importTabs).catch('imported'),
		integration: z.uuid().optional().catch(undefined),
		status: z.enum(repoDataStatuses).optional().catch(undefined)
	});
}

/** The filter as a page's query for its list function. */
export function importListQuery<Sort extends string>(filter: z.infer<ReturnType<typeof importListFilter<Sort>>>) {
	return { tab: filter.tab, text: filter.q || undefined, integrationId: filter.integration, status: filter.status, sort: filter.sort, direction: filter.dir, page: filter.page, pageSize: listPageSize };
}
