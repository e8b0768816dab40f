import { CancellationScope, executeChild, patched } from '@temporalio/workflow';
import { inBatches } from '../concurrency.ts';
import { describeFailure } from '../failure.ts';
import { bookkeeping, discoveryWork, ingestWork, quickBookkeeping } from './activities.ts';
import { ingestRepoWorkflowId, type IngestRepoInput, type RepoOutcome, type UpdateIntegrationInput } from './contract.ts';

/** Update: one child workflow per imported repository, a few at once. */
export async function updateIntegrationWorkflow(input: UpdateIntegrationInput): Promise<RepoOutcome[]> {
	const { operationId, integrationId } = input;
	// Runs started before planning and finishing became local activities replay as they ran.
	const steps = patched('update-bookkeeping-local') ? quickBookkeeping : bookkeeping;
	try {
		// Hosted providers list their repositories first: the first update finds them, later ones
		// find a revoked token at once (the integration's status says so) and follow renames.
		if (patched('update-discovers-first')) await discoveryWork.discoverRepositories({ operationId, integrationId });
		const repos = await steps.planUpdate({ operationId, integrationId });
		const outcomes = await inBatches(repos, input.concurrency, (repo) =>
			executeChild(ingestRepoWorkflow, {
				workflowId: ingestRepoWorkflowId(repo.id, operationId),
				args: [{ version: 1, operationId, integrationId, repoId: repo.id, heartbeatSeconds: input.heartbeatSeconds } satisfies IngestRepoInput]
			})
		);
		await steps.finishUpdate({ operationId, integrationId, outcomes });
		return outcomes;
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
