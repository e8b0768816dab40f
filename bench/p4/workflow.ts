// The P4 workflow: one activity that reports progress the way every product activity does.
import { proxyActivities } from '@temporalio/workflow';
import type { createBenchActivities } from './activities.ts';
import type { EmitProgressInput, EmittedProgress } from './contract.ts';

const { emitProgress } = proxyActivities<ReturnType<typeof createBenchActivities>>({
	startToCloseTimeout: '5 minutes',
	heartbeatTimeout: '30 seconds'
});

export async function progressBenchWorkflow(input: EmitProgressInput): Promise<EmittedProgress> {
	return emitProgress(input);
}
