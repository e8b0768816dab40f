// Tickets of one ticket project through its provider (the seam's `tickets`): planned with the
// update, every batch stored with its cursor while the integration is not being deleted,
// heartbeats with the cursor as checkpoint, the quota kept on the integration, and a spent quota
// turned into a non-retryable RateLimited failure the workflow waits out with a timer.
import { ApplicationFailure } from '@temporalio/activity';
import { sql, type Updateable } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { TicketProjectRow } from '#core/db/tables/tickets.ts';
import { addOperationStage } from '#core/operations/queries.ts';
import { broadcastProgress } from '#core/operations/broadcast.ts';
import { isBeingDeleted, setIntegrationStatus } from '#core/integrations/queries.ts';
import type { TicketRun } from '#core/providers/provider.ts';
import { requireProvider } from '#core/providers/registry.ts';
import { broadcastTicketProject, toTicketProjectSummary } from '#core/tickets/projects.ts';
import { storeTicketBatch } from '#core/tickets/store.ts';
import { ticketStages, type PlannedTicketProject, type RateLimitDetails, type TicketProjectOutcome } from '../../../workflows/integrations/contract.ts';
import { throttledHeartbeat } from '../heartbeat.ts';
import { announceIntegration, openIntegration, type IntegrationDeps } from './context.ts';
import { quotaKeeper, rateLimitedUntil } from './quota.ts';

const beingDeleted = () => ApplicationFailure.nonRetryable('The integration is being deleted; the update stopped.', 'IntegrationDeleting');

const removedFromImport = () => ApplicationFailure.nonRetryable('The project was removed from import while its tickets were read; nothing more was stored.', 'TicketProjectRemoved');

const heartbeatEveryMs = 1_000;
const progressEveryMs = 250;


/** The update's two ticket bars, from the projects' own counters (absolute, so retries cannot double-count). */
export async function reportTicketProgress(deps: IntegrationDeps, operationId: string, integrationId: string, currentItem?: string): Promise<void> {
	const row = await deps.db
		.selectFrom('ticket_projects')
		.select([
			sql<number>`count(*)::int`.as('projects'),
			sql<number>`(count(*) filter (where data_status not in ('queued', 'fetching', 'processing')))::int`.as('finished'),
			sql<number>`coalesce(sum(progress_done), 0)::int`.as('done'),
			sql<number>`coalesce(sum(progress_total), 0)::int`.as('total')
		])
		.where('integration_id', '=', integrationId)
		.where('imported', '=', true)
		.where('update_operation_id', '=', operationId)
		.executeTakeFirstOrThrow();
	await deps.progress.report(operationId, [
		{ stage: 'ticket-projects', done: row.finished, total: row.projects },
		{ stage: 'tickets', done: row.done, total: Math.max(row.total, row.done), ...(currentItem ? { currentItem } : {}) }
	]);
}

export function createTicketActivities(deps: IntegrationDeps) {
	const { db } = deps;

	/** Changes a ticket project's row and tells every viewer how it stands now. */
	async function updateProject(projectId: string, changes: Updateable<Database['ticket_projects']>): Promise<TicketProjectRow | undefined> {
		const row = await db.updateTable('ticket_projects').set(changes).where('id', '=', projectId).returningAll().executeTakeFirst();
		if (row) broadcastTicketProject(deps.io, toTicketProjectSummary(row));
		return row;
	}


	return {
		/** Queues the imported ticket projects (or only `projectIds` of them, a webhook's) when the integration's services include tickets. */
		async planTickets(input: { operationId: string; integrationId: string; projectIds?: string[] }): Promise<PlannedTicketProject[]> {
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			const { kind, services } = await db.selectFrom('integrations').select(['kind', 'services']).where('id', '=', input.integrationId).executeTakeFirstOrThrow();
			if (!services.includes('tickets') || !requireProvider(kind).tickets) return [];
			for (const stage of ticketStages(0)) {
				const operation = await addOperationStage(db, input.operationId, stage);
				if (operation) broadcastProgress(deps.io, operation);
			}
			let queue = db
				.updateTable('ticket_projects')
				.set({ data_status: 'queued', status_detail: null, progress_done: 0, progress_total: 0, update_operation_id: input.operationId })
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true);
			if (input.projectIds) queue = queue.where('id', 'in', input.projectIds.length > 0 ? input.projectIds : ['00000000-0000-0000-0000-000000000000']);
			const projects = await queue.returningAll().execute();
			for (const row of projects) broadcastTicketProject(deps.io, toTicketProjectSummary(row));
			await reportTicketProgress(deps, input.operationId, input.integrationId);
			return projects.map((p) => ({ id: p.id, name: `${p.key} ${p.name}` })).sort((a, b) => a.name.localeCompare(b.name));
		},

		async ingestTicketProject(input: { operationId: string; integrationId: string; projectId: string }): Promise<TicketProjectOutcome> {
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			const project = await updateProject(input.projectId, { data_status: 'fetching', status_detail: null, update_operation_id: input.operationId });
			if (!project) throw new Error(`Ticket project ${input.projectId} is gone.`);
			const name = `${project.key} ${project.name}`;
			const { provider, context } = await openIntegration(deps, input.integrationId);
			if (!provider.tickets) throw ApplicationFailure.nonRetryable(`${provider.kind} integrations have no tickets.`, 'NoTickets');

			let checkpoint = project.cursor;
			const beat = throttledHeartbeat(() => ({ cursor: checkpoint }));
			beat();
			const heartbeats = setInterval(beat, heartbeatEveryMs);
			const quota = quotaKeeper(db, input.integrationId);
			let written = 0;
			let lastProgress = 0;
			const owner = { organizationId: project.organization_id, integrationId: project.integration_id, projectId: project.id };
			const run: TicketRun = {
				project: { id: project.id, providerId: project.provider_id, key: project.key, name: project.name, workflow: project.workflow },
				cursor: project.cursor,
				async store(batch) {
					const changed = await storeTicketBatch(deps.pool, owner, batch);
					if (changed === null) throw (await isBeingDeleted(db, input.integrationId)) ? beingDeleted() : removedFromImport();
					checkpoint = batch.cursor;
					beat();
					written += changed;
					return changed;
				},
				async progress(done, total) {
					if (Date.now() - lastProgress < progressEveryMs && done < total) return;
					lastProgress = Date.now();
					await updateProject(project.id, { data_status: 'processing', progress_done: done, progress_total: Math.max(done, total) });
					await reportTicketProgress(deps, input.operationId, input.integrationId, `${project.key}: ${done}${total > 0 ? ` of ${total}` : ''} tickets read`);
				},
				quota: quota.hear
			};
			context.heartbeat = beat;

			try {
				await provider.tickets(context, run);
			} catch (error) {
				const spent = await quota.spent(error);
				if (spent) throw spent;
				// The provider refused for good (no permission to browse it, gone): a person must act.
				if ((error as { permanent?: boolean }).permanent === true) {
					const message = (error as Error).message;
					await updateProject(project.id, { data_status: 'blocked', status_detail: message });
					await reportTicketProgress(deps, input.operationId, input.integrationId);
					return { projectId: project.id, name, ok: false, message };
				}
				throw error;
			} finally {
				clearInterval(heartbeats);
			}
			await quota.settle();
			const done = await db.selectFrom('ticket_projects').select(['progress_done', 'progress_total']).where('id', '=', project.id).executeTakeFirstOrThrow();
			const read = Math.max(done.progress_done, done.progress_total);
			await updateProject(project.id, { data_status: 'healthy', status_detail: null, last_updated_at: new Date(), progress_done: read, progress_total: read });
			await reportTicketProgress(deps, input.operationId, input.integrationId, `${project.key}: done${written > 0 ? `, ${written} rows changed` : ', nothing new'}`);
			return { projectId: project.id, name, ok: true, message: null };
		},

		async markTicketProjectFailed(input: { projectId: string; operationId: string; message: string }): Promise<TicketProjectOutcome> {
			// A project removed from import meanwhile keeps its "not imported".
			const imported = await db.selectFrom('ticket_projects').select('imported').where('id', '=', input.projectId).executeTakeFirst();
			const project = imported?.imported === false
				? await db.selectFrom('ticket_projects').selectAll().where('id', '=', input.projectId).executeTakeFirst()
				: await updateProject(input.projectId, { data_status: 'failed', status_detail: input.message });
			if (!project) throw new Error(`Ticket project ${input.projectId} is gone.`);
			await reportTicketProgress(deps, input.operationId, project.integration_id);
			return { projectId: project.id, name: `${project.key} ${project.name}`, ok: false, message: input.message };
		},

		/** Cancelled is not failed: it keeps the status of the data it has, and the next update carries on from its cursor. */
		async markTicketProjectCancelled(input: { projectId: string; operationId: string }): Promise<TicketProjectOutcome> {
			const before = await db.selectFrom('ticket_projects').select('last_updated_at').where('id', '=', input.projectId).executeTakeFirst();
			if (!before) throw new Error(`Ticket project ${input.projectId} is gone.`);
			const project = await updateProject(input.projectId, {
				data_status: before.last_updated_at ? 'healthy' : 'queued',
				status_detail: before.last_updated_at ? 'The last update was cancelled; the tickets are as of the update before it.' : 'The update was cancelled before this project finished; the next one carries on.'
			});
			if (!project) throw new Error(`Ticket project ${input.projectId} is gone.`);
			await reportTicketProgress(deps, input.operationId, project.integration_id);
			return { projectId: project.id, name: `${project.key} ${project.name}`, ok: false, message: 'Cancelled.' };
		},

		async markTicketProjectRateLimited(input: { operationId: string; integrationId: string; projectId: string; details: RateLimitDetails }): Promise<void> {
			const message = rateLimitedUntil(input.details);
			await updateProject(input.projectId, { data_status: 'rate-limited', status_detail: message });
			await setIntegrationStatus(db, input.integrationId, 'rate-limited', message);
			await announceIntegration(deps, input.integrationId);
			await reportTicketProgress(deps, input.operationId, input.integrationId, message);
		},

		async endTicketProjectRateLimitWait(input: { integrationId: string; projectId: string }): Promise<void> {
			await updateProject(input.projectId, { data_status: 'processing', status_detail: null });
			await db.updateTable('integrations').set({ data_status: 'processing', status_detail: null }).where('id', '=', input.integrationId).where('data_status', '=', 'rate-limited').execute();
			await announceIntegration(deps, input.integrationId);
		}
	};
}
