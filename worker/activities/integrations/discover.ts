// Discovery (Refresh, and the start of every update of a hosted provider): the provider lists its
// groups and repositories; new ones are stored, known ones follow renames, archiving and forks,
// and new repositories are imported as the toggles say (the integration's "auto-import all
// groups" for a group seen for the first time, the group's "auto-import" for a new repository).
import { ApplicationFailure } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { readSettings } from '#core/config.ts';
import type { Database } from '#core/db/database.ts';
import { broadcastRepo } from '#core/integrations/broadcast.ts';
import { isBeingDeleted, setIntegrationStatus, toRepoSummary } from '#core/integrations/queries.ts';
import type { DiscoveredGroup, DiscoveredTicketProject } from '#core/providers/provider.ts';
import { broadcastTicketProject, storeTicketProjects, toTicketProjectSummary } from '#core/tickets/projects.ts';
import { rateLimitFailureType, type DiscoveryResult, type RateLimitDetails } from '../../../workflows/integrations/contract.ts';

export type { DiscoveryResult };
import { announceIntegration, openIntegration, type IntegrationDeps } from './context.ts';


/** Stores what the provider listed; returns the counts. Idempotent: a retry changes nothing more. */
export async function storeDiscovery(
	db: Kysely<Database>,
	integration: { id: string; organizationId: string; autoImportAll: boolean },
	groups: DiscoveredGroup[],
	onRepo: (row: Parameters<typeof toRepoSummary>[0]) => void = () => {}
): Promise<DiscoveryResult> {
	const result: DiscoveryResult = { groups: groups.length, repositories: 0, newGroups: 0, newRepositories: 0, imported: 0, heldElsewhere: 0 };
	const heldUrls: string[] = [];
	return db.transaction().execute(async (trx) => {
		const knownGroups = new Map(
			(await trx.selectFrom('groups').select(['id', 'provider_id', 'auto_import']).where('integration_id', '=', integration.id).execute()).map((g) => [g.provider_id, g])
		);
		const knownRepos = new Map((await trx.selectFrom('repos').select(['id', 'provider_id', 'url', 'name', 'archived', 'fork', 'group_id']).where('integration_id', '=', integration.id).execute()).map((r) => [r.provider_id, r]));
		for (const group of groups) {
			let stored = knownGroups.get(group.providerId);
			if (stored) {
				await trx.updateTable('groups').set({ name: group.name, url: group.url }).where('id', '=', stored.id).execute();
			} else {
				stored = await trx
					.insertInto('groups')
					.values({ organization_id: integration.organizationId, integration_id: integration.id, provider_id: group.providerId, name: group.name, url: group.url, auto_import: integration.autoImportAll })
					.returning(['id', 'provider_id', 'auto_import'])
					.executeTakeFirstOrThrow();
				result.newGroups++;
			}
			for (const repo of group.repositories) {
				result.repositories++;
				const known = knownRepos.get(repo.providerId);
				const fields = { url: repo.url, name: repo.name, archived: repo.archived ?? false, fork: repo.fork ?? false, group_id: stored.id };
				if (known) {
					const changed = known.url !== fields.url || known.name !== fields.name || known.archived !== fields.archived || known.fork !== fields.fork || known.group_id !== fields.group_id;
					if (changed) {
						const row = await trx.updateTable('repos').set(fields).where('id', '=', known.id).returningAll().executeTakeFirstOrThrow();
						onRepo(row);
					}
					continue;
				}
				// A provider may say a repository cannot be read (Azure DevOps's disabled ones): listed, not imported.
				const imported = stored.auto_import && repo.imported !== false;
				// The organisation may hold this repository in another integration already: it stays there.
				const row = await trx
					.insertInto('repos')
					.values({
						...fields,
						organization_id: integration.organizationId,
						integration_id: integration.id,
						provider_id: repo.providerId,
						imported,
						data_status: imported ? 'queued' : 'excluded',
						status_detail: null,
						last_updated_at: null,
						cursor: null
					})
					.onConflict((oc) => oc.doNothing())
					.returningAll()
					.executeTakeFirst();
				if (!row) {
					result.heldElsewhere++;
					heldUrls.push(fields.url);
					continue;
				}
				result.newRepositories++;
				if (imported) result.imported++;
				onRepo(row);
			}
		}
		if (heldUrls.length > 0) {
			// Said with the discovery's counts, so a person who adds an account again while its old
			// integration is being deleted learns why its repositories did not come.
			const holders = await trx
				.selectFrom('repos')
				.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
				.select(['integrations.name', 'integrations.data_status', (eb) => eb.fn.countAll<string>().as('n')])
				.where('repos.organization_id', '=', integration.organizationId)
				.where('repos.integration_id', '!=', integration.id)
				.where('repos.url', 'in', heldUrls)
				.groupBy(['integrations.name', 'integrations.data_status'])
				.orderBy('integrations.name')
				.execute();
			result.heldBy = holders.map((h) => ({ integration: h.name, deleting: h.data_status === 'deleting', repositories: Number(h.n) }));
			result.reAddCooldownHours = readSettings().reAddCooldownHours;
		}
		return result;
	});
}

export function createDiscoverActivities(deps: IntegrationDeps) {
	const activities = {
		/**
		 * Lists the provider's groups and repositories and stores them; null for kinds that do not
		 * list theirs (Generic Git). A failure the person must fix (a revoked token, a missing
		 * permission) becomes the integration's status, in the provider's words, and is not retried.
		 */
		async discoverRepositories(input: { operationId: string; integrationId: string }): Promise<DiscoveryResult | null> {
			if (await isBeingDeleted(deps.db, input.integrationId)) throw ApplicationFailure.nonRetryable('The integration is being deleted.', 'IntegrationDeleting');
			const { provider, context } = await openIntegration(deps, input.integrationId);
			if (!provider.discover && !provider.discoverTicketProjects) return null;
			let groups: DiscoveredGroup[];
			let ticketProjects: DiscoveredTicketProject[] | null;
			try {
				groups = provider.discover ? await provider.discover(context) : [];
				ticketProjects = provider.discoverTicketProjects ? await provider.discoverTicketProjects(context) : null;
			} catch (error) {
				const failure = error as Error & { permanent?: boolean; resetAt?: Date };
				if (failure.resetAt instanceof Date) {
					// The workflow waits for the reset with a timer (its details say when), then asks again.
					await setIntegrationStatus(deps.db, input.integrationId, 'rate-limited', failure.message);
					await announceIntegration(deps, input.integrationId);
					const details: RateLimitDetails = { resetAt: failure.resetAt.toISOString(), limit: null, remaining: null };
					throw ApplicationFailure.create({ message: failure.message, type: rateLimitFailureType, nonRetryable: true, details: [details] });
				}
				if (failure.permanent === true) {
					await setIntegrationStatus(deps.db, input.integrationId, 'failed-integration', failure.message);
					await announceIntegration(deps, input.integrationId);
					throw ApplicationFailure.nonRetryable(failure.message, 'ProviderRefused');
				}
				throw error;
			}
			const result = await storeDiscovery(
				deps.db,
				{ id: input.integrationId, organizationId: context.integration.organizationId, autoImportAll: context.integration.settings.autoImportAll !== false },
				groups,
				(row) => broadcastRepo(deps.io, toRepoSummary(row))
			);
			if (ticketProjects) {
				const tickets = await storeTicketProjects(
					deps.db,
					{ id: input.integrationId, organizationId: context.integration.organizationId, autoImport: context.integration.settings.autoImportTicketProjects === true },
					ticketProjects,
					(row) => broadcastTicketProject(deps.io, toTicketProjectSummary(row))
				);
				Object.assign(result, { ticketProjects: tickets.projects, newTicketProjects: tickets.newProjects, importedTicketProjects: tickets.imported });
			}
			await announceIntegration(deps, input.integrationId);
			return result;
		},

		/** Refresh: discovery as an operation of its own, its counts as the result. */
		async refreshIntegration(input: { operationId: string; integrationId: string }): Promise<void> {
			const result = await activities.discoverRepositories(input);
			await deps.progress.finish(input.operationId, { state: 'succeeded', error: null, result: result ? { ...result } : { groups: 0, repositories: 0 } });
		}
	};
	return activities;
}
