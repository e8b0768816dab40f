import { sql, type Kysely } from 'kysely';

// Webhooks: each integration may have an endpoint (a random id in its URL, which says nothing
// about the integration) and a secret the provider signs deliveries with (sealed like
// credentials). Deliveries are logged per integration, one row per provider delivery id: the
// primary key is what makes a replayed delivery change nothing the second time.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('integrations')
		.addColumn('webhook_endpoint', 'text', (c) => c.unique())
		.addColumn('webhook_secret', 'bytea')
		.addColumn('webhook_secret_set_at', 'timestamptz')
		.execute();

	await db.schema
		.createTable('webhook_deliveries')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('delivery_id', 'text', (c) => c.notNull())
		.addColumn('event', 'text', (c) => c.notNull())
		.addColumn('action', 'text')
		.addColumn('result', 'text', (c) => c.notNull())
		.addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('webhook_deliveries_pk', ['integration_id', 'delivery_id'])
		.execute();
	await db.schema.createIndex('webhook_deliveries_recent').on('webhook_deliveries').columns(['integration_id', 'received_at']).execute();
	await db.schema.createIndex('webhook_deliveries_organization').on('webhook_deliveries').column('organization_id').execute();
}
