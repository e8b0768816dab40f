import { CancellationScope, defineSignal, executeChild, patched, setHandler } from '@temporalio/workflow';
import { inBatches } from '../concurrency.ts';
import { describeFailure } from '../failure.ts';
import { bookkeeping, discoveryWork, ingestWork, quickBookkeeping } from './activities.ts';
import { discoverWaitingOutLimits } from './discovery.ts';
import { ingestRepoWorkflowId, repositoriesChangedSignal, type IngestRepoInput, type RepoOutcome, type UpdateIntegrationInput } from './contract.ts';

export const repositoriesChanged = defineSignal<[string[]]>(repositoriesChangedSignal);

/** Update: one child workflow per imported repository, a few at once. */
export async function updateIntegrationWorkflow(input: UpdateIntegrationInput): Promise<RepoOutcome[]> {
	const { operationId, integrationId } = input;
	// Runs started before planning and finishing became local activities replay as they ran.
	const steps = patched('update-bookkeeping-local') ? quickBookkeeping : bookkeeping;
	// Repositories that changed while this update ran (webhooks): each is ingested once more after.
	const changed = new Set<string>();
	setHandler(repositoriesChanged, (repoIds) => {
		for (const id of repoIds) changed.add(id);
	});
	const ingest = (repo: { id: string }, pass: number) =>
		executeChild(ingestRepoWorkflow, {
			workflowId: pass === 0 ? ingestRepoWorkflowId(repo.id, operationId) : `${ingestRepoWorkflowId(repo.id, operationId)}-again-${pass}`,
			args: [{ version: 1, operationId, integrationId, repoId: repo.id, heartbeatSeconds: input.heartbeatSeconds } satisfies IngestRepoInput]
		});
	try {
		// Hosted providers list their repositories first: the first update finds them, later ones
		// find a revoked token at once (the integration's status says so) and follow renames. A
		// webhook's update of named repositories skips it. A spent quota is waited out with a timer.
		if (patched('update-discovers-first') && !input.repoIds) {
			if (patched('discovery-waits-out-rate-limits')) await discoverWaitingOutLimits({ operationId, integrationId });
			else await discoveryWork.discoverRepositories({ operationId, integrationId });
		}
		const repos = await steps.planUpdate({ operationId, integrationId, ...(input.repoIds ? { repoIds: input.repoIds } : {}) });
		const outcomes = new Map((await inBatches(repos, input.concurrency, (repo) => ingest(repo, 0))).map((o) => [o.repoId, o]));
		let pass = 0;
		do {
			while (changed.size > 0 && pass < 20) {
				pass++;
				const again = [...changed].map((id) => ({ id }));
				changed.clear();
				for (const outcome of await inBatches(again, input.concurrency, (repo) => ingest(repo, pass))) outcomes.set(outcome.repoId, outcome);
			}
			await steps.finishUpdate({ operationId, integrationId, outcomes: [...outcomes.values()] });
			// A change signalled while finishing is ingested too: the update ends only with none waiting.
		} while (changed.size > 0 && pass < 20);
		return [...outcomes.values()];
	} catch (error) {
		const { state, message } = describeFailure(error);
		await CancellationScope.nonCancellable(() => bookkeeping.failUpdate({ operationId, integrationId, state, message }));
		throw error;
	}
}

/** One repository: its failure is recorded on the repository and does not stop the others. */
export async function ingestRepoWorkflow(input: IngestRepoInput): Promise<RepoOutcome> {
	try {
		return await ingestWork(input.heartbeatSeconds).ingestRepo(input);
	} catch (error) {
		const { message } = describeFailure(error);
		return CancellationScope.nonCancellable(() => bookkeeping.markRepoFailed({ repoId: input.repoId, operationId: input.operationId, message }));
	}
}
