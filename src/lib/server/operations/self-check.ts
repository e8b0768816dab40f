// Starting a self-check from the web process: the row first (so a page load sees it at once),
// then the workflow that fills it in.
import type { SignedInUser } from '#lib/accounts/user.ts';
import type { Operation } from '#lib/operations/operation.ts';
import { readSettings } from '#lib/server/config.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';
import {
	selfCheckDefaults,
	selfCheckKind,
	selfCheckStages,
	selfCheckWorkflowId,
	type SelfCheckInput
} from '../../../../workflows/self-check/contract.ts';
import type { selfCheckWorkflow } from '../../../../workflows/self-check/workflow.ts';
import { broadcastFinished, broadcastStarted } from './broadcast.ts';
import { finishOperation, insertOperation } from './queries.ts';

export const systemScope = 'system';

export async function startSelfCheck(
	user: SignedInUser,
	pace: { samples: number; intervalMs: number } = selfCheckDefaults
): Promise<Operation> {
	const { db } = database();
	const operation = await insertOperation(db, {
		organizationId: user.organizationId,
		kind: selfCheckKind,
		scope: systemScope,
		stages: selfCheckStages(pace.samples),
		startedBy: user.email,
		workflowId: selfCheckWorkflowId
	});
	const input: SelfCheckInput = { version: 1, operationId: operation.id, ...pace };
	try {
		await temporal().workflow.start<typeof selfCheckWorkflow>('selfCheckWorkflow', {
			taskQueue: readSettings().taskQueue,
			workflowId: operation.workflowId,
			args: [input]
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		const failed = await finishOperation(db, operation.id, {
			state: 'failed',
			error: `Temporal did not accept the work: ${reason}`
		});
		if (failed) broadcastFinished(realtime(), failed);
		return failed ?? operation;
	}
	broadcastStarted(realtime(), operation);
	return operation;
}
