// When an integration's credentials stop working, as the provider last said: the details page
// shows it and the integrations table warns ahead of it.
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

export async function recordCredentialsExpiry(db: Kysely<Database>, integrationId: string, expiresAt: Date | null): Promise<void> {
	await db.updateTable('integrations').set({ credentials_expire_at: expiresAt }).where('id', '=', integrationId).execute();
}
