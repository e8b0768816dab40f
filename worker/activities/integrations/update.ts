// Update: plan the repositories, ingest each (in its own child workflow), record the outcome.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { serviceLabelOf } from '#core/domain/integrations/providers.ts';
import { isBeingDeleted, setIntegrationStatus } from '#core/integrations/queries.ts';
import { addOperationStage } from '#core/operations/queries.ts';
import { broadcastProgress } from '#core/operations/broadcast.ts';
import { requireProvider } from '#core/providers/registry.ts';
import { pullRequestStage, type DiscoveryResult, type PlannedRepo, type RepoOutcome, type TicketProjectOutcome } from '../../../workflows/integrations/contract.ts';
import { ingestRepository } from '#core/git/ingest.ts';
import { openMirror } from '#core/git/mirror.ts';
import { lockMirror } from '#core/git/mirror-lock.ts';
import { describeGitProgress, gitProgressPhase, type GitProgress } from '#core/git/progress.ts';
import { isPermanentGitFailure } from '#core/git/run-git.ts';
import { describeSkips } from '#core/git/skipped.ts';
import { announceIntegration, openIntegration, reportUpdateProgress, updateRepo, type IntegrationDeps } from './context.ts';
import { deriveDeployments, recomputeDailyMetrics } from './deployments.ts';
import { reportTicketProgress } from './tickets.ts';

const beingDeleted = () => ApplicationFailure.nonRetryable('The integration is being deleted; the update stopped.', 'IntegrationDeleting');

/** Heartbeat details of an ingest: how many commits were written for which starting cursor. */
interface IngestCheckpoint {
	/** A digest of the cursor: the cursor itself, one entry per branch and tag, can be megabytes. */
	cursorKey: string;
	written: number;
}

/** "3 repositories", "2 ticket projects", "3 repositories and ticket projects": what an update's counts are of. */
function describeItems(repos: number, projects: number): string {
	if (projects === 0) return `${repos} repositories`;
	if (repos === 0) return `${projects} ticket projects`;
	return `${repos + projects} repositories and ticket projects`;
}

/** How often a running fetch's phase reaches the database and every viewer. */
const fetchReportEveryMs = 500;
/** How often the attempt tells Temporal it is alive (the SDK sends at most one per 80% of the timeout). */
const heartbeatEveryMs = 1_000;

export function createUpdateActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		/** Queues the imported repositories (or only `repoIds` of them, for a webhook's update). */
		async planUpdate(input: { operationId: string; integrationId: string; repoIds?: string[] }): Promise<PlannedRepo[]> {
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			const { kind, services } = await db.selectFrom('integrations').select(['kind', 'services']).where('id', '=', input.integrationId).executeTakeFirstOrThrow();
			// Pull requests when the integration's services include them and its provider has them;
			// commits and tags (git) when they include repos (Services tab).
			const pullRequests = services.includes('pull-requests') && requireProvider(kind).pullRequests !== undefined;
			const commits = services.includes('repos');
			if (pullRequests) {
				// Named as the provider names them (GitLab's merge requests).
				const operation = await addOperationStage(db, input.operationId, { ...pullRequestStage, label: serviceLabelOf(kind, 'pull-requests') });
				if (operation) broadcastProgress(deps.io, operation);
			}
			let queue = db
				.updateTable('repos')
				.set({ data_status: 'queued', status_detail: null, progress_done: 0, progress_total: 0, pull_requests_done: 0, pull_requests_total: 0, update_operation_id: input.operationId })
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true);
			if (input.repoIds) queue = queue.where('id', 'in', input.repoIds.length > 0 ? input.repoIds : ['00000000-0000-0000-0000-000000000000']);
			const repos = commits || pullRequests ? await queue.returning(['id', 'name']).execute() : [];
			await setIntegrationStatus(db, input.integrationId, 'processing', null);
			await announceIntegration(deps, input.integrationId);
			await deps.progress.report(input.operationId, { stage: 'repos', done: 0, total: repos.length });
			return repos
				.sort((a, b) => a.name.localeCompare(b.name))
				.map((repo) => ({ ...repo, ...(pullRequests ? { pullRequests } : {}), ...(commits ? {} : { commits }) }));
		},

		async ingestRepo(input: { operationId: string; integrationId: string; repoId: string }): Promise<RepoOutcome> {
			const context = Context.current();
			// A child that starts once a deletion began (it waited its turn) fetches nothing.
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			// Marking it "fetching" also reads the row (its cursor is the ingest's starting point).
			// A repository signalled while the update ran (a webhook) joins its bars.
			const repo = await updateRepo(deps, input.repoId, { data_status: 'fetching', status_detail: null, progress_done: 0, progress_total: 0, update_operation_id: input.operationId });
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			const { provider, context: providerContext } = await openIntegration(deps, input.integrationId);
			if (!provider.gitRemote) throw ApplicationFailure.nonRetryable(`${provider.kind} integrations have no git repositories.`, 'NoGitRepositories');
			const remote = await provider.gitRemote(providerContext, { url: repo.url, providerId: repo.provider_id });
			const cursorKey = createHash('sha256')
				.update(JSON.stringify(repo.cursor ?? {}))
				.digest('base64url');
			const previous = context.info.heartbeatDetails as IngestCheckpoint | undefined;
			// Resume only from a checkpoint taken against the same starting point.
			const resumeAfter = previous?.cursorKey === cursorKey ? previous.written : 0;

			// Heartbeats every second, whatever the ingest is doing: a fetch of an hour, git listing a
			// hundred thousand tags, storing them. A worker that dies stops them, so its attempt is
			// still retried within one heartbeat timeout; one whose attempt Temporal gave up on hears
			// so through them (the cancellation signal) and stops.
			let checkpoint: IngestCheckpoint = { cursorKey, written: resumeAfter };
			context.heartbeat(checkpoint);
			const heartbeats = setInterval(() => context.heartbeat(checkpoint), heartbeatEveryMs);

			// An earlier attempt may still run here (Temporal gave up on it, git did not): it stops first.
			const lock = await lockMirror(openMirror(repo.id, deps.settings)).catch((error: unknown) => {
				clearInterval(heartbeats);
				throw error;
			});
			// Git and the writes stop when the update is cancelled, the heartbeat timed out, or a newer attempt took over.
			const signal = AbortSignal.any([context.cancellationSignal, lock.signal]);

			// While git fetches, its phase and counts are the repository's progress.
			let fetching = true;
			let fetchReport: Promise<void> = Promise.resolve();
			let lastFetchReport = 0;
			const reportFetch = (progress: GitProgress) => {
				const phase = gitProgressPhase(progress);
				return updateRepo(deps, repo.id, { data_status: 'fetching', status_detail: phase, progress_done: progress.done, progress_total: progress.total ?? 0 })
					.then(() => reportUpdateProgress(deps, input.operationId, input.integrationId, `${repo.name}: ${describeGitProgress(progress)}`))
					.catch((error: unknown) => context.log.warn('could not report fetch progress', { error: String(error) }));
			};
			const onFetchProgress = (progress: GitProgress) => {
				if (!fetching || Date.now() - lastFetchReport < fetchReportEveryMs) return;
				lastFetchReport = Date.now();
				fetchReport = fetchReport.then(() => (fetching ? reportFetch(progress) : undefined));
			};

			let lastReport = 0;
			try {
				const result = await ingestRepository(
					{ db, pool: deps.pool, settings: deps.settings },
					{
						repo: { id: repo.id, organizationId: repo.organization_id, integrationId: repo.integration_id, url: remote.url, cursor: repo.cursor },
						credentials: remote.credentials,
						resumeAfter,
						signal,
						onFetchProgress,
						onProgress: async (done, total) => {
							checkpoint = { cursorKey, written: done };
							context.heartbeat(checkpoint);
							if (fetching) {
								// The fetch is over: its last report must not land after the commits' first.
								fetching = false;
								await fetchReport;
							}
							// The database and every viewer hear at most a few times a second.
							if (Date.now() - lastReport < 250 && done < total) return;
							lastReport = Date.now();
							// A deletion started: stop writing rows it would have to chase.
							if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
							await updateRepo(deps, repo.id, { data_status: 'processing', status_detail: null, progress_done: done, progress_total: total });
							await reportUpdateProgress(deps, input.operationId, input.integrationId, `${repo.name}: ${done} of ${total} new commits`);
						}
					}
				);
				// Commits skipped earlier stay skipped: an incremental update never reads them again.
				const skippedCommits = (repo.cursor ? repo.skipped_commits : 0) + result.skipped.commits;
				await updateRepo(deps, repo.id, {
					data_status: 'healthy',
					status_detail: describeSkips({ ...result.skipped, commits: skippedCommits }),
					skipped_commits: skippedCommits,
					cursor: JSON.stringify(result.tips),
					commits_count: result.commitsCount,
					tags_count: result.tagsCount,
					last_updated_at: new Date(),
					progress_done: result.newCommits,
					progress_total: result.newCommits
				});
				const integration = await db.selectFrom('integrations').select('deployments_from_tags').where('id', '=', input.integrationId).executeTakeFirstOrThrow();
				if (integration.deployments_from_tags) await deriveDeployments(db, input.integrationId, repo.id);
				await reportUpdateProgress(deps, input.operationId, input.integrationId, `${repo.name}: done`);
				return { repoId: repo.id, name: repo.name, ok: true, message: null };
			} catch (error) {
				// Bad credentials, a repository that is gone or too large to read: retrying will not help, a person must.
				if (isPermanentGitFailure(error)) {
					const message = (error as Error).message;
					await updateRepo(deps, repo.id, { data_status: 'blocked', status_detail: message });
					await reportUpdateProgress(deps, input.operationId, input.integrationId);
					return { repoId: repo.id, name: repo.name, ok: false, message };
				}
				throw error;
			} finally {
				clearInterval(heartbeats);
				fetching = false;
				await fetchReport;
				lock.release();
			}
		},

		async markRepoFailed(input: { repoId: string; operationId: string; message: string }): Promise<RepoOutcome> {
			const repo = await updateRepo(deps, input.repoId, { data_status: 'failed', status_detail: input.message });
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			await reportUpdateProgress(deps, input.operationId, repo.integration_id);
			return { repoId: repo.id, name: repo.name, ok: false, message: input.message };
		},

		/**
		 * A repository whose ingest was cancelled: not failed. It shows the data it had (healthy as of
		 * its last finished update) or waits for the next run (queued); what the cancelled run stored
		 * stays, and the next run carries on from its cursor.
		 */
		async markRepoCancelled(input: { repoId: string; operationId: string }): Promise<RepoOutcome> {
			const before = await db.selectFrom('repos').select('last_updated_at').where('id', '=', input.repoId).executeTakeFirst();
			if (!before) throw new Error(`Repository ${input.repoId} is gone.`);
			const message = 'Cancelled.';
			const repo = await updateRepo(deps, input.repoId, {
				data_status: before.last_updated_at ? 'healthy' : 'queued',
				status_detail: before.last_updated_at ? 'The last update was cancelled; the data is as of the update before it.' : 'The update was cancelled before this repository finished; the next one carries on.'
			});
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			await reportUpdateProgress(deps, input.operationId, repo.integration_id);
			return { repoId: repo.id, name: repo.name, ok: false, message };
		},

		async finishUpdate(
			input: { operationId: string; integrationId: string; outcomes: RepoOutcome[]; ticketOutcomes?: TicketProjectOutcome[] } & Pick<DiscoveryResult, 'heldBy' | 'reAddCooldownHours'>
		): Promise<void> {
			const ticketOutcomes = input.ticketOutcomes ?? [];
			// The projects' last reports raced each other: the bars end on what was stored.
			if (ticketOutcomes.length > 0) await reportTicketProgress(deps, input.operationId, input.integrationId);
			const failed = [...input.outcomes, ...ticketOutcomes].filter((o) => !o.ok);
			// Counted in the words of what the update ingested: repositories, ticket projects, or both.
			const items = describeItems(input.outcomes.length, ticketOutcomes.length);
			await recomputeDailyMetrics(db, input.integrationId);
			if (failed.length === 0) {
				await setIntegrationStatus(db, input.integrationId, 'healthy', null, new Date());
			} else {
				const detail = `${failed.length} of ${items} failed: ${failed.map((f) => `${f.name} (${f.message})`).join('; ')}`;
				await setIntegrationStatus(db, input.integrationId, failed.length === input.outcomes.length + ticketOutcomes.length ? 'failed-integration' : 'failed-items', detail);
			}
			await announceIntegration(deps, input.integrationId);
			const totals = await db
				.selectFrom('repos')
				.select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('commits_count'), eb.lit(0)).as('commits'), eb.fn.coalesce(eb.fn.sum<number>('tags_count'), eb.lit(0)).as('tags'),
					eb.fn.coalesce(eb.fn.sum<number>('pull_requests_count'), eb.lit(0)).as('pullRequests')
				])
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true)
				.executeTakeFirstOrThrow();
			const tickets = ticketOutcomes.length === 0 ? null : await db
				.selectFrom('ticket_projects')
				.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('tickets_count'), eb.lit(0)).as('tickets'))
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true)
				.executeTakeFirstOrThrow();
			const result = {
				repos: input.outcomes.length, failed: failed.map((f) => ({ name: f.name, message: f.message })), commits: Number(totals.commits), tags: Number(totals.tags), pullRequests: Number(totals.pullRequests),
				...(tickets ? { ticketProjects: ticketOutcomes.length, tickets: Number(tickets.tickets) } : {}),
				...(input.heldBy ? { heldBy: input.heldBy, reAddCooldownHours: input.reAddCooldownHours ?? 0 } : {})
			};
			await deps.progress.finish(input.operationId, {
				state: failed.length === 0 ? 'succeeded' : 'failed',
				error: failed.length === 0 ? null : `${failed.length} of ${items} failed: ${failed.map((f) => `${f.name}: ${f.message}`).join('; ')}`,
				result
			});
		},

		async failUpdate(input: { operationId: string; integrationId: string; state: 'failed' | 'cancelled'; message: string }): Promise<void> {
			if (input.state === 'cancelled') {
				await setIntegrationStatus(db, input.integrationId, 'pending', 'The last update was cancelled before it finished.');
			} else {
				await setIntegrationStatus(db, input.integrationId, 'failed-integration', input.message);
			}
			await announceIntegration(deps, input.integrationId);
			await deps.progress.finish(input.operationId, { state: input.state, error: input.message });
		}
	};
}
