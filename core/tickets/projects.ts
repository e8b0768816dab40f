// Ticket projects as stored: what a discovery found (new ones imported when the integration's
// "auto-import all projects" is on; known ones follow renames and workflow changes), their
// summaries for pages and live events, and the choices a person makes about them.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { TicketProjectRow } from '#core/db/tables/tickets.ts';
import { integrationsRoom } from '#core/domain/realtime/events.ts';
import type { TicketProjectSummary } from '#core/domain/tickets/ticket-project.ts';
import type { DiscoveredTicketProject } from '#core/providers/provider.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';

export function toTicketProjectSummary(row: TicketProjectRow): TicketProjectSummary {
	return {
		id: row.id,
		integrationId: row.integration_id,
		organizationId: row.organization_id,
		key: row.key,
		name: row.name,
		url: row.url,
		imported: row.imported,
		dataStatus: row.data_status,
		statusDetail: row.status_detail,
		lastUpdatedAt: row.last_updated_at?.toISOString() ?? null,
		tickets: row.tickets_count,
		progressDone: row.progress_done,
		progressTotal: row.progress_total,
		workflow: row.workflow,
		settings: row.settings,
		version: row.version,
		revision: Number(row.revision)
	};
}

export function broadcastTicketProject(io: RealtimeServer | undefined, project: TicketProjectSummary): void {
	io?.to(integrationsRoom(project.organizationId)).emit('ticketProject.updated', project);
}

export interface TicketDiscoveryResult {
	projects: number;
	newProjects: number;
	imported: number;
}

/** Stores what the provider listed; idempotent. Projects no longer listed stay (their tickets too) until removed. */
export async function storeTicketProjects(
	db: Kysely<Database>,
	integration: { id: string; organizationId: string; autoImport: boolean },
	projects: DiscoveredTicketProject[],
	onProject: (row: TicketProjectRow) => void = () => {}
): Promise<TicketDiscoveryResult> {
	const result: TicketDiscoveryResult = { projects: projects.length, newProjects: 0, imported: 0 };
	const changedRows = await db.transaction().execute(async (trx) => {
		const rows: TicketProjectRow[] = [];
		const known = new Map((await trx.selectFrom('ticket_projects').select(['id', 'provider_id', 'key', 'name', 'url', 'workflow']).where('integration_id', '=', integration.id).execute()).map((p) => [p.provider_id, p]));
		for (const project of projects) {
			const fields = { key: project.key, name: project.name, url: project.url, workflow: JSON.stringify(project.workflow) };
			const stored = known.get(project.providerId);
			if (stored) {
				if (stored.key !== fields.key || stored.name !== fields.name || stored.url !== fields.url || JSON.stringify(stored.workflow) !== fields.workflow) {
					rows.push(await trx.updateTable('ticket_projects').set(fields).where('id', '=', stored.id).returningAll().executeTakeFirstOrThrow());
				}
				continue;
			}
			const row = await trx
				.insertInto('ticket_projects')
				.values({
					...fields,
					organization_id: integration.organizationId,
					integration_id: integration.id,
					provider_id: project.providerId,
					imported: integration.autoImport,
					data_status: integration.autoImport ? 'queued' : 'excluded',
					status_detail: null,
					last_updated_at: null,
					update_operation_id: null
				})
				.onConflict((oc) => oc.doNothing())
				.returningAll()
				.executeTakeFirst();
			if (!row) continue;
			result.newProjects++;
			if (row.imported) result.imported++;
			rows.push(row);
		}
		return rows;
	});
	for (const row of changedRows) onProject(row);
	return result;
}

export async function listTicketProjects(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<TicketProjectSummary[]> {
	const rows = await db.selectFrom('ticket_projects').selectAll().where('organization_id', '=', organizationId).where('integration_id', '=', integrationId).orderBy('key').execute();
	return rows.map(toTicketProjectSummary);
}

/**
 * Imports or removes projects of one integration (removing keeps nothing: its tickets go), in the
 * caller's transaction (which holds the integration: see holdForWriting). Returns the rows changed.
 */
export async function setTicketProjectsImported(trx: Transaction<Database>, organizationId: string, integrationId: string, projectIds: string[], imported: boolean): Promise<TicketProjectRow[]> {
	if (projectIds.length === 0) return [];
	const rows = await trx
		.updateTable('ticket_projects')
		.set(
			imported
				? { imported: true, data_status: 'queued', status_detail: 'Imported; its tickets come with the next update.' }
				: { imported: false, data_status: 'excluded', status_detail: null, cursor: null, tickets_count: 0, last_updated_at: null, progress_done: 0, progress_total: 0 }
		)
		.where('organization_id', '=', organizationId)
		.where('integration_id', '=', integrationId)
		.where('id', 'in', projectIds)
		.where('imported', '=', !imported)
		.returningAll()
		.execute();
	if (!imported && rows.length > 0) {
		const ids = rows.map((r) => r.id);
		await trx.deleteFrom('ticket_status_changes').where('organization_id', '=', organizationId).where('project_id', 'in', ids).execute();
		await trx.deleteFrom('tickets').where('organization_id', '=', organizationId).where('project_id', 'in', ids).execute();
	}
	return rows;
}

/** The tickets stored for a project: what removing it would delete. */
export async function countTickets(db: Kysely<Database>, organizationId: string, projectId: string): Promise<number> {
	const row = await db.selectFrom('tickets').select(sql<number>`count(*)::int`.as('n')).where('organization_id', '=', organizationId).where('project_id', '=', projectId).executeTakeFirstOrThrow();
	return row.n;
}
