import { CancellationScope, defineSignal, executeChild, isCancellation, patched, setHandler, sleep } from '@temporalio/workflow';
import { inBatches } from '../concurrency.ts';
import { describeFailure } from '../failure.ts';
import { bookkeeping, discoveryWork, ingestWork, quickBookkeeping } from './activities.ts';
import { discoverWaitingOutLimits } from './discovery.ts';
import { rateLimitDetailsOf } from './rate-limits.ts';
import {
	ingestRepoWorkflowId,
	ingestTicketProjectWorkflowId,
	ticketProjectsChangedSignal,
	type IngestTicketProjectInput,
	type TicketProjectOutcome,
	rateLimitMarginMs,
	repositoriesChangedSignal,
	type DiscoveryResult,
	type IngestRepoInput,
	type PlannedRepo,
	type RepoOutcome,
	type UpdateIntegrationInput
} from './contract.ts';

export const repositoriesChanged = defineSignal<[string[]]>(repositoriesChangedSignal);
export const ticketProjectsChanged = defineSignal<[string[]]>(ticketProjectsChangedSignal);

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
	// The same for ticket projects (a Jira webhook).
	const changedProjects = new Set<string>();
	setHandler(ticketProjectsChanged, (projectIds) => {
		for (const id of projectIds) changedProjects.add(id);
	});
	const ingestProject = (project: { id: string }, pass: number) =>
		executeChild(ingestTicketProjectWorkflow, {
			workflowId: pass === 0 ? ingestTicketProjectWorkflowId(project.id, operationId) : `${ingestTicketProjectWorkflowId(project.id, operationId)}-again-${pass}`,
			args: [{ version: 1, operationId, integrationId, projectId: project.id, heartbeatSeconds: input.heartbeatSeconds } satisfies IngestTicketProjectInput]
		});
	let work: Pick<PlannedRepo, 'pullRequests' | 'commits'> = {};
	const ingest = (repo: { id: string }, pass: number) =>
		executeChild(ingestRepoWorkflow, {
			workflowId: pass === 0 ? ingestRepoWorkflowId(repo.id, operationId) : `${ingestRepoWorkflowId(repo.id, operationId)}-again-${pass}`,
			args: [
				{
					version: 1,
					operationId,
					integrationId,
					repoId: repo.id,
					heartbeatSeconds: input.heartbeatSeconds,
					...(work.pullRequests ? { pullRequests: true } : {}),
					...(work.commits === false ? { commits: false } : {})
				} satisfies IngestRepoInput
			]
		});
	try {
		// Hosted providers list their repositories first: the first update finds them, later ones
		// find a revoked token at once (the integration's status says so) and follow renames. A
		// webhook's update of named repositories skips it, as does a provider that lists none (the
		// input says). A spent quota is waited out with a timer.
		let discovered: DiscoveryResult | null = null;
		if (patched('update-discovers-first') && !input.repoIds && input.discover !== false) {
			if (patched('discovery-waits-out-rate-limits')) discovered = await discoverWaitingOutLimits({ operationId, integrationId });
			else discovered = await discoveryWork.discoverRepositories({ operationId, integrationId });
		}
		// Repositories left to another integration: the update's result says which and why, as a Refresh's does.
		const heldElsewhere = discovered?.heldBy?.length ? { heldBy: discovered.heldBy, reAddCooldownHours: discovered.reAddCooldownHours ?? 0 } : {};
		const repos = await steps.planUpdate({ operationId, integrationId, ...(input.repoIds ? { repoIds: input.repoIds } : {}) });
		// What to ingest of each repository is the integration's (its services): a repository
		// signalled again later is ingested the same way.
		work = { pullRequests: repos.some((r) => r.pullRequests), commits: !repos.some((r) => r.commits === false) };
		// Ticket projects beside the repositories, when the integration's services include tickets.
		const withTickets = patched('update-ingests-tickets');
		const projects = withTickets ? await steps.planTickets({ operationId, integrationId, ...(input.ticketProjectIds ? { projectIds: input.ticketProjectIds } : {}) }) : [];
		const outcomes = new Map((await inBatches(repos, input.concurrency, (repo) => ingest(repo, 0))).map((o) => [o.repoId, o]));
		const projectOutcomes = new Map<string, TicketProjectOutcome>((await inBatches(projects, input.concurrency, (project) => ingestProject(project, 0))).map((o) => [o.projectId, o]));
		let pass = 0;
		do {
			while ((changed.size > 0 || changedProjects.size > 0) && pass < 20) {
				pass++;
				const again = [...changed].map((id) => ({ id }));
				changed.clear();
				for (const outcome of await inBatches(again, input.concurrency, (repo) => ingest(repo, pass))) outcomes.set(outcome.repoId, outcome);
				const projectsAgain = [...changedProjects].map((id) => ({ id }));
				changedProjects.clear();
				for (const outcome of await inBatches(projectsAgain, input.concurrency, (project) => ingestProject(project, pass))) projectOutcomes.set(outcome.projectId, outcome);
			}
			await steps.finishUpdate({ operationId, integrationId, outcomes: [...outcomes.values()], ...(withTickets ? { ticketOutcomes: [...projectOutcomes.values()] } : {}), ...heldElsewhere });
			// A change signalled while finishing is ingested too: the update ends only with none waiting.
		} while ((changed.size > 0 || changedProjects.size > 0) && pass < 20);
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
		if (input.commits === false) {
			const { name } = await ingestPullRequests(input);
			return { repoId: input.repoId, name, ok: true, message: null };
		}
		const outcome = await ingestWork(input.heartbeatSeconds).ingestRepo(input);
		if (!outcome.ok || !input.pullRequests) return outcome;
		await ingestPullRequests(input);
		return outcome;
	} catch (error) {
		// Cancelled is not failed: the repository keeps the status of the data it has.
		if (isCancellation(error) && patched('cancelled-repository-is-not-failed')) {
			return CancellationScope.nonCancellable(() => bookkeeping.markRepoCancelled({ repoId: input.repoId, operationId: input.operationId }));
		}
		const { message } = describeFailure(error);
		return CancellationScope.nonCancellable(() => bookkeeping.markRepoFailed({ repoId: input.repoId, operationId: input.operationId, message }));
	}
}

/**
 * A repository's pull requests. When the provider's quota is spent the activity ends; the
 * repository and the integration say until when, a timer (not a sleeping activity) waits for the
 * reset, and the ingest carries on from the cursor it stored.
 */
async function ingestPullRequests(input: IngestRepoInput): Promise<{ name: string }> {
	const { operationId, integrationId, repoId } = input;
	for (;;) {
		try {
			return await ingestWork(input.heartbeatSeconds).ingestPullRequests({ operationId, integrationId, repoId });
		} catch (error) {
			const limited = rateLimitDetailsOf(error);
			if (!limited) throw error;
			await bookkeeping.markRateLimited({ operationId, integrationId, repoId, details: limited });
			await sleep(Math.max(0, Date.parse(limited.resetAt) - Date.now()) + rateLimitMarginMs);
			await bookkeeping.endRateLimitWait({ integrationId, repoId });
		}
	}
}

/** One ticket project: its failure is recorded on the project and does not stop the others. */
export async function ingestTicketProjectWorkflow(input: IngestTicketProjectInput): Promise<TicketProjectOutcome> {
	const { operationId, integrationId, projectId } = input;
	try {
		for (;;) {
			try {
				return await ingestWork(input.heartbeatSeconds).ingestTicketProject({ operationId, integrationId, projectId });
			} catch (error) {
				// A spent quota: a timer (not a sleeping activity) waits for the reset, then the ingest
				// carries on from the cursor it stored.
				const limited = rateLimitDetailsOf(error);
				if (!limited) throw error;
				await bookkeeping.markTicketProjectRateLimited({ operationId, integrationId, projectId, details: limited });
				await sleep(Math.max(0, Date.parse(limited.resetAt) - Date.now()) + rateLimitMarginMs);
				await bookkeeping.endTicketProjectRateLimitWait({ integrationId, projectId });
			}
		}
	} catch (error) {
		if (isCancellation(error)) return CancellationScope.nonCancellable(() => bookkeeping.markTicketProjectCancelled({ projectId, operationId }));
		const { message } = describeFailure(error);
		return CancellationScope.nonCancellable(() => bookkeeping.markTicketProjectFailed({ projectId, operationId, message }));
	}
}
