import { fail, redirect } from '@sveltejs/kit';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings } from '#core/config.ts';
import { readForm } from '#core/forms.ts';
import { broadcastIntegration } from '#core/integrations/broadcast.ts';
import {
	checkAvailability,
	createGenericGitIntegration,
	credentialsFrom,
	DuplicateRepositoryError,
	genericGitForm,
	parseUrls,
	testRepositories
} from '#core/providers/generic-git/form.ts';
import { startUpdate } from '#lib/server/integrations/operations.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard('integrations.manage', () => ({ allowedSchemes: readSettings().gitAllowedSchemes }));

export const actions: Actions = {
	default: guard('integrations.manage', async ({ request }, user) => {
		const form = readForm(await request.formData(), genericGitForm);
		// Secrets are never sent back to the page, whatever happens.
		if (!form.ok) return fail(400, { errors: form.errors, values: form.values, failures: [] as string[] });
		const values = { name: form.data.name, urls: form.data.urls, authMethod: form.data.authMethod, username: form.data.username ?? '' };
		const repositories = parseUrls(form.data.urls);
		if (!repositories.ok) return fail(400, { errors: repositories.errors, values, failures: [] as string[] });
		const credentials = credentialsFrom(form.data, repositories.value);
		if (!credentials.ok) return fail(400, { errors: credentials.errors, values, failures: [] as string[] });

		const { db } = database();
		const taken = await checkAvailability(db, user.organizationId, repositories.value);
		if (taken.length > 0) return fail(409, { errors: { urls: taken.join(' ') }, values, failures: [] as string[] });

		// The connection is tested before anything is saved.
		const tested = await testRepositories(db, user, repositories.value, credentials.value);
		if ('limited' in tested) return fail(429, { errors: { urls: tested.limited } as Record<string, string>, values, failures: [] as string[] });
		if (tested.failures.length > 0) return fail(400, { errors: {} as Record<string, string>, values, failures: tested.failures });

		let integrationId: string;
		try {
			const integration = await createGenericGitIntegration(db, user, {
				name: form.data.name,
				repositories: repositories.value,
				credentials: credentials.value,
				deploymentsFromTags: form.data.deploymentsFromTags === 'on'
			});
			broadcastIntegration(realtime(), integration, 'added');
			integrationId = integration.id;
		} catch (error) {
			if (!(error instanceof DuplicateRepositoryError)) throw error;
			return fail(409, { errors: { urls: error.message }, values, failures: [] as string[] });
		}
		await startUpdate(user, integrationId);
		redirect(303, `/integrations/${integrationId}?added=1`);
	})
};
