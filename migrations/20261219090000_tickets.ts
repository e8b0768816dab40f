import { sql, type Kysely } from 'kysely';

// Ticket systems (Jira Cloud, Jira Data Center, Azure Boards): an integration's ticket projects,
// discovered like repositories and imported one by one, each with its own status and cursor; the
// tickets of an imported project and every status change of each. A project's workflow (its
// statuses with the provider's categories, its ticket types) is kept as discovered; its settings
// (which statuses mean in progress and done, which types count) are a person's, versioned for
// concurrent edits, null meaning the defaults the workflow's categories give.
//
// Pull requests name the tickets they work on by key ("CORE-12: fix the login", a branch
// feature/core-12): the keys a pull request mentions are a generated column of it, so a ticket
// finds its pull requests through an index, in any integration of the organisation, with nothing
// to keep in step when either side is re-ingested or deleted.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('ticket_projects')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('provider_id', 'text', (c) => c.notNull())
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('url', 'text')
		.addColumn('imported', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('data_status', 'text', (c) => c.notNull().defaultTo('excluded'))
		.addColumn('status_detail', 'text')
		.addColumn('last_updated_at', 'timestamptz')
		.addColumn('tickets_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('cursor', 'jsonb')
		.addColumn('workflow', 'jsonb', (c) => c.notNull().defaultTo(sql`'{"statuses":[],"types":[]}'::jsonb`))
		.addColumn('settings', 'jsonb')
		.addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('update_operation_id', 'uuid')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addUniqueConstraint('ticket_projects_provider_id', ['integration_id', 'provider_id'])
		.execute();
	await db.schema.createIndex('ticket_projects_organization').on('ticket_projects').columns(['organization_id', 'imported']).execute();

	await db.schema
		.createTable('tickets')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('project_id', 'uuid', (c) => c.notNull())
		.addColumn('provider_id', 'text', (c) => c.notNull())
		.addColumn('key', 'text', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('type', 'text', (c) => c.notNull())
		.addColumn('priority', 'text')
		.addColumn('status', 'text', (c) => c.notNull())
		.addColumn('status_category', 'text', (c) => c.notNull())
		.addColumn('assignee', 'text')
		.addColumn('reporter', 'text')
		.addColumn('story_points', 'double precision')
		.addColumn('url', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addColumn('resolved_at', 'timestamptz')
		.addPrimaryKeyConstraint('tickets_pk', ['project_id', 'provider_id'])
		.execute();
	await db.schema.createIndex('tickets_key').on('tickets').columns(['organization_id', 'key']).execute();

	await db.schema
		.createTable('ticket_status_changes')
		.addColumn('organization_id', 'uuid', (c) => c.notNull())
		.addColumn('integration_id', 'uuid', (c) => c.notNull())
		.addColumn('project_id', 'uuid', (c) => c.notNull())
		.addColumn('ticket_provider_id', 'text', (c) => c.notNull())
		/** The provider's id of the change (Jira: history id and the item's place in it). */
		.addColumn('provider_id', 'text', (c) => c.notNull())
		.addColumn('from_status', 'text')
		.addColumn('to_status', 'text', (c) => c.notNull())
		.addColumn('author', 'text')
		.addColumn('changed_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('ticket_status_changes_pk', ['project_id', 'ticket_provider_id', 'provider_id'])
		.execute();

	for (const table of ['ticket_projects', 'tickets', 'ticket_status_changes']) {
		await db.schema.createIndex(`${table}_integration`).on(table).column('integration_id').execute();
	}

	// Keys as Jira writes them (upper case, a project key of two or more characters, a number
	// without leading zeros), whole words only; branch names are read upper-cased (feature/core-12).
	await sql`
		create function mentioned_ticket_keys(text) returns text[] language sql immutable parallel safe as $$
			select coalesce(array_agg(distinct m[1]), '{}')
			from regexp_matches($1, '(?:^|[^A-Za-z0-9_])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?![0-9A-Za-z_])', 'g') as m
		$$`.execute(db);
	await sql`
		alter table pull_requests add column ticket_keys text[]
			generated always as (mentioned_ticket_keys(title || ' ' || upper(head_ref))) stored`.execute(db);
	await sql`create index pull_requests_ticket_keys on pull_requests using gin (ticket_keys)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`alter table pull_requests drop column ticket_keys`.execute(db);
	await sql`drop function mentioned_ticket_keys(text)`.execute(db);
	for (const table of ['ticket_status_changes', 'tickets', 'ticket_projects']) await db.schema.dropTable(table).execute();
}
