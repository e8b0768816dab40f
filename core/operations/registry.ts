// Every kind of operation, once: the workflow that does it (by its function's type, so a start's
// arguments are checked by the compiler against the workflow's input) and its workflow id.
// Pages, the worker's planning and the describe texts read this; a new kind of long work adds a
// line here and its workflow in workflows/.
import type * as workflows from '../../workflows/index.ts';
import {
	deleteIntegrationWorkflowId,
	deploymentSourceWorkflowId,
	metricsWorkflowId,
	operationKinds,
	refreshIntegrationWorkflowId,
	testConnectionWorkflowId,
	updateAllWorkflowId,
	updateIntegrationWorkflowId
} from '../../workflows/integrations/contract.ts';
import { selfCheckKind, selfCheckWorkflowId } from '../../workflows/self-check/contract.ts';

export type Workflows = typeof workflows;
export type WorkflowName = keyof Workflows;
/** The input a workflow takes: its one argument. */
export type InputOf<W extends WorkflowName> = Parameters<Workflows[W]>[0];

export interface OperationKindSpec<W extends WorkflowName> {
	workflow: W;
	/** Ids double as locks: a deletion's is its integration's, so a second one cannot start. */
	workflowId: (operationId: string, input: InputOf<W>) => string;
}

const spec = <W extends WorkflowName>(s: OperationKindSpec<W>) => s;

export const operationRegistry = {
	[operationKinds.update]: spec({ workflow: 'updateIntegrationWorkflow', workflowId: updateIntegrationWorkflowId }),
	[operationKinds.test]: spec({ workflow: 'testConnectionWorkflow', workflowId: testConnectionWorkflowId }),
	[operationKinds.refresh]: spec({ workflow: 'refreshIntegrationWorkflow', workflowId: refreshIntegrationWorkflowId }),
	[operationKinds.delete]: spec({ workflow: 'deleteIntegrationWorkflow', workflowId: (_, input) => deleteIntegrationWorkflowId(input.integrationId) }),
	[operationKinds.updateAll]: spec({ workflow: 'updateAllWorkflow', workflowId: updateAllWorkflowId }),
	[operationKinds.metrics]: spec({ workflow: 'updateMetricsWorkflow', workflowId: metricsWorkflowId }),
	[operationKinds.deploymentSource]: spec({ workflow: 'deploymentSourceWorkflow', workflowId: deploymentSourceWorkflowId }),
	[selfCheckKind]: spec({ workflow: 'selfCheckWorkflow', workflowId: selfCheckWorkflowId })
};

export type OperationKind = keyof typeof operationRegistry;
export type WorkflowOf<K extends OperationKind> = (typeof operationRegistry)[K]['workflow'];
export type OperationInput<K extends OperationKind> = InputOf<WorkflowOf<K>>;
