// What callers of the self-check need: its input, id and stages. No workflow runtime here, so
// the web process can import it.
import type { OperationStage } from '#core/domain/operations/operation.ts';

export const selfCheckKind = 'system.self-check';

export interface SelfCheckInput {
	version: 1;
	operationId: string;
	/** Round trips per measured component; more samples, longer run. */
	samples: number;
	/** Pause between samples, so a person can watch the bar move. */
	intervalMs: number;
}

export const selfCheckDefaults = { samples: 20, intervalMs: 100 } as const;

/** The workflow id; derived from the operation so one operation maps to one workflow. */
export function selfCheckWorkflowId(operationId: string): string {
	return `self-check-${operationId}`;
}

export function selfCheckStages(samples: number): OperationStage[] {
	return [
		{ key: 'postgres', label: 'Postgres round trips', done: 0, total: samples },
		{ key: 'worker', label: 'Worker picks up work', done: 0, total: 1 },
		{ key: 'realtime', label: 'Broadcasts answered by web processes', done: 0, total: samples }
	];
}

export interface LatencySummary {
	samples: number;
	p50Ms: number;
	maxMs: number;
}

export interface SelfCheckResult {
	postgres: LatencySummary;
	worker: { host: string; pid: number; node: string };
	realtime: LatencySummary & { webProcesses: number };
}
