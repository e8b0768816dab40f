// Emits progress through the product's own reporter (Postgres write + broadcast through the
// Postgres adapter) and returns when each report started, in epoch milliseconds.
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import type { ProgressReporter } from '../../worker/activities/progress.ts';
import type { EmitProgressInput } from './contract.ts';

export function createBenchActivities(progress: ProgressReporter) {
	return {
		async emitProgress({ operationId, events, intervalMs }: EmitProgressInput): Promise<number[]> {
			const context = Context.current();
			const emittedAt: number[] = [];
			for (let done = 1; done <= events; done++) {
				emittedAt.push(performance.timeOrigin + performance.now());
				await progress.report(operationId, { stage: 'events', done });
				context.heartbeat(done);
				await context.sleep(intervalMs);
			}
			return emittedAt;
		}
	};
}
