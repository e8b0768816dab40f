// Adding an integration of any kind: the provider's form, checked, tested against the provider,
// and only then stored; its first update starts at once.
import { error, fail, redirect } from '@sveltejs/kit';
import { readSettings } from '#core/config.ts';
import { providers } from '#core/domain/integrations/providers.ts';
import { publicValues, readForm } from '#core/forms.ts';
import { broadcastIntegration } from '#core/integrations/broadcast.ts';
import { createIntegration, DuplicateRepositoryError } from '#core/integrations/create.ts';
import { providerOf } from '#core/providers/registry.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { startUpdate } from '#lib/server/integrations/operations.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

function providerFor(kind: string) {
	const provider = providerOf(kind);
	if (!provider) error(404, 'There is no such kind of integration to add.');
	return provider;
}

export const load: PageServerLoad = guard('integrations.manage', ({ params }) => {
	const provider = providerFor(params.kind);
	const { label, description, authMethods } = providers[provider.kind];
	return { kind: provider.kind, label, description, authMethods, fields: provider.fields, allowedSchemes: readSettings().gitAllowedSchemes };
});

export const actions: Actions = {
	default: guard('integrations.manage', async ({ params, request }, user) => {
		const provider = providerFor(params.kind);
		const form = readForm(await request.formData(), provider.formSchema(false));
		// Secrets are never sent back to the page, whatever happens.
		if (!form.ok) return fail(400, { errors: form.errors, values: form.values, failures: [] as string[] });
		const values = publicValues(form.data);
		const { db } = database();
		const context = { db, user, settings: readSettings() };
		const draft = provider.readForm(form.data as Record<string, string | undefined>, context);
		if (!draft.ok) return fail(400, { errors: draft.errors, values, failures: [] as string[] });

		const taken = await provider.checkAvailability(draft.value, context);
		if (Object.keys(taken).length > 0) return fail(409, { errors: taken, values, failures: [] as string[] });

		// The connection is tested before anything is saved.
		const reached = await provider.reach(draft.value, context);
		if (reached.limited) return fail(429, { errors: { form: reached.limited } as Record<string, string>, values, failures: [] as string[] });
		if (reached.failures.length > 0) return fail(400, { errors: {} as Record<string, string>, values, failures: reached.failures });

		let integrationId: string;
		try {
			const integration = await createIntegration(db, user, provider.kind, draft.value, provider.describeCredentials(draft.value, user));
			broadcastIntegration(realtime(), integration, 'added');
			integrationId = integration.id;
		} catch (caught) {
			if (!(caught instanceof DuplicateRepositoryError)) throw caught;
			return fail(409, { errors: { form: caught.message }, values, failures: [] as string[] });
		}
		await startUpdate(user, integrationId);
		redirect(303, `/integrations/${integrationId}?added=1`);
	})
};
