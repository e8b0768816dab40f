import { sql, type Kysely } from 'kysely';

// @socket.io/postgres-adapter sends events over 8,000 bytes (NOTIFY's limit) through this table
// but never creates it; without it large events are lost and the error reaches browsers.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('socket_io_attachments')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('payload', 'bytea', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('socket_io_attachments_created_at').on('socket_io_attachments').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('socket_io_attachments').execute();
}
