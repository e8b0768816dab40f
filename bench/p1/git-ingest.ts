// P1: a Generic Git Update end to end vs `git log --all --numstat` on the same repository.
// Measured: the product's whole Update of one integration holding a generated repository (mirror
// clone over file://, streaming log parse, COPY into Postgres, tags, deployments, daily metrics,
// bookkeeping) run by a real worker process through Temporal; the time is the operation row's
// ended_at - started_at (both stamped by Postgres: from the row's insert by startUpdate to the
// finishing write), so the bench's own polling is not counted.
// Baseline, same run, same repository: `git log --all --numstat > /dev/null`, median of 3.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { createGenericGitIntegration, parseUrls } from '../../src/lib/server/integrations/generic-git.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { ingestRepoWorkflowId } from '../../workflows/integrations/contract.ts';
import { createSystem, signedInUser, type EngineAddresses, type TestSystem } from '../../tests/support/system.ts';
import { activityTimes, describeTimes } from '../support/history.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';

export interface P1Options {
	commits: number;
	branches: number;
	tags: number;
}

const defaults: P1Options = { commits: 10_000, branches: 6, tags: 40 };

async function timeGitLog(dir: string): Promise<number> {
	const started = performance.now();
	await new Promise<void>((resolve, reject) => {
		// Through a shell, exactly as a person would time it; the system git config is left out,
		// as generate-repo.ts and the product's git runner do.
		const child = spawn('sh', ['-c', 'git log --all --numstat > /dev/null'], {
			cwd: dir,
			stdio: 'ignore',
			env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' }
		});
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git log exited ${code}`))));
	});
	return (performance.now() - started) / 1000;
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
	const wallStarted = performance.now();
	const operation = await startUpdate(user, integration.id);
	const ended = await waitForSuccess(system, operation.id, 30 * 60_000);
	const wallSeconds = (performance.now() - wallStarted) / 1000;
	// Where the time went: the update's own activities and its one repository's child workflow.
	const repo = await system.database.db.selectFrom('repos').select('id').where('integration_id', '=', integration.id).executeTakeFirstOrThrow();
	const steps = [...(await activityTimes(operation.workflowId)), ...(await activityTimes(ingestRepoWorkflowId(repo.id, operation.id)))];
	return { ...ended, wallSeconds, steps: describeTimes(steps), result: ended.result as { commits?: number } | null };
}

export async function benchGitIngest(engines: EngineAddresses, options: Partial<P1Options> = {}): Promise<string[]> {
	const { commits, branches, tags } = { ...defaults, ...options };
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-p1-'));
	let system: TestSystem | undefined;
	try {
		const dir = path.join(scratch, 'large');
		const warmDir = path.join(scratch, 'warm-up');
		const generated = performance.now();
		await generateRepository(dir, { commits, branches, tags, seed: 11 });
		await generateRepository(warmDir, { commits: 300, branches: 3, tags: 5, seed: 12 });
		console.log(`[bench] P1: generated ${commits} commits in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

		// The generated repositories are local paths, which a server reads only when told.
		system = await createSystem(engines, { TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
		await system.seedDemo();
		await useSystemRuntime(system);
		await system.startWorker();

		// Warm-up, not measured: the worker's first workflow task creates its workflow sandbox, and
		// its first ingest JIT-compiles the parser and opens its pool's connections. A long-running
		// worker has paid all of that long before any real update.
		const warm = await update(system, warmDir, 'P1 warm-up');

		// Baseline first, so the repository's files are in the page cache for both sides.
		const gitRuns: number[] = [];
		for (let i = 0; i < 3; i++) gitRuns.push(await timeGitLog(dir));
		const baseline = median(gitRuns);

		const measured = await update(system, dir, 'P1 large');
		console.log(
			`P1 detail: update ${measured.seconds.toFixed(2)} s (operation ended_at - started_at; ${measured.wallSeconds.toFixed(2)} s wall incl. polling) ` +
				`for ${measured.result?.commits ?? '?'} commits (${commits} generated, ${branches} branches, ${tags} tags); ` +
				`git log --all --numstat median ${baseline.toFixed(2)} s (runs ${gitRuns.map((s) => s.toFixed(2)).join(', ')} s); ` +
				`activities: ${measured.steps}; warm-up update of 300 commits ${warm.seconds.toFixed(2)} s`
		);
		return [benchLine({ id: 'P1', name: 'generic-git-update-vs-git-log', value: measured.seconds, unit: 's', baseline, target: '<=1.5' })];
	} finally {
		await system?.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}
