import type { Kysely } from 'kysely';

// Which update planned a repository last: an update's bars count its own repositories only (a
// webhook's update of one repository among fifty shows one, not fifty).
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('repos').addColumn('update_operation_id', 'uuid').execute();
}
