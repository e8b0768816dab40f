import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

export async function createOrganization(db: Kysely<Database>, name: string): Promise<{ id: string; name: string }> {
	return db.insertInto('organizations').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}
