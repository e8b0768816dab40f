// Starting long work from the web process: the operation row first (so a page load sees it at
// once, and the database refuses a second one of the same kind and scope), then its workflow.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { readSettings } from '#core/config.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';
import { broadcastFinished, broadcastStarted } from '#core/operations/broadcast.ts';
import { finishOperation, insertOperation, OperationAlreadyRunningError, type NewOperation } from '#core/operations/queries.ts';

/** What to start; the person starting it gives the organisation and the "started by". */
export interface OperationSpec<Args extends unknown[]> extends Pick<NewOperation, 'kind' | 'scope' | 'stages' | 'workflowId'> {
	/** The workflow function's name, as the worker registers it. */
	workflowType: string;
	args: (operation: Operation) => Args;
}

export async function startOperation<Args extends unknown[]>(user: SignedInUser, spec: OperationSpec<Args>): Promise<Operation> {
	const { db } = database();
	const operation = await insertOperation(db, {
		organizationId: user.organizationId,
		startedBy: user.email,
		kind: spec.kind,
		scope: spec.scope,
		stages: spec.stages,
		workflowId: spec.workflowId
	});
	try {
		await temporal().workflow.start(spec.workflowType, {
			taskQueue: readSettings().taskQueue,
			workflowId: operation.workflowId,
			args: spec.args(operation)
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		const failed = await finishOperation(db, operation.id, { state: 'failed', error: `Temporal did not accept the work: ${reason}` });
		if (failed) broadcastFinished(realtime(), failed);
		return failed ?? operation;
	}
	broadcastStarted(realtime(), operation);
	return operation;
}

/** Starts it, or answers `undefined` when one of the same kind and scope is already running. */
export async function startUnlessRunning(start: () => Promise<Operation>): Promise<Operation | undefined> {
	try {
		return await start();
	} catch (error) {
		if (error instanceof OperationAlreadyRunningError) return undefined;
		throw error;
	}
}

/** Starts one operation per item; returns how many started and the names of those already running. */
export async function startEach<T extends { name: string }>(items: readonly T[], start: (item: T) => Promise<Operation>): Promise<{ started: number; skipped: string[] }> {
	let started = 0;
	const skipped: string[] = [];
	for (const item of items) {
		if (await startUnlessRunning(() => start(item))) started++;
		else skipped.push(item.name);
	}
	return { started, skipped };
}
