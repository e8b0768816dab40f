// Update: plan the repositories, ingest each (in its own child workflow), record the outcome.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isBeingDeleted, setIntegrationStatus } from '#lib/server/integrations/queries.ts';
import type { RepoOutcome } from '../../../workflows/integrations/contract.ts';
import { ingestRepository } from '../../git/ingest.ts';
import { isPermanentGitFailure } from '../../git/run-git.ts';
import { announceIntegration, loadCredentials, reportUpdateProgress, updateRepo, type IntegrationDeps } from './context.ts';
import { deriveDeployments, recomputeDailyMetrics } from './deployments.ts';

const beingDeleted = () => ApplicationFailure.nonRetryable('The integration is being deleted; the update stopped.', 'IntegrationDeleting');

/** Heartbeat details of an ingest: how many commits were written for which starting cursor. */
interface IngestCheckpoint {
	cursorKey: string;
	written: number;
}

export function createUpdateActivities(deps: IntegrationDeps) {
	const { db } = deps;
	return {
		async planUpdate(input: { operationId: string; integrationId: string }): Promise<Array<{ id: string; name: string }>> {
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			const repos = await db
				.updateTable('repos')
				.set({ data_status: 'queued', status_detail: null, progress_done: 0, progress_total: 0 })
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true)
				.returning(['id', 'name'])
				.execute();
			await setIntegrationStatus(db, input.integrationId, 'processing', null);
			await announceIntegration(deps, input.integrationId);
			await deps.progress.report(input.operationId, { stage: 'repos', done: 0, total: repos.length });
			return repos.sort((a, b) => a.name.localeCompare(b.name));
		},

		async ingestRepo(input: { operationId: string; integrationId: string; repoId: string }): Promise<RepoOutcome> {
			const context = Context.current();
			// A child that starts once a deletion began (it waited its turn) fetches nothing.
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			// Marking it "fetching" also reads the row (its cursor is the ingest's starting point).
			const repo = await updateRepo(deps, input.repoId, { data_status: 'fetching', status_detail: null });
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			const credentials = await loadCredentials(db, input.integrationId);
			const cursorKey = JSON.stringify(repo.cursor ?? {});
			const checkpoint = context.info.heartbeatDetails as IngestCheckpoint | undefined;
			// Resume only from a checkpoint taken against the same starting point.
			const resumeAfter = checkpoint?.cursorKey === cursorKey ? checkpoint.written : 0;

			let lastReport = 0;
			try {
				const result = await ingestRepository(
					{ db, pool: deps.pool, settings: deps.settings },
					{
						repo: { id: repo.id, organizationId: repo.organization_id, integrationId: repo.integration_id, url: repo.url, cursor: repo.cursor },
						credentials,
						resumeAfter,
						onProgress: async (done, total) => {
							context.heartbeat({ cursorKey, written: done } satisfies IngestCheckpoint);
							// The database and every viewer hear at most a few times a second.
							if (Date.now() - lastReport < 250 && done < total) return;
							lastReport = Date.now();
							// A deletion started: stop writing rows it would have to chase.
							if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
							await updateRepo(deps, repo.id, { data_status: 'processing', progress_done: done, progress_total: total });
							await reportUpdateProgress(deps, input.operationId, input.integrationId, `${repo.name}: ${done} of ${total} new commits`);
						}
					}
				);
				await updateRepo(deps, repo.id, {
					data_status: 'healthy',
					status_detail: null,
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
				// Bad credentials or a repository that is gone: retrying will not help, a person must.
				if (isPermanentGitFailure(error)) {
					const message = (error as Error).message;
					await updateRepo(deps, repo.id, { data_status: 'blocked', status_detail: message });
					await reportUpdateProgress(deps, input.operationId, input.integrationId);
					return { repoId: repo.id, name: repo.name, ok: false, message };
				}
				throw error;
			}
		},

		async markRepoFailed(input: { repoId: string; operationId: string; message: string }): Promise<RepoOutcome> {
			const repo = await updateRepo(deps, input.repoId, { data_status: 'failed', status_detail: input.message });
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			await reportUpdateProgress(deps, input.operationId, repo.integration_id);
			return { repoId: repo.id, name: repo.name, ok: false, message: input.message };
		},

		async finishUpdate(input: { operationId: string; integrationId: string; outcomes: RepoOutcome[] }): Promise<void> {
			const failed = input.outcomes.filter((o) => !o.ok);
			await recomputeDailyMetrics(db, input.integrationId);
			if (failed.length === 0) {
				await setIntegrationStatus(db, input.integrationId, 'healthy', null, new Date());
			} else {
				const detail = `${failed.length} of ${input.outcomes.length} repositories failed: ${failed.map((f) => `${f.name} (${f.message})`).join('; ')}`;
				await setIntegrationStatus(db, input.integrationId, failed.length === input.outcomes.length ? 'failed-integration' : 'failed-items', detail);
			}
			await announceIntegration(deps, input.integrationId);
			const totals = await db
				.selectFrom('repos')
				.select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('commits_count'), eb.lit(0)).as('commits'), eb.fn.coalesce(eb.fn.sum<number>('tags_count'), eb.lit(0)).as('tags')])
				.where('integration_id', '=', input.integrationId)
				.where('imported', '=', true)
				.executeTakeFirstOrThrow();
			const result = { repos: input.outcomes.length, failed: failed.map((f) => ({ name: f.name, message: f.message })), commits: Number(totals.commits), tags: Number(totals.tags) };
			await deps.progress.finish(input.operationId, {
				state: failed.length === 0 ? 'succeeded' : 'failed',
				error: failed.length === 0 ? null : `${failed.length} of ${input.outcomes.length} repositories failed: ${failed.map((f) => `${f.name}: ${f.message}`).join('; ')}`,
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
