import { sql, type Kysely } from 'kysely';

// Where a deletion stands in each table, written in the same transaction as each batch's deletes.
// Batches then commit without waiting for the disk (a crash of Postgres forgets a batch and its
// checkpoint together, never one without the other), and a retried deletion reads exactly what
// was deleted, counts included.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('deletion_checkpoints')
		.addColumn('operation_id', 'uuid', (c) => c.notNull().references('operations.id').onDelete('cascade'))
		.addColumn('table_name', 'text', (c) => c.notNull())
		.addColumn('deleted', 'bigint', (c) => c.notNull().defaultTo(0))
		.addColumn('finished', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('next_page', 'integer')
		.addPrimaryKeyConstraint('deletion_checkpoints_pk', ['operation_id', 'table_name'])
		.execute();
	await sql`comment on table deletion_checkpoints is 'per table, how far a running deletion got; removed when it ends'`.execute(db);
}
