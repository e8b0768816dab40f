// Webhook deliveries from providers. No session: the signature is the authentication. An unknown
// endpoint gets 404 without a word on which exist; a bad signature 401 and nothing else; a
// replayed delivery (same id) is acknowledged and changes nothing.
import { error, json } from '@sveltejs/kit';
import { providers } from '#core/domain/integrations/providers.ts';
import { removePullRequestActivity } from '#core/integrations/pull-requests.ts';
import { findWebhookTarget, forgetDelivery, recordDelivery, setDeliveryResult } from '#core/integrations/webhooks.ts';
import { providerOf } from '#core/providers/registry.ts';
import { publicRoute } from '#lib/server/auth/guard.ts';
import { updateFromWebhook, updateTicketsFromWebhook } from '#lib/server/integrations/webhook-updates.ts';
import { removeTicket } from '#core/tickets/store.ts';
import { database } from '#lib/server/runtime.ts';
import type { RequestHandler } from './$types';

/** GitHub caps payloads at 25 MB; anything larger is not a delivery. */
const maxBodyBytes = 25 * 1024 * 1024;

export const POST: RequestHandler = publicRoute(async ({ params, request }) => {
	const { db } = database();
	const target = await findWebhookTarget(db, params.endpoint);
	const webhooks = target && providerOf(target.kind)?.webhooks;
	if (!target || !webhooks) error(404, 'Not found.');
	if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) error(413, 'Too large.');
	const body = await request.text();
	if (body.length > maxBodyBytes) error(413, 'Too large.');
	if (!(await webhooks.verify(target.secret, body, request.headers))) error(401, 'The signature does not match this endpoint’s secret.');

	const read = webhooks.read(body, request.headers);
	if (!read.ok) error(400, read.message);
	const { delivery, effect } = read;
	const first = await recordDelivery(db, target, delivery, 'received');
	if (!first) return json({ ok: true, duplicate: true, message: 'This delivery was received before; nothing more is done.' });

	let result: string;
	try {
		switch (effect.kind) {
			case 'ping':
				result = 'ping: the endpoint and its secret work';
				break;
			case 'ignored':
				result = `ignored: ${effect.reason}`;
				break;
			case 'update':
				result = await updateFromWebhook(db, target, effect.repositories, effect.what, `${providers[target.kind].label} webhook`);
				break;
			case 'removed': {
				const removed = await removePullRequestActivity(db, target.integrationId, effect.repository, effect.table, effect.providerId);
				result = removed > 0 ? `${effect.what}: removed` : `${effect.what}: it was not stored, nothing to remove`;
				break;
			}
			case 'update-tickets':
				result = await updateTicketsFromWebhook(db, target, effect.projects, effect.what, `${providers[target.kind].label} webhook`);
				break;
			case 'ticket-removed': {
				const removed = await removeTicket(db, target.integrationId, effect.project, effect.ticket);
				result = removed > 0 ? `${effect.what}: removed with its status history` : `${effect.what}: it was not stored, nothing to remove`;
				break;
			}
		}
	} catch (failure) {
		// Nothing was started: forget the delivery, so the provider's redelivery of it is not a replay.
		await forgetDelivery(db, target.integrationId, delivery.id);
		throw failure;
	}
	await setDeliveryResult(db, target.integrationId, delivery.id, result);
	return json({ ok: true, message: result }, { status: effect.kind === 'update' || effect.kind === 'update-tickets' ? 202 : 200 });
});
