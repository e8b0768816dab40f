// Pull requests of one repository through its provider (the seam's `pullRequests`): every batch
// stored with its cursor while the integration is not being deleted, heartbeats every second
// with the cursor as checkpoint, the quota kept on the integration for its page, and a spent
// quota turned into a non-retryable RateLimited failure the workflow waits out with a timer.
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import { countPullRequests, existingPullRequests, storePullRequestBatch } from '#core/integrations/pull-requests.ts';
import { isBeingDeleted, setIntegrationStatus } from '#core/integrations/queries.ts';
import type { PullRequestRun } from '#core/providers/provider.ts';
import type { RateLimitDetails } from '../../../workflows/integrations/contract.ts';
import { throttledHeartbeat } from '../heartbeat.ts';
import { quotaKeeper, rateLimitedUntil } from './quota.ts';
import { announceIntegration, openIntegration, reportUpdateProgress, updateRepo, type IntegrationDeps } from './context.ts';

const beingDeleted = () => ApplicationFailure.nonRetryable('The integration is being deleted; the update stopped.', 'IntegrationDeleting');

/** Requests in flight per repository at most (the provider asks fewer as the quota runs low). */
const pullRequestConcurrency = 8;
const heartbeatEveryMs = 1_000;
const progressEveryMs = 250;

export interface PullRequestOutcome {
	name: string;
	count: number;
	written: number;
}



export function createPullRequestActivities(deps: IntegrationDeps) {
	const { db } = deps;


	/** The operation's "Pull requests" bar, from the repositories' own counters (absolute, so retries cannot double-count). */
	async function reportProgress(operationId: string, integrationId: string, currentItem?: string): Promise<void> {
		const row = await db
			.selectFrom('repos')
			.select([sql<number>`coalesce(sum(pull_requests_done), 0)::int`.as('done'), sql<number>`coalesce(sum(pull_requests_total), 0)::int`.as('total')])
			.where('integration_id', '=', integrationId)
			.where('imported', '=', true)
			.where('update_operation_id', '=', operationId)
			.executeTakeFirstOrThrow();
		await deps.progress.report(operationId, { stage: 'pull-requests', done: row.done, total: row.total, ...(currentItem ? { currentItem } : {}) });
	}

	return {
		async ingestPullRequests(input: { operationId: string; integrationId: string; repoId: string }): Promise<PullRequestOutcome> {
			if (await isBeingDeleted(db, input.integrationId)) throw beingDeleted();
			const repo = await updateRepo(deps, input.repoId, { data_status: 'processing', pull_requests_detail: null });
			if (!repo) throw new Error(`Repository ${input.repoId} is gone.`);
			const { provider, context } = await openIntegration(deps, input.integrationId);
			if (!provider.pullRequests) throw ApplicationFailure.nonRetryable(`${provider.kind} integrations have no pull requests.`, 'NoPullRequests');

			// The stored cursor is the truth (written with each batch); the heartbeat carries it too,
			// so Temporal shows where a retried attempt will carry on from.
			let checkpoint = repo.pull_requests_cursor;
			const beat = throttledHeartbeat(() => ({ cursor: checkpoint }));
			beat();
			const heartbeats = setInterval(beat, heartbeatEveryMs);

			const quota = quotaKeeper(db, input.integrationId);
			let written = 0;
			let lastProgress = 0;
			const owner = { organizationId: repo.organization_id, integrationId: repo.integration_id, repoId: repo.id };
			const run: PullRequestRun = {
				repo: { id: repo.id, providerId: repo.provider_id, name: repo.name, url: repo.url },
				cursor: repo.pull_requests_cursor,
				concurrency: pullRequestConcurrency,
				async store(batch) {
					const changed = await storePullRequestBatch(deps.pool, owner, batch);
					if (changed === null) throw beingDeleted();
					checkpoint = batch.cursor;
					beat();
					written += changed;
					return changed;
				},
				existing: (ids) => existingPullRequests(db, repo.id, ids),
				async progress(done, total) {
					if (Date.now() - lastProgress < progressEveryMs && done < total) return;
					lastProgress = Date.now();
					await updateRepo(deps, repo.id, { pull_requests_done: done, pull_requests_total: total });
					await reportProgress(input.operationId, input.integrationId, `${repo.name}: ${done} of ${total} pull requests`);
				},
				quota: quota.hear
			};
			context.heartbeat = beat;

			try {
				await provider.pullRequests(context, run);
			} catch (error) {
				throw (await quota.spent(error)) ?? error;
			} finally {
				clearInterval(heartbeats);
			}
			await quota.settle();
			const count = await countPullRequests(db, repo.id);
			const stored = await db.selectFrom('repos').select(['pull_requests_done', 'pull_requests_total']).where('id', '=', repo.id).executeTakeFirstOrThrow();
			const done = Math.max(stored.pull_requests_done, stored.pull_requests_total);
			await updateRepo(deps, repo.id, {
				data_status: 'healthy',
				pull_requests_count: count,
				pull_requests_detail: null,
				pull_requests_done: done,
				pull_requests_total: done,
				last_updated_at: new Date()
			});
			// The repository is done: the Repositories bar counts it now (it went back to "processing"
			// for its pull requests, so the count its commits reported left it out).
			await reportUpdateProgress(deps, input.operationId, input.integrationId);
			await reportProgress(input.operationId, input.integrationId, `${repo.name}: pull requests done`);
			return { name: repo.name, count, written };
		},

		/** The quota is spent: the integration and the repository say until when, with remaining / limit. */
		async markRateLimited(input: { operationId: string; integrationId: string; repoId: string; details: RateLimitDetails }): Promise<void> {
			const message = rateLimitedUntil(input.details);
			await updateRepo(deps, input.repoId, { data_status: 'rate-limited', pull_requests_detail: message });
			await setIntegrationStatus(db, input.integrationId, 'rate-limited', message);
			await announceIntegration(deps, input.integrationId);
			await deps.progress.report(input.operationId, { stage: 'pull-requests', done: 0, currentItem: message });
		},

		/** The reset has come: the work goes on. */
		async endRateLimitWait(input: { integrationId: string; repoId: string }): Promise<void> {
			await updateRepo(deps, input.repoId, { data_status: 'processing', pull_requests_detail: null });
			await db.updateTable('integrations').set({ data_status: 'processing', status_detail: null }).where('id', '=', input.integrationId).where('data_status', '=', 'rate-limited').execute();
			await announceIntegration(deps, input.integrationId);
		}
	};
}
