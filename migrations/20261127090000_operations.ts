import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('operations')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('scope', 'text', (c) => c.notNull())
		.addColumn('state', 'text', (c) =>
			c.notNull().defaultTo('running').check(sql`state in ('running', 'succeeded', 'failed', 'cancelled')`)
		)
		.addColumn('stages', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
		.addColumn('current_item', 'text')
		.addColumn('started_by', 'text')
		.addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('ended_at', 'timestamptz')
		.addColumn('error', 'text')
		.addColumn('result', 'jsonb')
		.addColumn('workflow_id', 'text', (c) => c.notNull().unique())
		.addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
		.execute();

	// One running operation per kind and scope: the database refuses a second start.
	await db.schema
		.createIndex('operations_one_running_per_kind_and_scope')
		.on('operations')
		.columns(['kind', 'scope'])
		.unique()
		.where(sql.ref('state'), '=', 'running')
		.execute();
	await db.schema.createIndex('operations_scope_started_at').on('operations').columns(['scope', 'started_at']).execute();

	await db.schema
		.createTable('workers')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('host', 'text', (c) => c.notNull())
		.addColumn('pid', 'integer', (c) => c.notNull())
		.addColumn('task_queue', 'text', (c) => c.notNull())
		.addColumn('started_at', 'timestamptz', (c) => c.notNull())
		.addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('workers').execute();
	await db.schema.dropTable('operations').execute();
}
