// A ticket project's tickets, with the pull requests that mention each, and its settings.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { statusCategories } from '#core/domain/tickets/ticket-project.ts';
import { getTicketProject, listProjectTickets } from '#core/tickets/projects-page.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { database } from '#lib/server/runtime.ts';
import type { PageServerLoad } from './$types';

const pageSize = 50;

const filterSchema = z.object({
	q: z.string().trim().max(200).catch(''),
	category: z.enum(statusCategories).optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = guard('integrations.view', async ({ params, url }, user) => {
	if (!z.uuid().safeParse(params.projectId).success) error(404, 'There is no such ticket project.');
	const { db } = database();
	const found = await getTicketProject(db, user.organizationId, params.projectId);
	if (!found) error(404, 'There is no such ticket project in your organisation.');
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const result = await listProjectTickets(db, user.organizationId, found.project, { text: filter.q || undefined, category: filter.category, page: filter.page, pageSize });
	return { ...found, ...result, filter: { ...filter, page: result.page }, pageSize };
});
