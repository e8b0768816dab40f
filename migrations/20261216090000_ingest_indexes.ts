import type { Kysely } from 'kysely';

// The two largest tables lose their organization_id indexes: nothing reads commits or their
// files by organisation alone (pages go through a repository or an integration, and a deletion
// through integration_id), and each index cost every ingested row one more index insertion,
// about a tenth of Postgres's work in an ingest (P1). The column stays, as on every data row.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('commit_files_organization').ifExists().execute();
	await db.schema.dropIndex('commits_organization').ifExists().execute();
}

