// The Repos page (SPEC F8): the organisation's repositories, imported or available, with their
// status; managers import them or stop importing them.
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { broadcastRepo } from '#core/integrations/broadcast.ts';
import { toRepoSummary } from '#core/integrations/queries.ts';
import { integrationsWithRepos, listReposPage, repoSortColumns } from '#core/integrations/repos-page.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { importListFilter, importListQuery, listPageSize } from '#lib/server/list-filter.ts';
import { repoRemoval, setRepoImported } from '#lib/server/integrations/repos-settings.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const filterSchema = importListFilter(repoSortColumns, 'name');

export const load: PageServerLoad = guard('integrations.view', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const { db } = database();
	const [result, integrations] = await Promise.all([
		listReposPage(db, user.organizationId, importListQuery(filter)),
		integrationsWithRepos(db, user.organizationId)
	]);
	return { ...result, integrations, filter: { ...filter, page: result.page }, pageSize: listPageSize };
});

export const actions: Actions = {
	// Stopping keeps what was ingested (it goes with the integration's deletion): the server asks
	// first, saying so and how much stays.
	setImported: guard('integrations.manage', async ({ request }, user) => {
		const form = await request.formData();
		const repoId = z.uuid().safeParse(form.get('repoId'));
		const imported = form.get('imported');
		if (!repoId.success || (imported !== 'yes' && imported !== 'no')) return fail(400, { message: 'Choose a repository and whether to import it.' });
		const { db } = database();
		if (imported === 'no' && form.get('confirm') !== 'yes') {
			const removal = await repoRemoval(db, user.organizationId, repoId.data);
			if (!removal) return fail(404, { message: 'There is no such repository in your organisation.' });
			return fail(409, { confirmRemoveRepo: removal });
		}
		const outcome = await setRepoImported(db, user, { repoId: repoId.data }, imported === 'yes');
		if (!outcome.ok) return fail(outcome.status, { message: outcome.message });
		broadcastRepo(realtime(), toRepoSummary(outcome.repo));
		return { saved: outcome.message };
	})
};
