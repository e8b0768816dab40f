import { sql, type Kysely } from 'kysely';

// The provider seam: what every hosted provider needs beside Generic Git.
// - An integration has its provider's base URL (self-hosted servers) and provider settings.
// - Groups (GitHub organisations, GitLab groups, Bitbucket workspaces, Azure DevOps projects) hold
//   repositories; the Repos tab imports them group by group.
// - A repository is identified by the provider's id within its integration (a hosted repository
//   can be renamed or moved; its URL changes, its id does not). Generic Git's id is its URL.
// - Pull requests with their reviews, review comments and conversation comments, each row keyed
//   by the provider's own id within its repository, carrying integration_id and organization_id
//   like every row of integration data (deletion and isolation rest on them).
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('integrations')
		.addColumn('base_url', 'text')
		.addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.execute();

	await db.schema
		.createTable('groups')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('provider_id', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('url', 'text')
		.addColumn('auto_import', 'boolean', (c) => c.notNull().defaultTo(true))
		.addColumn('show_in_repos', 'boolean', (c) => c.notNull().defaultTo(true))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('groups_integration_provider_id').on('groups').columns(['integration_id', 'provider_id']).unique().execute();
	await db.schema.createIndex('groups_organization').on('groups').column('organization_id').execute();

	await db.schema
		.alterTable('repos')
		.addColumn('provider_id', 'text')
		.addColumn('group_id', 'uuid')
		.addColumn('archived', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('fork', 'boolean', (c) => c.notNull().defaultTo(false))
		.execute();
	await sql`update repos set provider_id = url`.execute(db);
	await db.schema.alterTable('repos').alterColumn('provider_id', (c) => c.setNotNull()).execute();
	await db.schema.createIndex('repos_integration_provider_id').on('repos').columns(['integration_id', 'provider_id']).unique().execute();
	await db.schema.createIndex('repos_organization').on('repos').column('organization_id').execute();

	await db.schema
		.createTable('pull_requests')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('repo_id', 'uuid', (c) => c.notNull())
		.addColumn('provider_id', 'text', (c) => c.notNull())
		.addColumn('number', 'integer', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('state', 'text', (c) => c.notNull())
		.addColumn('draft', 'boolean', (c) => c.notNull())
		.addColumn('author', 'text')
		.addColumn('url', 'text', (c) => c.notNull())
		.addColumn('base_ref', 'text', (c) => c.notNull())
		.addColumn('head_ref', 'text', (c) => c.notNull())
		.addColumn('head_sha', 'text')
		.addColumn('merge_commit_sha', 'text')
		.addColumn('additions', 'integer')
		.addColumn('deletions', 'integer')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addColumn('first_review_at', 'timestamptz')
		.addColumn('merged_at', 'timestamptz')
		.addColumn('closed_at', 'timestamptz')
		.addPrimaryKeyConstraint('pull_requests_pk', ['repo_id', 'provider_id'])
		.execute();

	for (const table of ['pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments']) {
		await db.schema
			.createTable(table)
			.addColumn('organization_id', 'uuid', (c) => c.notNull())
			.addColumn('integration_id', 'uuid', (c) => c.notNull())
			.addColumn('repo_id', 'uuid', (c) => c.notNull())
			.addColumn('provider_id', 'text', (c) => c.notNull())
			.addColumn('pull_request_provider_id', 'text', (c) => c.notNull())
			.addColumn('author', 'text')
			// Reviews: approved, changes_requested, commented, dismissed; comments: none.
			.addColumn('state', 'text')
			.addColumn('created_at', 'timestamptz', (c) => c.notNull())
			.addColumn('updated_at', 'timestamptz')
			.addPrimaryKeyConstraint(`${table}_pk`, ['repo_id', 'provider_id'])
			.execute();
	}
	for (const table of ['pull_requests', 'pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments']) {
		await db.schema.createIndex(`${table}_integration`).on(table).column('integration_id').execute();
		await db.schema.createIndex(`${table}_organization`).on(table).column('organization_id').execute();
	}
}
