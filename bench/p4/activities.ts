// Emits progress from the worker process and returns when each event started, in epoch
// milliseconds: through the product's own reporter (Postgres write + broadcast through the
// Postgres adapter), or the same broadcast alone. Both sides stamp time the same way, here.
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { broadcastProgress } from '#core/operations/broadcast.ts';
import { getOperation } from '#core/operations/queries.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import type { ProgressReporter } from '../../worker/activities/progress.ts';
import type { EmitProgressInput, EmittedProgress } from './contract.ts';

export function createBenchActivities(deps: { db: Kysely<Database>; io: RealtimeServer; progress: ProgressReporter }) {
	return {
		async emitProgress({ operationId, events, intervalMs, path, startAt }: EmitProgressInput): Promise<EmittedProgress> {
			const context = Context.current();
			const operation = path === 'bare' ? await getOperation(deps.db, operationId) : undefined;
			if (path === 'bare' && !operation) throw new Error(`no operation ${operationId}`);
			const emittedAt: number[] = [];
			const reportedAt: number[] = [];
			const now = () => performance.timeOrigin + performance.now();
			// On a schedule when given one (P5 interleaves this with another process's events).
			if (startAt !== undefined) await context.sleep(Math.max(0, startAt - now()));
			for (let done = 1; done <= events; done++) {
				emittedAt.push(now());
				if (operation) {
					const [stage] = operation.stages;
					broadcastProgress(deps.io, { ...operation, stages: [{ ...stage!, done }], revision: operation.revision + done });
				} else {
					await deps.progress.report(operationId, { stage: 'events', done });
				}
				reportedAt.push(now());
				context.heartbeat(done);
				await context.sleep(startAt === undefined ? intervalMs : Math.max(0, startAt + done * intervalMs - now()));
			}
			return { emittedAt, reportedAt };
		}
	};
}
