import { sql, type Kysely } from 'kysely';

// Integrations and the data they bring. Every row of integration data carries organization_id
// and integration_id (indexed): isolation and deletion rest on them. Child rows have no foreign
// key to their integration on purpose: deletion removes them in batches (a durable workflow),
// never in one cascading statement that would lock readers out.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('integrations')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('auth_method', 'text', (c) => c.notNull())
		.addColumn('credentials', 'bytea')
		.addColumn('credential_summary', 'text', (c) => c.notNull())
		.addColumn('services', 'jsonb', (c) => c.notNull())
		.addColumn('deployments_from_tags', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('data_status', 'text', (c) => c.notNull().defaultTo('pending'))
		.addColumn('status_detail', 'text')
		.addColumn('last_updated_at', 'timestamptz')
		.addColumn('added_by_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('added_by_email', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
		.execute();
	await db.schema.createIndex('integrations_org_name').on('integrations').columns(['organization_id', 'name']).execute();
	await db.schema.createIndex('integrations_org_created').on('integrations').columns(['organization_id', 'created_at']).execute();

	await db.schema
		.createTable('repos')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('url', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('imported', 'boolean', (c) => c.notNull().defaultTo(true))
		.addColumn('data_status', 'text', (c) => c.notNull().defaultTo('queued'))
		.addColumn('status_detail', 'text')
		.addColumn('last_updated_at', 'timestamptz')
		.addColumn('commits_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('tags_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('cursor', 'jsonb')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	// The same repository cannot be added twice in an organisation.
	await db.schema.createIndex('repos_org_url_unique').on('repos').columns(['organization_id', 'url']).unique().execute();
	await db.schema.createIndex('repos_integration').on('repos').column('integration_id').execute();

	await db.schema
		.createTable('commits')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('sha', 'text', (c) => c.notNull())
		.addColumn('parents', sql`text[]`, (c) => c.notNull())
		.addColumn('author_name', 'text', (c) => c.notNull())
		.addColumn('author_email', 'text', (c) => c.notNull())
		.addColumn('authored_at', 'timestamptz', (c) => c.notNull())
		.addColumn('committer_name', 'text', (c) => c.notNull())
		.addColumn('committer_email', 'text', (c) => c.notNull())
		.addColumn('committed_at', 'timestamptz', (c) => c.notNull())
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('additions', 'integer', (c) => c.notNull())
		.addColumn('deletions', 'integer', (c) => c.notNull())
		.addColumn('files_changed', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('commits_pk', ['repo_id', 'sha'])
		.execute();
	await db.schema.createIndex('commits_integration').on('commits').column('integration_id').execute();
	await db.schema.createIndex('commits_organization').on('commits').column('organization_id').execute();

	await db.schema
		.createTable('commit_files')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('sha', 'text', (c) => c.notNull())
		.addColumn('path', 'text', (c) => c.notNull())
		.addColumn('additions', 'integer', (c) => c.notNull())
		.addColumn('deletions', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('commit_files_pk', ['repo_id', 'sha', 'path'])
		.execute();
	await db.schema.createIndex('commit_files_integration').on('commit_files').column('integration_id').execute();
	await db.schema.createIndex('commit_files_organization').on('commit_files').column('organization_id').execute();

	await db.schema
		.createTable('tags')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('sha', 'text', (c) => c.notNull())
		.addColumn('tagged_at', 'timestamptz')
		.addPrimaryKeyConstraint('tags_pk', ['repo_id', 'name'])
		.execute();
	await db.schema.createIndex('tags_integration').on('tags').column('integration_id').execute();
	await db.schema.createIndex('tags_organization').on('tags').column('organization_id').execute();

	await db.schema
		.createTable('deployments')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('tag_name', 'text', (c) => c.notNull())
		.addColumn('sha', 'text', (c) => c.notNull())
		.addColumn('deployed_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('deployments_pk', ['repo_id', 'tag_name'])
		.execute();
	await db.schema.createIndex('deployments_integration').on('deployments').column('integration_id').execute();
	await db.schema.createIndex('deployments_organization').on('deployments').column('organization_id').execute();

	await db.schema
		.createTable('repo_daily_metrics')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('day', 'date', (c) => c.notNull())
		.addColumn('commits', 'integer', (c) => c.notNull())
		.addColumn('additions', 'integer', (c) => c.notNull())
		.addColumn('deletions', 'integer', (c) => c.notNull())
		.addColumn('deployments', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('repo_daily_metrics_pk', ['repo_id', 'day'])
		.execute();
	await db.schema.createIndex('repo_daily_metrics_integration').on('repo_daily_metrics').column('integration_id').execute();
	await db.schema.createIndex('repo_daily_metrics_organization').on('repo_daily_metrics').column('organization_id').execute();

	// A deletion's workflow id is its integration's (the lock against a second one), so several
	// operations over time share a workflow id: it cannot be unique among operations.
	await db.schema.alterTable('operations').dropConstraint('operations_workflow_id_key').execute();
	await db.schema.createIndex('operations_workflow_id').on('operations').column('workflow_id').execute();

	// An action for all integrations starts one operation per integration; they point back to it.
	await db.schema
		.alterTable('operations')
		.addColumn('parent_id', 'uuid', (c) => c.references('operations.id').onDelete('set null'))
		.execute();

	// Accounts (here: repository URLs) of deleted integrations, for the re-add cooldown (SPEC F2.4).
	await db.schema
		.createTable('removed_accounts')
		.addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
		.addColumn('account', 'text', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_name', 'text', (c) => c.notNull())
		.addColumn('removed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('removed_accounts_pk', ['organization_id', 'account'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('operations').dropColumn('parent_id').execute();
	await db.schema.dropIndex('operations_workflow_id').execute();
	await db.schema.alterTable('operations').addUniqueConstraint('operations_workflow_id_key', ['workflow_id']).execute();
	for (const table of ['removed_accounts', 'repo_daily_metrics', 'deployments', 'tags', 'commit_files', 'commits', 'repos', 'integrations']) {
		await db.schema.dropTable(table).execute();
	}
}
