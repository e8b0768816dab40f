import { sql, type Kysely } from 'kysely';

// Organisations, users with their Manage Integrations level, sessions (stored only as SHA-256
// hashes of their tokens), failed sign-ins (for rate limits shared by every web process), audit
// events; and operations now belong to an organisation.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('organizations')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('name', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('users')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
		.addColumn('email', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('password_hash', 'text', (c) => c.notNull())
		.addColumn('integrations_level', 'text', (c) =>
			c.notNull().defaultTo('none').check(sql`integrations_level in ('none', 'view', 'manage', 'delete')`)
		)
		.addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('deactivated_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
		.execute();
	// One account per email address across the product: sign-in starts from the address alone.
	await db.schema.createIndex('users_email_unique').on('users').expression(sql`lower(email)`).unique().execute();
	await db.schema.createIndex('users_organization').on('users').column('organization_id').execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('sign_in_failures')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('sign_in_failures_key_time').on('sign_in_failures').columns(['key', 'failed_at']).execute();

	await db.schema
		.createTable('audit_events')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
		.addColumn('actor_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('actor_email', 'text')
		.addColumn('subject_type', 'text', (c) => c.notNull())
		.addColumn('subject_id', 'text', (c) => c.notNull())
		.addColumn('subject_label', 'text', (c) => c.notNull())
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('before', 'jsonb')
		.addColumn('after', 'jsonb')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('audit_events_org_time').on('audit_events').columns(['organization_id', 'created_at']).execute();

	// Operations recorded before organisations existed have no owner to show them to.
	await db.deleteFrom('operations').execute();
	await db.schema
		.alterTable('operations')
		.addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
		.execute();
	await db.schema.dropIndex('operations_one_running_per_kind_and_scope').execute();
	await db.schema
		.createIndex('operations_one_running_per_kind_and_scope')
		.on('operations')
		.columns(['organization_id', 'kind', 'scope'])
		.unique()
		.where(sql.ref('state'), '=', 'running')
		.execute();
	await db.schema.dropIndex('operations_scope_started_at').execute();
	await db.schema
		.createIndex('operations_org_scope_started_at')
		.on('operations')
		.columns(['organization_id', 'scope', 'started_at'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('operations_org_scope_started_at').execute();
	await db.schema.dropIndex('operations_one_running_per_kind_and_scope').execute();
	await db.schema.alterTable('operations').dropColumn('organization_id').execute();
	await db.schema
		.createIndex('operations_one_running_per_kind_and_scope')
		.on('operations')
		.columns(['kind', 'scope'])
		.unique()
		.where(sql.ref('state'), '=', 'running')
		.execute();
	await db.schema.createIndex('operations_scope_started_at').on('operations').columns(['scope', 'started_at']).execute();
	for (const table of ['audit_events', 'sign_in_failures', 'sessions', 'users', 'organizations']) {
		await db.schema.dropTable(table).execute();
	}
}
