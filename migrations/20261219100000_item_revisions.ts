import { sql, type Kysely } from 'kysely';

// Repositories and ticket projects get a revision as integrations have one (…_integration_revision):
// bumped by a trigger on every change to the row, so a page that reloads while their events arrive
// keeps whichever of the two is newer, instead of a reload's older read hiding the last event.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create function bump_revision() returns trigger language plpgsql as $$
		begin
			new.revision := old.revision + 1;
			return new;
		end $$`.execute(db);
	for (const table of ['repos', 'ticket_projects']) {
		await db.schema.alterTable(table).addColumn('revision', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
		await sql`create trigger ${sql.raw(`${table}_revision`)} before update on ${sql.table(table)} for each row execute function bump_revision()`.execute(db);
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['repos', 'ticket_projects']) {
		await sql`drop trigger ${sql.raw(`${table}_revision`)} on ${sql.table(table)}`.execute(db);
		await db.schema.alterTable(table).dropColumn('revision').execute();
	}
	await sql`drop function bump_revision()`.execute(db);
}
