import { fail, redirect } from '@sveltejs/kit';
import { sql } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '#core/accounts/audit.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { credentialsBinding, encryptCredentials } from '#core/crypto/credentials.ts';
import { readForm } from '#core/forms.ts';
import { broadcastIntegration } from '#core/integrations/broadcast.ts';
import { credentialsFrom, describeCredentials, genericGitForm, testRepositories } from '#core/providers/generic-git/form.ts';
import { getIntegration, listRepos } from '#core/integrations/queries.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';
import { integrationForPage } from '#lib/server/integrations/integration-for-page.ts';

const editForm = genericGitForm.omit({ urls: true, deploymentsFromTags: true }).extend({ version: z.coerce.number().int().min(1) });


export const load: PageServerLoad = guard('integrations.manage', async ({ params }, user) => {
	const integration = await integrationForPage(params.id, user.organizationId);
	return { integration, repos: await listRepos(database().db, user.organizationId, integration.id) };
});

export const actions: Actions = {
	default: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const form = readForm(await request.formData(), editForm);
		if (!form.ok) return fail(400, { errors: form.errors, values: form.values, failures: [] as string[] });
		const values = { name: form.data.name, authMethod: form.data.authMethod, username: form.data.username ?? '' };
		const { db } = database();

		// Secrets the form leaves empty keep their stored value, which the web process never reads:
		// the sealed value is kept as it is. Anything else needs the secret typed again.
		const untouched =
			form.data.authMethod === integration.authMethod && !form.data.token && !form.data.privateKey && !form.data.username;
		const changes: Record<string, unknown> = { name: form.data.name, version: sql`version + 1` };
		const before: Record<string, unknown> = { name: integration.name };
		const after: Record<string, unknown> = { name: form.data.name };
		if (!untouched) {
			const repos = await listRepos(db, user.organizationId, integration.id);
			const repositories = repos.map((r) => ({ url: r.url, display: r.url, name: r.name }));
			const credentials = credentialsFrom({ ...form.data, urls: '' }, repositories, true);
			if (!credentials.ok) return fail(400, { errors: credentials.errors, values, failures: [] as string[] });
			const tested = await testRepositories(db, user, repositories, credentials.value);
			if ('limited' in tested) return fail(429, { errors: {} as Record<string, string>, values, failures: [tested.limited] });
			if (tested.failures.length > 0) return fail(400, { errors: {} as Record<string, string>, values, failures: tested.failures });
			changes.auth_method = credentials.value.method;
			changes.credentials = credentials.value.method === 'none' ? null : encryptCredentials(credentials.value, credentialsBinding(integration.id));
			changes.credential_summary = describeCredentials(credentials.value, user);
			before.credentials = integration.credentialSummary;
			after.credentials = changes.credential_summary;
		}
		const updated = await db.transaction().execute(async (trx) => {
			const row = await trx
				.updateTable('integrations')
				.set(changes)
				.where('id', '=', integration.id)
				.where('organization_id', '=', user.organizationId)
				.where('version', '=', form.data.version)
				.returning('id')
				.executeTakeFirst();
			if (!row) return false;
			await recordAudit(trx, {
				organizationId: user.organizationId,
				actor: user,
				subject: { type: 'integration', id: integration.id, label: form.data.name },
				action: 'integration.edited',
				before,
				after
			});
			return true;
		});
		if (!updated) {
			// Someone saved in between: say what they made of it; nothing of ours was written. The
			// page reloads the integration, so the form shows theirs and the next save can be made.
			const current = await getIntegration(db, user.organizationId, integration.id);
			return fail(409, {
				errors: {} as Record<string, string>,
				values: {} as typeof values,
				failures: [] as string[],
				stale: current
					? `Someone else changed this integration while you were editing (it is now “${current.name}”, ${current.credentialSummary}). Your changes were not saved; the form shows theirs.`
					: 'Someone else changed this integration while you were editing. Your changes were not saved.'
			});
		}
		const fresh = await getIntegration(db, user.organizationId, integration.id);
		if (fresh) broadcastIntegration(realtime(), fresh);
		redirect(303, `/integrations/${integration.id}`);
	})
};
