// Retries and restarts an operation survived, for support (SPEC B2): only a worker sees an activity
// start again. Temporal says how the attempt before ended: a timeout means its worker was lost (a
// killed or stopped process stops heartbeating), anything else is an error that was retried.
import type { Client } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';

export interface RetryRecorderDeps {
	db: Kysely<Database>;
	temporal: Client;
	/** This worker's identity, as Temporal knows it. */
	identity: string;
	onError: (error: unknown) => void;
}

function operationIdOf(argument: unknown): string | undefined {
	const id = (argument as { operationId?: unknown } | undefined)?.operationId;
	return typeof id === 'string' ? id : undefined;
}

/** What Temporal remembers of the attempt before this one. */
async function previousAttempt(temporal: Client, workflowId: string, runId: string, activityId: string) {
	const description = await temporal.workflow.getHandle(workflowId, runId).describe();
	const pending = description.raw.pendingActivities?.find((activity) => activity.activityId === activityId);
	const failure = pending?.lastFailure;
	return {
		lostWorker: Boolean(failure?.timeoutFailureInfo),
		reason: failure?.message || null,
		worker: pending?.lastWorkerIdentity || null
	};
}

/**
 * An activity interceptor: each attempt after the first of an activity that works for an operation
 * adds a "retried" or "restarted" event to its timeline and counts it on the operation. Recording
 * never stops the work: a failure to record is only logged.
 */
export function recordRetries(deps: RetryRecorderDeps): ActivityInterceptorsFactory {
	return (ctx) => ({
		inbound: {
			async execute(input, next) {
				const { info } = ctx;
				const operationId = operationIdOf(input.args[0]);
				// Only activities of workflows (a standalone activity has none to ask about); local
				// activities are retried inside their workflow's task, out of Temporal's sight.
				const execution = info.workflowExecution;
				if (info.attempt > 1 && operationId && execution && !info.isLocal) {
					try {
						const before = await previousAttempt(deps.temporal, execution.workflowId, execution.runId, info.activityId);
						await deps.db.transaction().execute(async (trx) => {
							await trx
								.insertInto('operation_events')
								.values({
									operation_id: operationId,
									kind: before.lostWorker ? 'restarted' : 'retried',
									detail: JSON.stringify({
										step: info.activityType,
										attempt: info.attempt,
										reason: before.reason,
										previousWorker: before.worker,
										worker: deps.identity,
										// A checkpoint came back: the work carries on from it rather than from the start.
										resumed: info.heartbeatDetails !== undefined && info.heartbeatDetails !== null
									})
								})
								.execute();
							await trx
								.updateTable('operations')
								.set({
									retries: sql`retries + 1`,
									restarts: before.lostWorker ? sql`restarts + 1` : sql`restarts`,
									revision: sql`revision + 1`
								})
								.where('id', '=', operationId)
								.where('state', '=', 'running')
								.execute();
						});
					} catch (error) {
						deps.onError(error);
					}
				}
				return next(input);
			}
		}
	});
}
