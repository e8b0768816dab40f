// The Ticket projects page (SPEC F8): the organisation's ticket projects, imported or available,
// with their status; managers import them or remove them (removing deletes their tickets).
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { importTabs } from '#core/domain/integrations/import-tabs.ts';
import { repoDataStatuses } from '#core/domain/integrations/providers.ts';
import { integrationsWithTickets, listTicketProjectsPage, ticketProjectSortColumns, type TicketProjectSortColumn } from '#core/tickets/projects-page.ts';
import { broadcastTicketProject } from '#core/tickets/projects.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { setTicketProjectImported, ticketProjectRemoval } from '#lib/server/integrations/ticket-projects-settings.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const pageSize = 25;

const filterSchema = z.object({
	tab: z.enum(importTabs).catch('imported'),
	q: z.string().trim().max(200).catch(''),
	integration: z.uuid().optional().catch(undefined),
	status: z.enum(repoDataStatuses).optional().catch(undefined),
	sort: z.enum(Object.keys(ticketProjectSortColumns) as [TicketProjectSortColumn, ...TicketProjectSortColumn[]]).catch('key'),
	dir: z.enum(['asc', 'desc']).catch('asc'),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = guard('integrations.view', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const { db } = database();
	const [result, integrations] = await Promise.all([
		listTicketProjectsPage(db, user.organizationId, {
			tab: filter.tab,
			text: filter.q || undefined,
			integrationId: filter.integration,
			status: filter.status,
			sort: filter.sort,
			direction: filter.dir,
			page: filter.page,
			pageSize
		}),
		integrationsWithTickets(db, user.organizationId)
	]);
	return { ...result, integrations, filter: { ...filter, page: result.page }, pageSize };
});

export const actions: Actions = {
	// Removing deletes the project's tickets: the server asks first, with how many go.
	setImported: guard('integrations.manage', async ({ request }, user) => {
		const form = await request.formData();
		const projectId = z.uuid().safeParse(form.get('projectId'));
		const imported = form.get('imported');
		if (!projectId.success || (imported !== 'yes' && imported !== 'no')) return fail(400, { message: 'Choose a ticket project and whether to import it.' });
		const { db } = database();
		if (imported === 'no' && form.get('confirm') !== 'yes') {
			const removal = await ticketProjectRemoval(db, user.organizationId, projectId.data);
			if (!removal) return fail(404, { message: 'There is no such ticket project in your organisation.' });
			return fail(409, { confirmRemoveProject: removal });
		}
		const outcome = await setTicketProjectImported(db, user, { projectId: projectId.data }, imported === 'yes');
		if (!outcome.ok) return fail(outcome.status, { message: outcome.message });
		broadcastTicketProject(realtime(), outcome.project);
		return { saved: outcome.message };
	})
};
