// Every workflow the worker runs. Workflows hold the plan; activities (worker/activities) do I/O.
export { selfCheckWorkflow } from './self-check/workflow.ts';
