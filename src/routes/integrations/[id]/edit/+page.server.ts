import { fail, redirect } from '@sveltejs/kit';
import { sql } from 'kysely';
import { z } from 'zod';
import { listAudit, recordAudit } from '#core/accounts/audit.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings } from '#core/config.ts';
import { credentialsBinding, encryptCredentials } from '#core/crypto/credentials.ts';
import { providers } from '#core/domain/integrations/providers.ts';
import { publicValues, readForm } from '#core/forms.ts';
import { broadcastIntegration } from '#core/integrations/broadcast.ts';
import { getIntegration, getIntegrationSettings, listRepos } from '#core/integrations/queries.ts';
import { basePrefix, credentialsField, mergeEdit, type EditConflict } from '#core/domain/integrations/concurrent-edit.ts';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { requireProvider } from '#core/providers/registry.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';
import { integrationForPage } from '#lib/server/integrations/integration-for-page.ts';

/** The edit form: the provider's own fields, and the version the page was loaded at (edits never overwrite unseen ones). */
const editSchema = (kind: Parameters<typeof requireProvider>[0]) => requireProvider(kind).formSchema(true).extend({ version: z.coerce.number().int().min(1) });

/** What the form shows of the integration, and merges on (see concurrent-edit.ts). */
function editableValues(integration: IntegrationSummary, settings: Record<string, unknown>): Record<string, string> {
	return {
		name: integration.name,
		authMethod: integration.authMethod,
		baseUrl: integration.baseUrl ?? '',
		caCertificate: typeof settings.caCertificate === 'string' ? settings.caCertificate : '',
		[credentialsField]: integration.credentialSummary
	};
}

export const load: PageServerLoad = guard('integrations.manage', async ({ params }, user) => {
	const integration = await integrationForPage(params.id, user.organizationId);
	const provider = requireProvider(integration.kind);
	const { db } = database();
	const [settings, repos, lastEdit] = await Promise.all([
		getIntegrationSettings(db, user.organizationId, integration.id),
		listRepos(db, user.organizationId, integration.id),
		listAudit(db, { organizationId: user.organizationId, subjectId: integration.id, limit: 1 })
	]);
	return {
		integration,
		// What the form holds now, and starts from (each value's base goes back with the save).
		stored: editableValues(integration, settings),
		lastEditedBy: lastEdit[0]?.actorEmail ?? null,
		repos,
		fields: provider.fields,
		authMethods: providers[integration.kind].authMethods
	};
});

export const actions: Actions = {
	default: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const provider = requireProvider(integration.kind);
		const { db } = database();
		const settings = await getIntegrationSettings(db, user.organizationId, integration.id);
		let sent = Object.fromEntries([...(await request.formData()).entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
		// Saved on an older version: merged with what others saved meanwhile, field by field.
		if (Number(sent.version) !== integration.version) {
			const merged = mergeEdit(sent, editableValues(integration, settings), provider.fields);
			if (!merged.ok) {
				return fail(409, {
					errors: {} as Record<string, string>,
					values: publicValues(sent),
					failures: [] as string[],
					conflicts: 'conflicts' in merged ? merged.conflicts : [],
					stale:
						'conflicts' in merged
							? 'Someone else saved changes to the same fields while you were editing. Nothing of yours was saved: choose, field by field, below.'
							: `Someone else changed this integration while you were editing (it is now “${integration.name}”, ${integration.credentialSummary}). Your changes were not saved; the form shows theirs.`
				});
			}
			sent = { ...merged.values, version: String(integration.version) };
		}
		const body = new FormData();
		for (const [key, value] of Object.entries(sent)) if (!key.startsWith(basePrefix)) body.set(key, value);
		const form = readForm(body, editSchema(integration.kind));
		if (!form.ok) return fail(400, { errors: form.errors, values: form.values, failures: [] as string[] });
		const values = publicValues(form.data);
		const repos = await listRepos(db, user.organizationId, integration.id);
		const context = {
			db,
			user,
			settings: readSettings(),
			editing: {
				id: integration.id,
				authMethod: integration.authMethod,
				baseUrl: integration.baseUrl,
				settings,
				repositories: repos.map((r) => ({ providerId: r.providerId, url: r.url, display: r.url, name: r.name }))
			}
		};
		const draft = provider.readForm(form.data as Record<string, string | undefined>, context);
		if (!draft.ok) return fail(400, { errors: draft.errors, values, failures: [] as string[] });

		// Secrets the form leaves empty keep their stored value, which the web process never reads:
		// the sealed value is kept as it is. New ones are tested before anything is written.
		const changes: Record<string, unknown> = { name: draft.value.name, version: sql`version + 1` };
		const before: Record<string, unknown> = { name: integration.name };
		const after: Record<string, unknown> = { name: draft.value.name };
		if (integration.baseUrl !== draft.value.baseUrl) {
			changes.base_url = draft.value.baseUrl;
			before.baseUrl = integration.baseUrl;
			after.baseUrl = draft.value.baseUrl;
		}
		if (JSON.stringify(context.editing.settings) !== JSON.stringify(draft.value.settings)) changes.settings = JSON.stringify(draft.value.settings);
		if (!draft.value.keepCredentials) {
			const tested = await provider.reach(draft.value, context);
			if (tested.limited) return fail(429, { errors: {} as Record<string, string>, values, failures: [tested.limited] });
			if (tested.failures.length > 0) return fail(400, { errors: {} as Record<string, string>, values, failures: tested.failures });
			changes.auth_method = draft.value.authMethod;
			changes.credentials = draft.value.credentials === null ? null : encryptCredentials(draft.value.credentials, credentialsBinding(integration.id));
			changes.credential_summary = provider.describeCredentials(draft.value, user);
			before.credentials = integration.credentialSummary;
			after.credentials = changes.credential_summary;
		}
		const updated = await db.transaction().execute(async (trx) => {
			const row = await trx
				.updateTable('integrations')
				.set(changes)
				.where('id', '=', integration.id)
				.where('organization_id', '=', user.organizationId)
				.where('version', '=', Number(form.data.version))
				.returning('id')
				.executeTakeFirst();
			if (!row) return false;
			await recordAudit(trx, {
				organizationId: user.organizationId,
				actor: user,
				subject: { type: 'integration', id: integration.id, label: draft.value.name },
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
				conflicts: [] as EditConflict[],
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
