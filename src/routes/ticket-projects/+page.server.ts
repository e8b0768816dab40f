// The Ticket projects page (SPEC F8): the organisation's ticket projects, imported or available,
// with their status; managers import them or remove them (removing deletes their tickets).
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { integrationsWithTickets, listTicketProjectsPage, ticketProjectSortColumns } from '#core/tickets/projects-page.ts';
import { broadcastTicketProject } from '#core/tickets/projects.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { importListFilter, importListQuery, listPageSize } from '#lib/server/list-filter.ts';
import { setTicketProjectImported, ticketProjectRemoval } from '#lib/server/integrations/ticket-projects-settings.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const filterSchema = importListFilter(ticketProjectSortColumns, 'key');

export const load: PageServerLoad = guard('integrations.view', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const { db } = database();
	const [result, integrations] = await Promise.all([
		listTicketProjectsPage(db, user.organizationId, importListQuery(filter)),
		integrationsWithTickets(db, user.organizationId)
	]);
	return { ...result, integrations, filter: { ...filter, page: result.page }, pageSize: listPageSize };
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
