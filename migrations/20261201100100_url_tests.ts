import { sql, type Kysely } from 'kysely';

// Repository URLs tested on someone's behalf (before an integration is added or its credentials
// change), counted so that one person cannot make Tributary probe hosts without end.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('url_tests')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('urls', 'integer', (c) => c.notNull().check(sql`urls > 0`))
		.addColumn('tested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('url_tests_user_time').on('url_tests').columns(['user_id', 'tested_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('url_tests').execute();
}
