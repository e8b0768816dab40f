// Starting long work, the one way, for web and worker alike: the operation row first (a page load
// sees it at once, and the database refuses a second one of the same kind and scope), then, from
// the web, its workflow through its function's type.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { Operation, OperationStage } from '#core/domain/operations/operation.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { broadcastFinished, broadcastStarted } from './broadcast.ts';
import { finishOperation, insertOperation } from './queries.ts';
import { operationRegistry, type OperationInput, type OperationKind, type Workflows, type WorkflowOf } from './registry.ts';

export interface OperationRequest<K extends OperationKind> {
	kind: K;
	organizationId: string;
	/** Who started it (an email), or null for the system. */
	startedBy: string | null;
	scope: string;
	stages: OperationStage[];
	/** The action for all integrations this one is part of. */
	parentId?: string;
	/** The workflow's input, given the new operation's id. */
	input: (operationId: string) => OperationInput<K>;
}

/** The operation's row, told to every viewer; refused (OperationAlreadyRunningError) when one of its kind and scope runs. */
export async function createOperation<K extends OperationKind>(
	db: Kysely<Database>,
	io: RealtimeServer | undefined,
	request: OperationRequest<K>
): Promise<{ operation: Operation; input: OperationInput<K> }> {
	const id = crypto.randomUUID();
	const input = request.input(id);
	const spec = operationRegistry[request.kind];
	const operation = await insertOperation(db, {
		id,
		organizationId: request.organizationId,
		kind: request.kind,
		scope: request.scope,
		stages: request.stages,
		startedBy: request.startedBy,
		parentId: request.parentId,
		workflowId: (operationId) => (spec.workflowId as (id: string, input: OperationInput<K>) => string)(operationId, input)
	});
	broadcastStarted(io, operation);
	return { operation, input };
}

export interface StartDependencies {
	db: Kysely<Database>;
	temporal: Client;
	io: RealtimeServer | undefined;
	taskQueue: string;
}

/** Creates the operation and starts its workflow; if Temporal refuses, the operation ends failed, saying why. */
export async function startOperation<K extends OperationKind>(deps: StartDependencies, request: OperationRequest<K>): Promise<Operation> {
	const { operation, input } = await createOperation(deps.db, deps.io, request);
	const workflow = operationRegistry[request.kind].workflow as WorkflowOf<K>;
	try {
		await deps.temporal.workflow.start<Workflows[WorkflowOf<K>]>(workflow, {
			taskQueue: deps.taskQueue,
			workflowId: operation.workflowId,
			args: [input] as Parameters<Workflows[WorkflowOf<K>]>
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		const failed = await finishOperation(deps.db, operation.id, { state: 'failed', error: `Temporal did not accept the work: ${reason}` });
		if (failed) broadcastFinished(deps.io, failed);
		return failed ?? operation;
	}
	return operation;
}
