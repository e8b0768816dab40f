// The self-check's activities: each checks one component, reports each sample as progress and
// heartbeats its place, so a retry after a worker crash resumes where the last one stopped.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { pingCluster, type RealtimeServer } from '#core/realtime/server.ts';
import type { LatencySummary } from '../../workflows/self-check/contract.ts';
import type { ProgressReporter } from './progress.ts';

interface SampledCheck {
	operationId: string;
	samples: number;
	intervalMs: number;
}

/** Heartbeat details: the latencies measured so far. Their count is where to resume. */
type Checkpoint = number[];

export function summarise(latencies: readonly number[]): LatencySummary {
	const sorted = [...latencies].sort((a, b) => a - b);
	const round = (n: number) => Math.round(n * 100) / 100;
	return {
		samples: sorted.length,
		p50Ms: round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0),
		maxMs: round(sorted.at(-1) ?? 0)
	};
}

async function sample(
	check: SampledCheck,
	stage: string,
	progress: ProgressReporter,
	measure: (index: number) => Promise<{ ms: number; item: string }>
): Promise<number[]> {
	const context = Context.current();
	const latencies: Checkpoint = [...((context.info.heartbeatDetails as Checkpoint | undefined) ?? [])];
	for (let index = latencies.length; index < check.samples; index++) {
		if (index > 0) await context.sleep(check.intervalMs);
		const { ms, item } = await measure(index);
		latencies.push(ms);
		context.heartbeat(latencies);
		await progress.report(check.operationId, { stage, done: latencies.length, currentItem: item });
	}
	return latencies;
}

export function createSelfCheckActivities(deps: { db: Kysely<Database>; io: RealtimeServer; progress: ProgressReporter }) {
	const { db, io, progress } = deps;
	return {
		async checkPostgres(check: SampledCheck): Promise<LatencySummary> {
			const latencies = await sample(check, 'postgres', progress, async (index) => {
				const started = performance.now();
				await sql`select 1`.execute(db);
				const ms = performance.now() - started;
				return { ms, item: `Postgres round trip ${index + 1} of ${check.samples}: ${ms.toFixed(2)} ms` };
			});
			return summarise(latencies);
		},

		async checkWorker(input: { operationId: string }): Promise<{ host: string; pid: number; node: string }> {
			const self = { host: os.hostname(), pid: process.pid, node: process.version };
			await progress.report(input.operationId, {
				stage: 'worker',
				done: 1,
				currentItem: `Worker ${self.host} (pid ${self.pid}) took the task`
			});
			return self;
		},

		async checkRealtime(check: SampledCheck): Promise<LatencySummary & { webProcesses: number }> {
			let webProcesses = 0;
			const latencies = await sample(check, 'realtime', progress, async (index) => {
				const started = performance.now();
				const peers = await pingCluster(io);
				const ms = performance.now() - started;
				webProcesses = peers.filter((peer) => peer.role === 'web').length;
				if (webProcesses === 0) {
					throw ApplicationFailure.retryable(
						'No web process answered a broadcast within 5 seconds: browsers would not see live progress.'
					);
				}
				return {
					ms,
					item: `Broadcast ${index + 1} of ${check.samples}: ${webProcesses} web process${webProcesses === 1 ? '' : 'es'} answered in ${ms.toFixed(1)} ms`
				};
			});
			return { ...summarise(latencies), webProcesses };
		}
	};
}
