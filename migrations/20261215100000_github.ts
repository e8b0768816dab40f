import type { Kysely } from 'kysely';

// GitHub: when an integration's credentials stop working, as the provider said at the last test
// or update (a token's GitHub-Authentication-Token-Expiration); null when they do not expire or
// the provider does not say.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('integrations').addColumn('credentials_expire_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('integrations').dropColumn('credentials_expire_at').execute();
}
