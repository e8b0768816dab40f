// P1g: P1 on a GitHub repository. An Update of a GitHub Enterprise Server integration (the
// simulator, over HTTPS with its own CA, a token) holding one generated 10,000-commit repository,
// end to end: discovery through the API, a clone over smart HTTP with the token, the same
// streaming ingest as Generic Git, tags, deployments, metrics; the operation row's
// ended_at - started_at. Baseline, same run: what git itself needs to read the repository from
// that server — a bare clone over the same HTTPS with the same token and CA, then the product's
// own `git log` on it (a remote repository cannot be read without its transfer, and the
// simulator's `git http-backend` builds each pack anew, as a git server does). Runs alternate;
// medians. Pull requests are off here (P2 measures them).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator } from '../../simulator/launch.ts';
import { addSimulatedGitHub } from '../../tests/simulator/support.ts';
import { createSystem, signedInUser, type EngineAddresses, type TestSystem } from '../../tests/support/system.ts';
import { allTips, timeGitLog } from '../support/git-log.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';

const commits = 10_000;
const runs = 5;
const say = (line: string) => console.log(`[bench] P1g: ${line}`);

async function emptyTables(system: TestSystem): Promise<void> {
	await system.database.pool.query('truncate commits, commit_files, tags, deployments, repo_daily_metrics, pull_requests');
	for (const table of ['repos', 'groups']) {
		await system.database.pool.query(`delete from ${table} where integration_id in (select id from integrations where name like 'P1g %')`);
	}
	await system.database.pool.query(`delete from integrations where name like 'P1g %'`);
	await system.database.pool.query('checkpoint');
}

/** A bare clone of `url` as the product makes one: branches and tags, the token in a header, the CA trusted. */
async function timeClone(url: string, token: string, caFile: string, into: string, home: string): Promise<number> {
	rmSync(into, { recursive: true, force: true });
	const started = performance.now();
	await new Promise<void>((resolve, reject) => {
		const child = spawn('git', ['clone', '--bare', '--quiet', '--', url, into], {
			stdio: ['ignore', 'ignore', 'inherit'],
			env: {
				PATH: process.env.PATH,
				HOME: home,
				GIT_CONFIG_NOSYSTEM: '1',
				GIT_CONFIG_GLOBAL: '/dev/null',
				GIT_TERMINAL_PROMPT: '0',
				GIT_SSL_CAINFO: caFile,
				GIT_CONFIG_COUNT: '1',
				GIT_CONFIG_KEY_0: 'http.extraHeader',
				GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
			}
		});
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git clone exited ${code}`))));
	});
	return (performance.now() - started) / 1000;
}

export async function benchGitHubIngest(engines: EngineAddresses): Promise<string[]> {
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-p1g-'));
	const dataDir = path.join(os.homedir(), '.cache', 'tributary', 'bench', `simulator-p1g-${commits}`);
	say(`starting the simulator (its repository is generated once into ${dataDir})…`);
	const simulator = await startSimulator({ dataDir, orgs: 1, reposPerOrg: 1, pullRequests: 1, commits, seed: 21 });
	let system: TestSystem | undefined;
	try {
		system = await createSystem(engines, { TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8' });
		await system.seedDemo();
		await useSystemRuntime(system);
		await system.startWorker();
		const user = await signedInUser(system, 'admin@acme.example');
		const update = async (name: string) => {
			const integrationId = await addSimulatedGitHub(system!.database.db, user, simulator, {
				name,
				credentialSummary: 'P1g token',
				overHttps: true,
				autoImportAll: true,
				deploymentsFromTags: true,
				services: ['repos']
			});
			const operation = await startUpdate(user, integrationId);
			return waitForSuccess(system!, operation.id, 30 * 60_000);
		};
		// Warm-up, not measured (the worker's sandbox, JIT, pools; the repository in the page cache).
		await update('P1g warm-up');
		const bare = path.join(dataDir, 'git', simulator.orgs[0]!, 'api.git');
		const revisions = allTips(bare);
		const home = path.join(scratch, 'home');
		const clone = path.join(scratch, 'clone.git');
		const cloneUrl = `${simulator.https}/${simulator.orgs[0]}/api.git`;
		const baseline = async () => {
			const cloned = await timeClone(cloneUrl, simulator.tokens.classic, simulator.caFile, clone, home);
			const logged = await timeGitLog(clone, revisions, home);
			cloneRuns.push(cloned);
			logRuns.push(logged);
			return cloned + logged;
		};
		const cloneRuns: number[] = [];
		const logRuns: number[] = [];
		await baseline();
		cloneRuns.length = logRuns.length = 0;
		const gitRuns: number[] = [];
		const updateRuns: number[] = [];
		for (let run = 1; run <= runs; run++) {
			gitRuns.push(await baseline());
			await emptyTables(system);
			updateRuns.push((await update(`P1g #${run}`)).seconds);
		}
		const stored = await system.database.db.selectFrom('repos').select(['name', 'commits_count']).where('name', '=', `${simulator.orgs[0]}/api`).executeTakeFirst();
		console.log(
			`P1g detail: ${stored?.commits_count.toLocaleString('en')} commits of ${simulator.orgs[0]}/api (and the token owner's two small repositories) over HTTPS from the simulator; ` +
				`update median ${median(updateRuns).toFixed(2)} s (runs ${updateRuns.map((s) => s.toFixed(2)).join(', ')}), git clone + git log median ${median(gitRuns).toFixed(2)} s (clone ${cloneRuns.map((s) => s.toFixed(2)).join(', ')}; log ${logRuns.map((s) => s.toFixed(2)).join(', ')})`
		);
		return [benchLine({ id: 'P1g', name: 'github-update-vs-git-clone-and-log', value: median(updateRuns), unit: 's', baseline: median(gitRuns), target: '<=1.5' })];
	} finally {
		await system?.stop();
		await simulator.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}
