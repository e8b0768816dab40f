// Tickets and their status history as stored: one batch at a time, in one statement with the
// project's cursor and count, only while the integration is not being deleted (the same hold as
// pull requests: core/integrations/pull-requests.ts). A row changes only when a value differs,
// so an update that finds nothing new writes nothing.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '#core/db/database.ts';
import { jsonUpsert, lastOfEach, type Columns } from '#core/db/json-upsert.ts';
import { holdForWriting } from '#core/integrations/queries.ts';
import type { TicketBatch, TicketRecord, TicketStatusChangeRecord } from '#core/providers/provider.ts';

export interface TicketOwner {
	organizationId: string;
	integrationId: string;
	projectId: string;
}

const ticketColumns: Columns<TicketRecord> = [
	{ column: 'provider_id', field: 'providerId', type: 'text' },
	{ column: 'key', field: 'key', type: 'text' },
	{ column: 'title', field: 'title', type: 'text' },
	{ column: 'type', field: 'type', type: 'text' },
	{ column: 'priority', field: 'priority', type: 'text' },
	{ column: 'status', field: 'status', type: 'text' },
	{ column: 'status_category', field: 'statusCategory', type: 'text' },
	{ column: 'assignee', field: 'assignee', type: 'text' },
	{ column: 'reporter', field: 'reporter', type: 'text' },
	{ column: 'story_points', field: 'storyPoints', type: 'double precision' },
	{ column: 'url', field: 'url', type: 'text' },
	{ column: 'created_at', field: 'createdAt', type: 'timestamptz' },
	{ column: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
	{ column: 'resolved_at', field: 'resolvedAt', type: 'timestamptz' }
];
const statusChangeColumns: Columns<TicketStatusChangeRecord> = [
	{ column: 'ticket_provider_id', field: 'ticketProviderId', type: 'text' },
	{ column: 'provider_id', field: 'providerId', type: 'text' },
	{ column: 'from_status', field: 'from', type: 'text' },
	{ column: 'to_status', field: 'to', type: 'text' },
	{ column: 'author', field: 'author', type: 'text' },
	{ column: 'changed_at', field: 'changedAt', type: 'timestamptz' }
];

const owner = [
	{ column: 'organization_id', value: '$2::uuid' },
	{ column: 'integration_id', value: '$1::uuid' },
	{ column: 'project_id', value: '$3::uuid' }
];

/**
 * The batch in one statement ($1 the integration, $2 its organisation, $3 the project): the
 * integration and the project held for share (neither a deletion nor a removal of the project
 * from import can begin while the rows go in, and one that began before finds nothing written
 * behind it), both upserts, and the project's cursor with its count grown by the tickets that
 * were new.
 */
const storeBatchStatement = `
	with held as (
		select from integrations i join ticket_projects p on p.integration_id = i.id
		where i.id = $1::uuid and i.data_status <> 'deleting' and p.id = $3::uuid and p.imported
		for share),
	tickets_changed as (${jsonUpsert({ table: 'tickets', owner, columns: ticketColumns, key: ['project_id', 'provider_id'], rows: '$4', returnInserted: true })}),
	changes_changed as (${jsonUpsert({ table: 'ticket_status_changes', owner, columns: statusChangeColumns, key: ['project_id', 'ticket_provider_id', 'provider_id'], rows: '$5' })}),
	project_stored as (
		update ticket_projects set cursor = $6::jsonb, tickets_count = tickets_count + (select count(*) from tickets_changed where inserted)
		where id = $3::uuid and exists (select from held) returning 1)
	select exists (select from held) as held,
		((select count(*) from tickets_changed) + (select count(*) from changes_changed))::int as changed`;

/**
 * Stores a batch and the project's cursor after it, atomically, in one round trip. Returns the
 * rows changed, or null when the integration is being deleted or the project is no longer
 * imported (nothing was written).
 */
export async function storeTicketBatch(pool: pg.Pool, target: TicketOwner, batch: TicketBatch): Promise<number | null> {
	const { rows } = await pool.query<{ held: boolean; changed: number }>({
		name: 'store-ticket-batch',
		text: storeBatchStatement,
		values: [
			target.integrationId,
			target.organizationId,
			target.projectId,
			lastOfEach(batch.tickets, (t) => t.providerId),
			lastOfEach(batch.statusChanges, (c) => `${c.ticketProviderId} ${c.providerId}`),
			JSON.stringify(batch.cursor)
		]
	});
	const [result] = rows;
	return result?.held ? result.changed : null;
}

/**
 * Removes a ticket the provider says was deleted, with its status history. Returns how many
 * tickets went (0: never stored, or the integration is being deleted).
 */
export async function removeTicket(db: Kysely<Database>, integrationId: string, projectProviderId: string, ticketProviderId: string): Promise<number> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integrationId))) return 0;
		const project = await trx.selectFrom('ticket_projects').select('id').where('integration_id', '=', integrationId).where('provider_id', '=', projectProviderId).executeTakeFirst();
		if (!project) return 0;
		await trx.deleteFrom('ticket_status_changes').where('project_id', '=', project.id).where('ticket_provider_id', '=', ticketProviderId).execute();
		const removed = await trx.deleteFrom('tickets').where('project_id', '=', project.id).where('provider_id', '=', ticketProviderId).executeTakeFirst();
		const count = Number(removed.numDeletedRows);
		if (count > 0) await trx.updateTable('ticket_projects').set({ tickets_count: sql`greatest(tickets_count - ${count}, 0)` }).where('id', '=', project.id).execute();
		return count;
	});
}
