// What a verified webhook delivery sets going: an incremental update of the repositories it
// names. When an update of the integration is already running, it is told (a signal) to ingest
// them once more before it ends; a delivery never waits for the next scheduled update.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { OperationAlreadyRunningError } from '#core/operations/queries.ts';
import { temporal } from '#lib/server/runtime.ts';
import { repositoriesChangedSignal, ticketProjectsChangedSignal } from '../../../../workflows/integrations/contract.ts';
import { startUpdate } from './operations.ts';

/** The imported repositories among the provider's ids, as stored. */
async function importedRepos(db: Kysely<Database>, integrationId: string, providerIds: string[]) {
	if (providerIds.length === 0) return [];
	return db
		.selectFrom('repos')
		.select(['id', 'name'])
		.where('integration_id', '=', integrationId)
		.where('provider_id', 'in', providerIds)
		.where('imported', '=', true)
		.execute();
}

/** The imported ticket projects among the provider's ids, as stored. */
async function importedTicketProjects(db: Kysely<Database>, integrationId: string, providerIds: string[]) {
	if (providerIds.length === 0) return [];
	return db
		.selectFrom('ticket_projects')
		.select(['id', 'key as name'])
		.where('integration_id', '=', integrationId)
		.where('provider_id', 'in', providerIds)
		.where('imported', '=', true)
		.execute();
}

/** Starts or extends an update of these repositories; returns what happened, in words for the delivery log. */
export async function updateFromWebhook(
	db: Kysely<Database>,
	target: { integrationId: string; organizationId: string },
	providerIds: string[],
	what: string,
	startedBy: string
): Promise<string> {
	const repos = await importedRepos(db, target.integrationId, providerIds);
	if (repos.length === 0) return `${what} in a repository this integration does not import: nothing to do`;
	return startOrSignal(target, { repoIds: repos.map((r) => r.id), ticketProjectIds: [] }, repos, what, startedBy, repositoriesChangedSignal);
}

/** The same for ticket projects (a Jira webhook). */
export async function updateTicketsFromWebhook(
	db: Kysely<Database>,
	target: { integrationId: string; organizationId: string },
	providerIds: string[],
	what: string,
	startedBy: string
): Promise<string> {
	const projects = await importedTicketProjects(db, target.integrationId, providerIds);
	if (projects.length === 0) return `${what} in a project this integration does not import: nothing to do`;
	return startOrSignal(target, { repoIds: [], ticketProjectIds: projects.map((p) => p.id) }, projects, what, startedBy, ticketProjectsChangedSignal);
}

/** Starts an update of the items, or tells the running one to ingest them once more. */
async function startOrSignal(
	target: { integrationId: string; organizationId: string },
	only: { repoIds: string[]; ticketProjectIds: string[] },
	items: Array<{ id: string; name: string }>,
	what: string,
	startedBy: string,
	signal: string
): Promise<string> {
	const names = items.map((r) => r.name).join(', ');
	const ids = items.map((r) => r.id);
	// The running update may end between our two steps: then a fresh one starts.
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			await startUpdate({ organizationId: target.organizationId, email: startedBy }, target.integrationId, only.repoIds, only.ticketProjectIds);
			return `${what}: update of ${names} started`;
		} catch (error) {
			if (!(error instanceof OperationAlreadyRunningError)) throw error;
			try {
				await temporal().workflow.getHandle(error.running.workflowId).signal<[string[]]>(signal, ids);
				return `${what}: the running update ingests ${names} once more`;
			} catch (signalError) {
				if (!(signalError instanceof WorkflowNotFoundError)) throw signalError;
			}
		}
	}
	return `${what}: could not start an update of ${names}; the next update brings it`;
}
