// Applies the migrations in /migrations. Run by the start script and the tests, never by a
// page load: the web and worker processes expect a migrated database.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';

export const migrationsFolder = path.resolve(import.meta.dirname, '../../migrations');

// Migrations see the schema as it was when they were written, hence `any`, as Kysely advises.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
	const migrator = new Migrator({
		db,
		provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsFolder })
	});
	const { error, results = [] } = await migrator.migrateToLatest();
	const failed = results.find((r) => r.status === 'Error');
	if (error || failed) {
		const which = failed ? ` (${failed.migrationName})` : '';
		throw new Error(`Database migration failed${which}: ${error instanceof Error ? error.message : String(error)}`);
	}
	return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
