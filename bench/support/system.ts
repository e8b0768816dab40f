// What the end-to-end benchmarks share: pointing this process's runtime connections at a test
// system, and waiting for an operation to end.
import { closeRuntime } from '../../src/lib/server/runtime.ts';
import type { TestSystem } from '../../tests/support/system.ts';

/**
 * startUpdate/startDelete use the process-wide connections of src/lib/server/runtime.ts, which
 * read DATABASE_URL and the Temporal settings once. Each benchmark has its own database and task
 * queue, so close whatever an earlier benchmark opened and point the settings at this system.
 */
export async function useSystemRuntime(system: TestSystem): Promise<void> {
	await closeRuntime();
	for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE'] as const) process.env[key] = system.env[key];
}

export interface EndedOperation {
	/** ended_at - started_at of the row, both stamped by Postgres's clock. */
	seconds: number;
	result: unknown;
}

/** Polls the operation row until it ends; anything but `succeeded` is an error. */
export async function waitForSuccess(system: TestSystem, operationId: string, timeoutMs: number): Promise<EndedOperation> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const row = await system.database.db
			.selectFrom('operations')
			.select(['state', 'error', 'result', 'started_at', 'ended_at'])
			.where('id', '=', operationId)
			.executeTakeFirstOrThrow();
		if (row.state !== 'running') {
			if (row.state !== 'succeeded' || !row.ended_at) throw new Error(`Operation ${operationId} ended ${row.state}: ${row.error ?? 'no error recorded'}`);
			return { seconds: (row.ended_at.getTime() - row.started_at.getTime()) / 1000, result: row.result };
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`Operation ${operationId} did not end within ${timeoutMs / 1000} s`);
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
