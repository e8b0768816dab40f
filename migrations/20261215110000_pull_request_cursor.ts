import type { Kysely } from 'kysely';

// Pull request ingest per repository: where the last one stopped (its cursor on updated time, and
// a pass under way, so a retried or rate-limited run carries on), how many are stored, and this
// run's progress and detail beside the commits'. The integration keeps the provider's last quota,
// which its page shows (remaining / limit, reset time).
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('repos')
		.addColumn('pull_requests_cursor', 'jsonb')
		.addColumn('pull_requests_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('pull_requests_done', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('pull_requests_total', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('pull_requests_detail', 'text')
		.execute();
	await db.schema.alterTable('integrations').addColumn('quota', 'jsonb').execute();
}
