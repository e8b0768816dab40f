import { sql, type Kysely } from 'kysely';

// Support follows long work to its end (SPEC B2): every operation keeps the name of what it acted
// on (an integration's name outlives the integration), who cancelled it, and a timeline. The
// timeline's start, cancellation request and end are written by triggers on the operations row, so
// no writer (web, worker, a bulk action's planning) can forget one; stages done by the one function
// that writes progress; retries and restarts by the worker, which alone sees them.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('operations')
		.addColumn('subject_label', 'text')
		.addColumn('cancelled_by', 'text')
		.addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('restarts', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	// The operations page lists an organisation's operations newest first.
	await db.schema.createIndex('operations_organization_started').on('operations').columns(['organization_id', 'started_at desc']).execute();
	// Operations of integrations that still exist get their names now.
	await sql`
		update operations o set subject_label = i.name
		from integrations i where o.scope = 'integration:' || i.id::text`.execute(db);
	await sql`
		update operations o set subject_label = coalesce(o.result->>'name', 'A deleted integration')
		where o.subject_label is null and o.scope like 'integration:%'`.execute(db);

	await db.schema
		.createTable('operation_events')
		.addColumn('id', 'bigserial', (c) => c.primaryKey())
		.addColumn('operation_id', 'uuid', (c) => c.notNull().references('operations.id').onDelete('cascade'))
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.execute();
	await db.schema.createIndex('operation_events_operation').on('operation_events').columns(['operation_id', 'id']).execute();
	await sql`comment on table operation_events is 'an operation''s timeline: started, stages finished, retries, restarts, cancellation, end'`.execute(db);

	// The subject's name at the start: an integration's, looked up once.
	await sql`
		create function operations_name_subject() returns trigger language plpgsql as $$
		begin
			if new.subject_label is null and new.scope like 'integration:%' then
				select name into new.subject_label from integrations where id::text = substring(new.scope from 13);
			end if;
			return new;
		end $$`.execute(db);
	await sql`create trigger operations_subject before insert on operations for each row execute function operations_name_subject()`.execute(db);

	// Start, cancellation request and end; a stage done is written by recordProgress itself, which
	// knows it: a trigger on every progress write would sit on the path of every live update (it
	// cost the p99 of progress to the browser 4-6 ms, measured).
	await sql`
		create function operations_record_timeline() returns trigger language plpgsql as $$
		begin
			if tg_op = 'INSERT' then
				insert into operation_events (operation_id, at, kind, detail)
				values (new.id, new.started_at, 'started', jsonb_build_object('by', new.started_by));
				return null;
			end if;
			if new.cancelled_by is not null and old.cancelled_by is null then
				insert into operation_events (operation_id, kind, detail) values (new.id, 'cancel-requested', jsonb_build_object('by', new.cancelled_by));
			end if;
			if new.state <> 'running' and old.state = 'running' then
				insert into operation_events (operation_id, at, kind, detail)
				values (new.id, coalesce(new.ended_at, now()), 'finished', jsonb_build_object('state', new.state, 'error', new.error));
			end if;
			return null;
		end $$`.execute(db);
	await sql`create trigger operations_started after insert on operations for each row execute function operations_record_timeline()`.execute(db);
	// Only statements that set the state or who cancelled fire it: progress writes never do.
	await sql`
		create trigger operations_timeline after update of state, cancelled_by on operations for each row
		when (old.state is distinct from new.state or old.cancelled_by is distinct from new.cancelled_by)
		execute function operations_record_timeline()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('operations_organization_started').execute();
	await sql`drop trigger operations_timeline on operations`.execute(db);
	await sql`drop trigger operations_started on operations`.execute(db);
	await sql`drop function operations_record_timeline()`.execute(db);
	await sql`drop trigger operations_subject on operations`.execute(db);
	await sql`drop function operations_name_subject()`.execute(db);
	await db.schema.dropTable('operation_events').execute();
	await db.schema.alterTable('operations').dropColumn('subject_label').dropColumn('cancelled_by').dropColumn('retries').dropColumn('restarts').execute();
}
