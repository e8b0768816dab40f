// P2: GitHub pull request ingest end to end against a bare paginated fetch of the same data.
// The simulator (a real process) holds 3 repositories × 300 pull requests (the simulator answers about 150 requests a second, two per pull request: this keeps the run near two minutes) with their reviews,
// review comments and comments. Product side: an Update of a GitHub Enterprise Server integration
// of them with the pull requests service only (web action's startUpdate → Temporal → a real
// worker process → Postgres), timed by the operation row (ended_at - started_at, Postgres's
// clock): planning, the pull requests, and finishing. Baseline: the same client and the same ingest code
// (same endpoints, pages and concurrency: three repositories at once, eight requests per
// repository), in this process, storing nothing. Both as pull requests per second, medians of
// three runs each, after one warm-up run of each (the product's discovers the repositories);
// before each product run the integration's pull requests are forgotten (rows
// deleted, cursors cleared), so every run reads everything.
import os from 'node:os';
import path from 'node:path';
import { createGitHubClient } from '#core/providers/github/client.ts';
import { ingestWithClient } from '#core/providers/github/pull-requests.ts';
import type { PullRequestRun } from '#core/providers/provider.ts';
import { readSettings } from '#core/config.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator } from '../../simulator/launch.ts';
import { addSimulatedGitHub } from '../../tests/simulator/support.ts';
import { createSystem, signedInUser, type EngineAddresses } from '../../tests/support/system.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';

export interface P2Options {
	repos: number;
	pullRequestsPerRepo: number;
	runs: number;
}

const defaults: P2Options = { repos: 3, pullRequestsPerRepo: 300, runs: 3 };
/** The same as the activity's (worker/activities/integrations/pull-requests.ts). */
const concurrencyPerRepo = 8;
const tables = ['pull_requests', 'pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments'] as const;

export async function benchGitHubPullRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	const options = { ...defaults, ...overrides };
	const simulator = await startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-bench-simulator', `p2-${options.repos}x${options.pullRequestsPerRepo}`),
		orgs: 1,
		reposPerOrg: options.repos,
		pullRequests: options.pullRequestsPerRepo,
		commits: 20
	});
	const system = await createSystem(engines, {
		TRIBUTARY_GIT_SCHEMES: 'http,https,ssh',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8',
		TRIBUTARY_UPDATE_CONCURRENCY: '8'
	});
	try {
		// Quota for every run of both sides: the benchmark measures ingest, not waiting.
		await simulator.control.setRateLimit({ token: simulator.tokens.classic, limit: 10_000_000, resetInSeconds: 3600 });
		// The integration's first update discovers its repositories; both sides then read those.
		let repositories: string[] = [];
		let total = 0;

		// The product: Update, end to end.
		await system.seedDemo();
		const worker = await system.startWorker();
		await useSystemRuntime(system);
		// Every repository at once, as the baseline reads them (startUpdate reads this process's settings).
		process.env.TRIBUTARY_UPDATE_CONCURRENCY = '8';
		const manager = await signedInUser(system, 'manager@acme.example');
		const integrationId = await addSimulatedGitHub(system.database.db, manager, simulator, { name: 'P2 GitHub', credentialSummary: 'P2 token', services: ['pull-requests'] });
		const productSeconds: number[] = [];
		const run = async () => {
			const { db, pool } = system.database;
			for (const table of tables) await db.deleteFrom(table).where('integration_id', '=', integrationId).execute();
			await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', integrationId).execute();
			for (const table of tables) await pool.query(`vacuum analyze ${table}`);
			const operation = await startUpdate(manager, integrationId);
			const ended = await waitForSuccess(system, operation.id, 600_000);
			const stored = (ended.result as { pullRequests?: number }).pullRequests ?? 0;
			if (total > 0 && stored !== total) throw new Error(`The update stored ${stored} pull requests of ${total}.`);
			return { seconds: ended.seconds, stored };
		};
		// The first run discovers the repositories and warms the worker: not counted.
		total = (await run()).stored;
		repositories = (await system.database.db.selectFrom('repos').select('name').where('integration_id', '=', integrationId).where('imported', '=', true).execute()).map((r) => r.name);
		const expected = (await simulator.control.stats()).repositories.filter((r) => repositories.includes(r.repository)).reduce((n, r) => n + r.pullRequests, 0);
		if (total !== expected) throw new Error(`The update stored ${total} pull requests; the simulator has ${expected}.`);

		// Baseline: the fetch alone, by the same client and code, nothing stored.
		const settings = { ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] };
		const fetchAll = async () => {
			const client = createGitHubClient(`${simulator.http}/api/v3`, { method: 'personal-access-token', token: simulator.tokens.classic }, { settings });
			await Promise.all(
				repositories.map((fullName) => {
					const run: PullRequestRun = {
						repo: { id: fullName, providerId: fullName, name: fullName, url: `${simulator.http}/${fullName}.git` },
						cursor: null,
						concurrency: concurrencyPerRepo,
						store: async () => 0,
						existing: async (ids) => new Set(ids),
						progress: async () => {},
						quota: () => {}
					};
					return ingestWithClient(client, run);
				})
			);
		};
		await fetchAll(); // the same warm-up
		console.log(`[bench] P2: ${total} pull requests; a warm-up fetch done`);
		const rawSeconds: number[] = [];
		for (let i = 0; i < options.runs; i++) {
			const started = performance.now();
			await fetchAll();
			rawSeconds.push((performance.now() - started) / 1000);
		}

		for (let i = 0; i < options.runs; i++) productSeconds.push((await run()).seconds);
		await worker.stop();

		const value = total / median(productSeconds);
		const baseline = total / median(rawSeconds);
		console.log(
			`[bench] P2: ${total} pull requests in ${repositories.length} repositories; update ${productSeconds.map((s) => s.toFixed(2)).join(', ')} s; bare fetch ${rawSeconds.map((s) => s.toFixed(2)).join(', ')} s`
		);
		return [benchLine({ id: 'P2', name: 'github-pull-requests-vs-raw-fetch', value, unit: 'prs/s', baseline, target: '>=0.7' })];
	} finally {
		await system.stop().catch(() => {});
		await simulator.stop();
	}
}
