// Starting long work from the web process: the operation row first (so a page load sees it at
// once, and the database refuses a second one of the same kind and scope), then its workflow.
import type { SignedInUser } from '#lib/accounts/user.ts';
import type { Operation } from '#lib/operations/operation.ts';
import { readSettings } from '#lib/server/config.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';
import { broadcastFinished, broadcastStarted } from './broadcast.ts';
import { finishOperation, insertOperation, type NewOperation } from './queries.ts';

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
