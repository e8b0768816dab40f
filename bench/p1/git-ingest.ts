// P1: a Generic Git Update end to end vs the `git log` it runs, on generated repositories of
// 10,000 and 200,000 commits (made once into a cache outside the clone: bench/support/cached-repo.ts).
// Measured: the product's whole Update of one integration holding the repository (mirror clone
// over file://, streaming log parse, COPY into Postgres, tags, deployments, daily metrics,
// bookkeeping) run by a real worker process through Temporal; the time is the operation row's
// ended_at - started_at (both stamped by Postgres: from the row's insert by startUpdate to the
// finishing write), so the bench's own polling is not counted.
// Baseline, same run, same repository: exactly the `git log` the product runs (log.ts's
// arguments, the same revisions on standard input, the same environment: no user or system
// config, so no rename detection either), its output to /dev/null.
// Fairness: baseline and product runs alternate, each side's figure is the median of its runs,
// and every product run starts from the same empty tables (truncated, then a CHECKPOINT).
// Scale: the product must stay linear in what git does: its time per second of `git log` at
// 200,000 commits at most 1.1× that at 10,000 (P1s). Not "1.1× twenty times the 10,000-commit
// update": git log itself is not linear between the two generated repositories (measured here
// 54.5 s at 200,000 vs 1.28 s at 10,000, 2.1× twenty times; its trees and paths grow with the
// history, so each commit's diff costs more), and that form charged git's growth to the product.
// The worker's peak memory (VmHWM, reset before each update) must not grow with the history.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { createGenericGitIntegration, parseUrls } from '#core/providers/generic-git/create.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { ingestRepoWorkflowId } from '../../workflows/integrations/contract.ts';
import { createSystem, signedInUser, type EngineAddresses, type RunningProcess, type TestSystem } from '../../tests/support/system.ts';
import { cachedRepository } from '../support/cached-repo.ts';
import { activityTimes, describeTimes } from '../support/history.ts';
import { allTips, timeGitLog } from '../support/git-log.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';

export interface P1Size {
	commits: number;
	/** Runs of each side; the figure is the median. */
	runs: number;
}

export interface P1Options {
	sizes: [P1Size, P1Size];
	branches: number;
	tags: number;
}

const defaults: P1Options = {
	sizes: [
		{ commits: 10_000, runs: 5 },
		{ commits: 200_000, runs: 3 }
	],
	branches: 6,
	tags: 40
};

const say = (line: string) => console.log(`[bench] P1: ${line}`);
const seconds = (values: number[]) => values.map((s) => s.toFixed(2)).join(', ');

/** The worker's peak resident memory since the last reset, in MB (Linux's VmHWM). */
function peakMemory(pid: number): number {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`no VmHWM for process ${pid}`);
	return Number(match[1]) / 1024;
}

/** Starts the peak over from the current resident memory. */
function resetPeakMemory(pid: number): void {
	writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * Each product run starts from the same empty tables, with no dirty pages left by the one before;
 * the integrations of earlier runs go too (a URL can be added once per organisation).
 */
async function emptyTables(system: TestSystem): Promise<void> {
	await system.database.pool.query('truncate commits, commit_files, tags, deployments, repo_daily_metrics');
	await system.database.pool.query(`delete from repos where integration_id in (select id from integrations where name like 'P1 %')`);
	await system.database.pool.query(`delete from integrations where name like 'P1 %'`);
	await system.database.pool.query('checkpoint');
}

async function update(system: TestSystem, dir: string, name: string) {
	const user = await signedInUser(system, 'admin@acme.example');
	const repositories = parseUrls(`file://${dir}`);
	if (!repositories.ok) throw new Error(`P1: ${Object.values(repositories.errors).join(' ')}`);
	const integration = await createGenericGitIntegration(system.database.db, user, {
		name,
		repositories: repositories.value,
		credentials: { method: 'none' },
		// As the demo integration does: tags become deployments, part of every update.
		deploymentsFromTags: true
	});
	const operation = await startUpdate(user, integration.id);
	const ended = await waitForSuccess(system, operation.id, 60 * 60_000);
	// Where the time went: the update's own activities and its one repository's child workflow.
	const repo = await system.database.db.selectFrom('repos').select('id').where('integration_id', '=', integration.id).executeTakeFirstOrThrow();
	const steps = [...(await activityTimes(operation.workflowId)), ...(await activityTimes(ingestRepoWorkflowId(repo.id, operation.id)))];
	return { ...ended, steps: describeTimes(steps), result: ended.result as { commits?: number } | null };
}

interface SizeResult {
	commits: number;
	update: number;
	gitLog: number;
	peakMb: number;
}

async function measureSize(system: TestSystem, worker: RunningProcess, options: P1Options, size: P1Size, home: string): Promise<SizeResult> {
	const dir = await cachedRepository({ commits: size.commits, branches: options.branches, tags: options.tags, seed: 11 }, say);
	const revisions = allTips(dir);
	// Once unmeasured, so the repository's files are in the page cache for both sides.
	await timeGitLog(dir, revisions, home);
	const gitRuns: number[] = [];
	const updateRuns: number[] = [];
	const peaks: number[] = [];
	let steps = '';
	let stored: number | undefined;
	for (let run = 1; run <= size.runs; run++) {
		gitRuns.push(await timeGitLog(dir, revisions, home));
		await emptyTables(system);
		resetPeakMemory(worker.pid);
		const measured = await update(system, dir, `P1 ${size.commits} #${run}`);
		peaks.push(peakMemory(worker.pid));
		updateRuns.push(measured.seconds);
		steps = measured.steps;
		stored = measured.result?.commits;
	}
	if (stored !== size.commits) throw new Error(`P1: the update stored ${stored} commits of ${size.commits}`);
	const result = { commits: size.commits, update: median(updateRuns), gitLog: median(gitRuns), peakMb: Math.max(...peaks) };
	console.log(
		`P1 detail: ${size.commits.toLocaleString('en')} commits (${options.branches} branches, ${options.tags} tags): update median ${result.update.toFixed(2)} s ` +
			`(runs ${seconds(updateRuns)} s; operation ended_at - started_at), git log median ${result.gitLog.toFixed(2)} s (runs ${seconds(gitRuns)} s); ` +
			`worker peak memory ${result.peakMb.toFixed(0)} MB (runs ${peaks.map((mb) => mb.toFixed(0)).join(', ')} MB); activities of the last run: ${steps}`
	);
	return result;
}

export async function benchGitIngest(engines: EngineAddresses, overrides: Partial<P1Options> = {}): Promise<string[]> {
	const options = { ...defaults, ...overrides };
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-p1-'));
	let system: TestSystem | undefined;
	try {
		const warmDir = path.join(scratch, 'warm-up');
		await generateRepository(warmDir, { commits: 300, branches: 3, tags: 5, seed: 12 });
		const home = path.join(scratch, 'home');

		// The generated repositories are local paths, which a server reads only when told.
		// The generated repositories are local paths, which a server reads only when told.
		system = await createSystem(engines, { TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
		await system.seedDemo();
		await useSystemRuntime(system);
		const worker = await system.startWorker();

		// Warm-up, not measured: the worker's first workflow task creates its workflow sandbox, and
		// its first ingest JIT-compiles the parser and opens its pool's connections. A long-running
		// worker has paid all of that long before any real update.
		const warm = await update(system, warmDir, 'P1 warm-up');
		say(`warm-up update of 300 commits ${warm.seconds.toFixed(2)} s`);

		const [small, large] = options.sizes;
		const smallResult = await measureSize(system, worker, options, small, home);
		const largeResult = await measureSize(system, worker, options, large, home);
		const scale = large.commits / small.commits;
		say(
			`scale: ${scale}× the commits; git log took ${(largeResult.gitLog / smallResult.gitLog).toFixed(1)}× as long ` +
				`(${(largeResult.gitLog / (scale * smallResult.gitLog)).toFixed(2)}× linear), the update ${(largeResult.update / smallResult.update).toFixed(1)}× ` +
				`(${(largeResult.update / (scale * smallResult.update)).toFixed(2)}× linear)`
		);
		return [
			benchLine({ id: 'P1', name: 'generic-git-update-vs-git-log', value: smallResult.update, unit: 's', baseline: smallResult.gitLog, target: '<=1.2' }),
			benchLine({ id: 'P1L', name: `generic-git-update-${large.commits / 1000}k-vs-git-log`, value: largeResult.update, unit: 's', baseline: largeResult.gitLog, target: '<=1.2' }),
			benchLine({
				id: 'P1s',
				name: `update-per-git-log-second-${large.commits / 1000}k-vs-${small.commits / 1000}k`,
				value: largeResult.update / largeResult.gitLog,
				unit: 'x',
				baseline: smallResult.update / smallResult.gitLog,
				target: '<=1.1'
			}),
			benchLine({ id: 'P1m', name: `worker-peak-memory-${large.commits / 1000}k-vs-${small.commits / 1000}k`, value: largeResult.peakMb, unit: 'MB', baseline: smallResult.peakMb, target: '<=1.2' })
		];
	} finally {
		await system?.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}
