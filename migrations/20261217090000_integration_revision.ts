import { sql, type Kysely } from 'kysely';

// Every change to an integration's row bumps its revision (a trigger: no writer can forget), so a
// page that reloads while events arrive can tell which of the two is newer: an event the reload
// raced with is neither lost (the row appeared after it) nor applied over fresher data.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('integrations').addColumn('revision', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
	await sql`
		create function integrations_bump_revision() returns trigger language plpgsql as $$
		begin
			new.revision := old.revision + 1;
			return new;
		end $$`.execute(db);
	await sql`create trigger integrations_revision before update on integrations for each row execute function integrations_bump_revision()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger integrations_revision on integrations`.execute(db);
	await sql`drop function integrations_bump_revision()`.execute(db);
	await db.schema.alterTable('integrations').dropColumn('revision').execute();
}
