import type { Kysely } from 'kysely';

// A table deleted repository by repository records the last repository it finished, so a retried
// deletion carries on after it.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('deletion_checkpoints').addColumn('after_repo', 'uuid').execute();
}
