// Every workflow the worker runs. Workflows hold the plan; activities (worker/activities) do I/O.
export { selfCheckWorkflow } from './self-check/workflow.ts';
export { ingestRepoWorkflow, ingestTicketProjectWorkflow, updateIntegrationWorkflow } from './integrations/update.ts';
export { testConnectionWorkflow } from './integrations/test-connection.ts';
export { refreshIntegrationWorkflow } from './integrations/refresh.ts';
export { deleteIntegrationWorkflow } from './integrations/delete.ts';
export { deploymentSourceWorkflow, updateAllWorkflow, updateMetricsWorkflow } from './integrations/bulk.ts';
