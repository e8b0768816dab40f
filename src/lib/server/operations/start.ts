// Starting long work from the web process: the operation row first (so a page load sees it at
// once, and the database refuses a second one of the same kind and scope), then its workflow.
import type { Operation, OperationStage } from '#lib/operations/operation.ts';
import { readSettings } from '#lib/server/config.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';
import { broadcastFinished, broadcastStarted } from './broadcast.ts';
import { finishOperation, insertOperation } from './queries.ts';

export interface OperationSpec<Args extends unknown[]> {
	organizationId: string;
	startedBy: string | null;
	kind: string;
	scope: string;
	stages: OperationStage[];
	workflowId: (operationId: string) => string;
	/** The workflow function's name, as the worker registers it. */
	workflowType: string;
	args: (operation: Operation) => Args;
}

export async function startOperation<Args extends unknown[]>(spec: OperationSpec<Args>): Promise<Operation> {
	const { db } = database();
	const operation = await insertOperation(db, {
		organizationId: spec.organizationId,
		kind: spec.kind,
		scope: spec.scope,
		stages: spec.stages,
		startedBy: spec.startedBy,
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
