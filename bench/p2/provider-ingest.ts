// P2 for a hosted provider: pull (or merge) request ingest end to end against a bare fetch of the
// same data with the same client and ingest code. Product side: an Update of an integration with
// the pull requests service only (startUpdate → Temporal → a real worker process → Postgres),
// timed by the operation row. Baseline: the provider's ingest in this process, same concurrency,
// storing nothing. Both as items per second, medians of `runs` runs each after one warm-up of
// each; before each product run the integration's pull requests are forgotten, so every run
// reads everything. Each provider's file says what its simulator holds and how it is reached.
//
// Twice: first with every answer of the simulated API taking `answerLatencyMs` (the BENCH line),
// then with answers as fast as the simulator gives them (a detail line). A provider's API answers
// in tens to hundreds of milliseconds, and then what the product must show is that storing keeps
// up with fetching (pages are stored while the next are read). The simulator on this machine
// answers in well under a millisecond, and then both sides are bound by CPU on two cores that the
// simulator, Postgres and Temporal share: the instant figure says what writing costs in CPU (the
// line gives the worker's against the bare fetch's own), not what a user waits for.
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { PullRequestRun } from '#core/providers/provider.ts';
import type { Provider } from '../../simulator/shared/faults.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator, type RunningSimulator } from '../../simulator/launch.ts';
import { createSystem, signedInUser, type EngineAddresses } from '../../tests/support/system.ts';
import { cpuSecondsOf, ownCpuSeconds } from '../support/cpu.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';
import type { P2Options } from './github-pull-requests.ts';

/** The same as the activity's (worker/activities/integrations/pull-requests.ts). */
export const concurrencyPerRepo = 8;
const tables = ['pull_requests', 'pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments'] as const;

export interface ProviderBench {
	/** The bench line's name, e.g. "gitlab-merge-requests-vs-raw-fetch". */
	line: string;
	/** Whose API the simulator answers slower (its faults' provider key). */
	provider: Provider;
	/** What is counted, plural ("merge requests"), and its unit ("mrs/s"). */
	items: string;
	unit: string;
	/** Settings the system needs to reach the simulated provider (a hosted kind's API address). */
	env?(simulator: RunningSimulator): NodeJS.ProcessEnv;
	/** Gives every credential of the run enough quota: the benchmark measures ingest, not waiting. */
	unlimit(simulator: RunningSimulator): Promise<void>;
	/** Adds the integration (pull requests only) as `user`; its id. */
	add(db: Kysely<Database>, user: SignedInUser, simulator: RunningSimulator): Promise<string>;
	/** What the simulator holds for these repositories (by stored name). */
	expected(simulator: RunningSimulator, repositories: string[]): Promise<number>;
	/** The provider's ingest of one repository with a fresh client, in this process. */
	ingest(simulator: RunningSimulator, run: PullRequestRun): Promise<void>;
}

/** What every answer of the simulated API takes in the BENCH line's runs: a server on the same network (hosted APIs take longer). */
export const answerLatencyMs = 20;

export async function benchProviderIngest(engines: EngineAddresses, bench: ProviderBench, options: P2Options): Promise<string[]> {
	const simulator = await startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-bench-simulator', `p2-${options.repos}x${options.pullRequestsPerRepo}`),
		orgs: 1,
		reposPerOrg: options.repos,
		pullRequests: options.pullRequestsPerRepo,
		commits: 20
	});
	const system = await createSystem(engines, { TRIBUTARY_GIT_SCHEMES: 'http,https,ssh', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8', TRIBUTARY_UPDATE_CONCURRENCY: '8', ...bench.env?.(simulator) });
	try {
		await bench.unlimit(simulator);
		await system.seedDemo();
		const worker = await system.startWorker();
		await useSystemRuntime(system);
		process.env.TRIBUTARY_UPDATE_CONCURRENCY = '8';
		const manager = await signedInUser(system, 'manager@acme.example');
		const integrationId = await bench.add(system.database.db, manager, simulator);
		let total = 0;
		const run = async () => {
			const { db, pool } = system.database;
			for (const table of tables) await db.deleteFrom(table).where('integration_id', '=', integrationId).execute();
			await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', integrationId).execute();
			for (const table of tables) await pool.query(`vacuum analyze ${table}`);
			const operation = await startUpdate(manager, integrationId);
			const ended = await waitForSuccess(system, operation.id, 600_000);
			const stored = (ended.result as { pullRequests?: number }).pullRequests ?? 0;
			if (total > 0 && stored !== total) throw new Error(`The update stored ${stored} ${bench.items} of ${total}.`);
			return { seconds: ended.seconds, stored };
		};
		// The first run discovers the repositories and warms the worker: not counted.
		total = (await run()).stored;
		const repositories = await system.database.db.selectFrom('repos').select(['name', 'provider_id', 'url']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
		const expected = await bench.expected(simulator, repositories.map((r) => r.name));
		if (total !== expected) throw new Error(`The update stored ${total} ${bench.items}; the simulator has ${expected}.`);

		const fetchAll = () =>
			Promise.all(
				repositories.map((repository) =>
					bench.ingest(simulator, {
						repo: { id: repository.name, providerId: repository.provider_id, name: repository.name, url: repository.url },
						cursor: null,
						concurrency: concurrencyPerRepo,
						store: async () => 0,
						existing: async (ids) => new Set(ids),
						progress: async () => {},
						quota: () => {}
					})
				)
			);
		const lines = await measureBothWays({ simulator, provider: bench.provider, workerPid: worker.pid, runs: options.runs, total, what: `${bench.items} in ${repositories.length} repositories`, line: bench.line, unit: bench.unit, product: async () => (await run()).seconds, bare: fetchAll });
		await worker.stop();
		return lines;
	} finally {
		await system.stop().catch(() => {});
		await simulator.stop();
	}
}

export interface BothWays {
	simulator: RunningSimulator;
	provider: Provider;
	workerPid: number;
	runs: number;
	/** Items each run ingests. */
	total: number;
	/** What a run holds, for the detail lines ("903 pull requests in 5 repositories"). */
	what: string;
	line: string;
	unit: string;
	/** One product run (everything forgotten first); its seconds. */
	product(): Promise<number>;
	/** One bare fetch of the same data in this process, storing nothing. */
	bare(): Promise<unknown>;
}

/**
 * The product against the bare fetch, first with every simulated answer taking answerLatencyMs
 * (the BENCH line), then with instant answers (a detail line with each side's CPU per run).
 */
export async function measureBothWays(input: BothWays): Promise<string[]> {
	const { simulator, total } = input;
	const measure = async (latencyMs: number) => {
		await simulator.control.clearFaults();
		if (latencyMs > 0) await simulator.control.addFault({ kind: 'slow', provider: input.provider, delayMs: latencyMs });
		await input.bare();
		const rawSeconds: number[] = [];
		const rawCpu = ownCpuSeconds();
		for (let i = 0; i < input.runs; i++) {
			const started = performance.now();
			await input.bare();
			rawSeconds.push((performance.now() - started) / 1000);
		}
		const rawCpuPerRun = (ownCpuSeconds() - rawCpu) / input.runs;
		const workerCpu = cpuSecondsOf(input.workerPid);
		const productSeconds: number[] = [];
		for (let i = 0; i < input.runs; i++) productSeconds.push(await input.product());
		const workerCpuPerRun = (cpuSecondsOf(input.workerPid) - workerCpu) / input.runs;
		await simulator.control.clearFaults();
		const value = total / median(productSeconds);
		const baseline = total / median(rawSeconds);
		console.log(
			`[bench] P2: ${total} ${input.what}, answers ${latencyMs > 0 ? `${latencyMs} ms` : 'instant'}: ` +
				`update ${productSeconds.map((s) => s.toFixed(2)).join(', ')} s; bare fetch ${rawSeconds.map((s) => s.toFixed(2)).join(', ')} s; ` +
				`CPU per run: the worker ${workerCpuPerRun.toFixed(2)} s, the bare fetch ${rawCpuPerRun.toFixed(2)} s`
		);
		return { value, baseline };
	};
	const realistic = await measure(answerLatencyMs);
	const instant = await measure(0);
	console.log(
		`[bench] P2: ${input.line} with instant answers: ${instant.value.toFixed(0)} vs ${instant.baseline.toFixed(0)} ${input.unit}, ratio ${(instant.value / instant.baseline).toFixed(2)} ` +
			`(both sides bound by CPU on two shared cores)`
	);
	return [benchLine({ id: 'P2', name: input.line, value: realistic.value, unit: input.unit, baseline: realistic.baseline, target: '>=0.7' })];
}
