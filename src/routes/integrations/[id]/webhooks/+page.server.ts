// An integration's webhook: where the provider sends deliveries, its secret (shown once when
// made, rotatable), and the last deliveries with what came of each.
import { fail } from '@sveltejs/kit';
import { recordAudit } from '#core/accounts/audit.ts';
import { serviceLabelOf } from '#core/domain/integrations/providers.ts';
import { getWebhookState, rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { providerOf } from '#core/providers/registry.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { integrationForPage } from '#lib/server/integrations/integration-for-page.ts';
import { database } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard('integrations.view', async ({ params, url }, user) => {
	const integration = await integrationForPage(params.id, user.organizationId);
	const webhooks = providerOf(integration.kind)?.webhooks;
	const state = await getWebhookState(database().db, user.organizationId, integration.id);
	return {
		integration,
		supported: webhooks !== undefined,
		instructions: webhooks?.instructions ?? null,
		firstDelivery: webhooks?.firstDelivery ?? null,
		pullRequests: serviceLabelOf(integration.kind, 'pull-requests').toLowerCase(),
		endpointUrl: state.endpoint ? `${url.origin}/webhooks/${state.endpoint}` : null,
		secretSetAt: state.secretSetAt,
		deliveries: state.deliveries
	};
});

export const actions: Actions = {
	rotate: guard('integrations.manage', async ({ params, url }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (!providerOf(integration.kind)?.webhooks) return fail(400, { message: 'This kind of integration sends no webhooks.' });
		const { db } = database();
		const made = await rotateWebhookSecret(db, user.organizationId, integration.id);
		if (!made) return fail(409, { message: 'This integration is being deleted.' });
		await recordAudit(db, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: 'integration.webhook_secret_rotated'
		});
		// Shown this once: only its sealed form is kept.
		return { secret: made.secret, endpointUrl: `${url.origin}/webhooks/${made.endpoint}` };
	})
};
