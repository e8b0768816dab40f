import type { Kysely } from 'kysely';

// Commits a repository has but Tributary cannot store (a date no database can hold) are left out
// and counted here, across incremental updates that never read them again, so the repository can
// say why it shows fewer commits than git does.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('repos')
		.addColumn('skipped_commits', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('repos').dropColumn('skipped_commits').execute();
}
