// Operations whose work Temporal no longer runs. A row says "running" until its workflow records
// how it ended; when that workflow never started (the web process stopped between the row and
// the start, or an Update all stopped before starting its part) or ended without recording
// (terminated, timed out), the row would block every later run of its kind and make a deletion
// wait for an update that will never stop. The worker compares running rows with Temporal when
// it starts and every minute after (TRIBUTARY_LOST_OPERATIONS_CHECK_SECONDS), and marks the lost
// ones failed with the reason, which their card and banner show.
//
// A timer in every worker rather than a Temporal schedule: nothing to create, upgrade or clean
// up per task queue, it runs where the database and the broadcaster already are, and running it
// in several workers at once is harmless (a row is only ever ended once, and only when Temporal
// says its workflow is not running).
import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { integrationIdOfScope } from '#core/domain/integrations/integration.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { Database } from '#core/db/database.ts';
import { broadcastIntegration, broadcastRepo } from '#core/integrations/broadcast.ts';
import { getIntegrationById, toRepoSummary } from '#core/integrations/queries.ts';
import { broadcastFinished } from '#core/operations/broadcast.ts';
import { finishOperation } from '#core/operations/queries.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { operationKinds } from '../workflows/integrations/contract.ts';

export interface LostOperationsDependencies {
	db: Kysely<Database>;
	io: RealtimeServer;
	temporal: Client;
	/** How often to look; an operation counts as lost only once it is twice this old. */
	intervalMs: number;
}

/** Rows looked at per pass; more wait for the next one. */
const perPass = 500;

/** A run that began this long before its operation's row belongs to an earlier operation with the same id (deletions share one). */
const clockSkewMs = 60_000;

const endedHow: Partial<Record<WorkflowExecutionStatusName, string>> = {
	COMPLETED: 'ended',
	FAILED: 'failed',
	CANCELLED: 'was cancelled',
	TERMINATED: 'was terminated',
	TIMED_OUT: 'timed out'
};

type WorkflowState = { kind: 'running' } | { kind: 'never-started' } | { kind: 'ended'; status: WorkflowExecutionStatusName };

async function workflowState(temporal: Client, workflowId: string, operationStartedAt: Date): Promise<WorkflowState> {
	try {
		const run = await temporal.workflow.getHandle(workflowId).describe();
		if (run.status.name === 'RUNNING' || run.status.name === 'PAUSED') return { kind: 'running' };
		if (run.startTime.getTime() < operationStartedAt.getTime() - clockSkewMs) return { kind: 'never-started' };
		return { kind: 'ended', status: run.status.name };
	} catch (error) {
		if (error instanceof WorkflowNotFoundError) return { kind: 'never-started' };
		throw error; // Temporal unreachable: that says nothing about the work, so nothing is marked.
	}
}

/** What happened, in a sentence; the operation adds what to do about it. */
function lostExplanation(state: Exclude<WorkflowState, { kind: 'running' }>, partOfAnother: boolean): string {
	if (state.kind === 'never-started') {
		return partOfAnother
			? 'Lost: the action for all integrations it was part of stopped before starting it, so nothing was done.'
			: 'Lost: its work never reached Temporal (the web process that started it stopped first), so nothing was done.';
	}
	return `Lost: its workflow ${endedHow[state.status] ?? 'ended'} in Temporal without recording an outcome.`;
}

/**
 * Where an integration was left mid-way by a lost update or deletion, it says so, as the
 * workflow itself would have on failing; otherwise it keeps the status it has.
 */
async function releaseIntegration(deps: LostOperationsDependencies, operation: Operation, explanation: string): Promise<void> {
	const integrationId = integrationIdOfScope(operation.scope);
	if (!integrationId) return;
	const { db, io } = deps;
	if (operation.kind === operationKinds.update) {
		await db
			.updateTable('integrations')
			.set({ data_status: 'failed-integration', status_detail: `The last update stopped. ${explanation}` })
			.where('id', '=', integrationId)
			.where('data_status', '=', 'processing')
			.execute();
		const repos = await db
			.updateTable('repos')
			.set({ data_status: 'failed', status_detail: explanation })
			.where('integration_id', '=', integrationId)
			.where('data_status', 'in', ['queued', 'fetching', 'processing'])
			.returningAll()
			.execute();
		for (const repo of repos) broadcastRepo(io, toRepoSummary(repo));
	} else if (operation.kind === operationKinds.delete) {
		await db
			.updateTable('integrations')
			.set({ data_status: 'failed-integration', status_detail: `Deletion stopped. ${explanation} Delete it again to finish.` })
			.where('id', '=', integrationId)
			.where('data_status', '=', 'deleting')
			.execute();
	} else {
		return;
	}
	const integration = await getIntegrationById(db, integrationId);
	if (integration) broadcastIntegration(io, integration);
}

/** One pass: every running operation old enough to have started is checked with Temporal. */
export async function markLostOperations(deps: LostOperationsDependencies): Promise<Operation[]> {
	const { db, temporal } = deps;
	const graceSeconds = (2 * deps.intervalMs) / 1000;
	const rows = await db
		.selectFrom('operations as o')
		.leftJoin('operations as parent', 'parent.id', 'o.parent_id')
		.select(['o.id', 'o.workflow_id', 'o.started_at', 'o.parent_id', 'parent.state as parent_state'])
		.where('o.state', '=', 'running')
		.where('o.started_at', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
		.orderBy('o.started_at')
		.limit(perPass)
		.execute();
	const lost: Operation[] = [];
	for (const row of rows) {
		const state = await workflowState(temporal, row.workflow_id, row.started_at);
		if (state.kind === 'running') continue;
		// Part of an Update all that still runs: its turn has not come yet.
		if (state.kind === 'never-started' && row.parent_state === 'running') continue;
		const explanation = lostExplanation(state, row.parent_id !== null);
		const reason = `${explanation} Start it again.`;
		const ended = await finishOperation(db, row.id, { state: 'failed', error: reason });
		// Ended meanwhile by its own workflow (or by another worker's pass): nothing more to do.
		if (!ended || ended.error !== reason) continue;
		broadcastFinished(deps.io, ended);
		await releaseIntegration(deps, ended, explanation);
		lost.push(ended);
	}
	return lost;
}

/** Checks now, then every `intervalMs` until stopped; a failed pass is reported and the next one tries again. */
export function watchForLostOperations(deps: LostOperationsDependencies, report: { onLost(operation: Operation): void; onError(error: unknown): void }) {
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;
	let pass: Promise<void> = Promise.resolve();
	const run = () => {
		pass = markLostOperations(deps)
			.then((lost) => lost.forEach(report.onLost), report.onError)
			.finally(() => {
				if (!stopped) timer = setTimeout(run, deps.intervalMs);
			});
	};
	run();
	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await pass;
		}
	};
}
