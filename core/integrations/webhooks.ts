// An integration's webhook: its endpoint and sealed secret, and the log of its deliveries (the
// last 50 are kept). A delivery is recorded once per provider delivery id: a replay finds its row
// and changes nothing.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { credentialsBinding, decryptCredentials, encryptCredentials } from '#core/crypto/credentials.ts';
import type { Database } from '#core/db/database.ts';
import type { WebhookDelivery } from '#core/providers/provider.ts';

export const keptDeliveries = 50;

/** The binding that ties a sealed webhook secret to its integration (and to no credentials). */
const secretBinding = (integrationId: string) => `${credentialsBinding(integrationId)}:webhook`;

/**
 * A new secret (and, the first time, an endpoint) for the integration. The secret is returned
 * once, to be shown once; only its sealed form is stored.
 */
export async function rotateWebhookSecret(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<{ endpoint: string; secret: string } | undefined> {
	const secret = randomBytes(32).toString('base64url');
	const row = await db
		.updateTable('integrations')
		.set({
			webhook_endpoint: sql`coalesce(webhook_endpoint, ${randomBytes(24).toString('base64url')})`,
			webhook_secret: encryptCredentials({ secret }, secretBinding(integrationId)),
			webhook_secret_set_at: new Date()
		})
		.where('id', '=', integrationId)
		.where('organization_id', '=', organizationId)
		.where('data_status', '!=', 'deleting')
		.returning('webhook_endpoint')
		.executeTakeFirst();
	return row?.webhook_endpoint ? { endpoint: row.webhook_endpoint, secret } : undefined;
}

/** The integration's webhook as it is (its endpoint and secret opened), for a caller that must register it again; undefined before the first. */
export async function currentWebhook(db: Kysely<Database>, integrationId: string): Promise<{ endpoint: string; secret: string } | undefined> {
	const row = await db.selectFrom('integrations').select(['webhook_endpoint', 'webhook_secret']).where('id', '=', integrationId).executeTakeFirst();
	if (!row?.webhook_endpoint || !row.webhook_secret) return undefined;
	return { endpoint: row.webhook_endpoint, secret: decryptCredentials<{ secret: string }>(row.webhook_secret, secretBinding(integrationId)).secret };
}

export interface WebhookTarget {
	integrationId: string;
	organizationId: string;
	kind: Database['integrations']['kind'];
	secret: string;
}

/** The integration an endpoint belongs to, with its secret opened; undefined for an unknown endpoint or one being deleted. */
export async function findWebhookTarget(db: Kysely<Database>, endpoint: string): Promise<WebhookTarget | undefined> {
	if (!/^[A-Za-z0-9_-]{16,64}$/.test(endpoint)) return undefined;
	const row = await db
		.selectFrom('integrations')
		.select(['id', 'organization_id', 'kind', 'webhook_secret', 'data_status'])
		.where('webhook_endpoint', '=', endpoint)
		.executeTakeFirst();
	if (!row?.webhook_secret || row.data_status === 'deleting') return undefined;
	const { secret } = decryptCredentials<{ secret: string }>(row.webhook_secret, secretBinding(row.id));
	return { integrationId: row.id, organizationId: row.organization_id, kind: row.kind, secret };
}

/** Records a delivery; false when its id was recorded before (a replay). */
export async function recordDelivery(db: Kysely<Database>, target: WebhookTarget, delivery: WebhookDelivery, result: string): Promise<boolean> {
	const inserted = await db
		.insertInto('webhook_deliveries')
		.values({ organization_id: target.organizationId, integration_id: target.integrationId, delivery_id: delivery.id, event: delivery.event, action: delivery.action, result })
		.onConflict((oc) => oc.columns(['integration_id', 'delivery_id']).doNothing())
		.returning('delivery_id')
		.executeTakeFirst();
	if (!inserted) return false;
	// Only the last ones are kept: the log is for people checking that deliveries arrive.
	await db
		.deleteFrom('webhook_deliveries')
		.where('integration_id', '=', target.integrationId)
		.where('delivery_id', 'not in', (eb) =>
			eb.selectFrom('webhook_deliveries').select('delivery_id').where('integration_id', '=', target.integrationId).orderBy('received_at', 'desc').limit(keptDeliveries)
		)
		.execute();
	return true;
}

export async function setDeliveryResult(db: Kysely<Database>, integrationId: string, deliveryId: string, result: string): Promise<void> {
	await db.updateTable('webhook_deliveries').set({ result }).where('integration_id', '=', integrationId).where('delivery_id', '=', deliveryId).execute();
}

export async function forgetDelivery(db: Kysely<Database>, integrationId: string, deliveryId: string): Promise<void> {
	await db.deleteFrom('webhook_deliveries').where('integration_id', '=', integrationId).where('delivery_id', '=', deliveryId).execute();
}

export interface WebhookState {
	endpoint: string | null;
	secretSetAt: string | null;
	deliveries: Array<{ id: string; event: string; action: string | null; result: string; receivedAt: string }>;
}

export async function getWebhookState(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<WebhookState> {
	const row = await db
		.selectFrom('integrations')
		.select(['webhook_endpoint', 'webhook_secret_set_at'])
		.where('id', '=', integrationId)
		.where('organization_id', '=', organizationId)
		.executeTakeFirst();
	const deliveries = await db
		.selectFrom('webhook_deliveries')
		.select(['delivery_id', 'event', 'action', 'result', 'received_at'])
		.where('organization_id', '=', organizationId)
		.where('integration_id', '=', integrationId)
		.orderBy('received_at', 'desc')
		.limit(keptDeliveries)
		.execute();
	return {
		endpoint: row?.webhook_endpoint ?? null,
		secretSetAt: row?.webhook_secret_set_at?.toISOString() ?? null,
		deliveries: deliveries.map((d) => ({ id: d.delivery_id, event: d.event, action: d.action, result: d.result, receivedAt: d.received_at.toISOString() }))
	};
}
