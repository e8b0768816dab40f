import { sql, type Kysely } from 'kysely';

// Support follows long work to its end (SPEC B2): every operation keeps the name of what it acted
// on (an integration's name outlives the integration), who cancelled it, and a timeline. The
// timeline's start, finished stages, cancellation request and end are written by triggers on the
// operations row, so no writer (web, worker, a bulk action's planning) can forget one; retries and
// restarts are added by the worker, which alone sees them.
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

	await sql`
		create function operations_record_timeline() returns trigger language plpgsql as $$
		declare
			stage jsonb;
			before jsonb;
		begin
			if tg_op = 'INSERT' then
				insert into operation_events (operation_id, at, kind, detail)
				values (new.id, new.started_at, 'started', jsonb_build_object('by', new.started_by));
				return null;
			end if;
			if new.stages is distinct from old.stages then
				for stage in select * from jsonb_array_elements(new.stages) loop
					if (stage->>'total')::bigint > 0 and (stage->>'done')::bigint >= (stage->>'total')::bigint then
						select s into before from jsonb_array_elements(old.stages) s where s->>'key' = stage->>'key';
						if before is null or (before->>'done')::bigint < (before->>'total')::bigint or (before->>'total')::bigint = 0 then
							insert into operation_events (operation_id, kind, detail)
							values (new.id, 'stage-finished', jsonb_build_object('key', stage->'key', 'label', stage->'label', 'total', stage->'total'));
						end if;
					end if;
				end loop;
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
	await sql`create trigger operations_timeline after insert or update on operations for each row execute function operations_record_timeline()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('operations_organization_started').execute();
	await sql`drop trigger operations_timeline on operations`.execute(db);
	await sql`drop function operations_record_timeline()`.execute(db);
	await sql`drop trigger operations_subject on operations`.execute(db);
	await sql`drop function operations_name_subject()`.execute(db);
	await db.schema.dropTable('operation_events').execute();
	await db.schema.alterTable('operations').dropColumn('subject_label').dropColumn('cancelled_by').dropColumn('retries').dropColumn('restarts').execute();
}
