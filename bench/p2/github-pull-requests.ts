// P2: GitHub pull request ingest end to end against a bare paginated fetch of the same data.
// The simulator (a real process) holds 3 repositories × 300 pull requests (the simulator answers about 150 requests a second, two per pull request: this keeps the run near two minutes) with their reviews,
// review comments and comments. Product side: an Update of a GitHub Enterprise Server integration
// of them with the pull requests service only (web action's startUpdate → Temporal → a real
// worker process → Postgres), timed by the operation row (ended_at - started_at, Postgres's
// clock): planning, the pull requests, and finishing. Baseline: the same client and the same ingest code
// (same endpoints, pages and concurrency: three repositories at once, eight requests per
// repository), in this process, storing nothing. Both as pull requests per second, medians of
// three runs each; before each product run the integration's pull requests are forgotten (rows
// deleted, cursors cleared), so every run reads everything.
import os from 'node:os';
import path from 'node:path';
import { createIntegration } from '#core/integrations/create.ts';
import { createGitHubClient } from '#core/providers/github/client.ts';
import { ingestWithClient } from '#core/providers/github/pull-requests.ts';
import type { PullRequestRun } from '#core/providers/provider.ts';
import { readSettings } from '#core/config.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator } from '../../simulator/launch.ts';
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
		TRIBUTARY_UPDATE_CONCURRENCY: String(options.repos)
	});
	try {
		// Quota for every run of both sides: the benchmark measures ingest, not waiting.
		await simulator.control.setRateLimit({ token: simulator.tokens.classic, limit: 10_000_000, resetInSeconds: 3600 });
		const repositories = simulator.repos.filter((r) => r.startsWith(`${simulator.orgs[0]}/`)).slice(0, options.repos);
		const total = (await simulator.control.stats()).repositories.filter((r) => repositories.includes(r.repository)).reduce((n, r) => n + r.pullRequests, 0);

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
		await fetchAll(); // warm both sides' caches of the simulator's generated data
		console.log(`[bench] P2: ${total} pull requests; a warm-up fetch done`);
		const rawSeconds: number[] = [];
		for (let i = 0; i < options.runs; i++) {
			const started = performance.now();
			await fetchAll();
			rawSeconds.push((performance.now() - started) / 1000);
		}

		// The product: Update, end to end.
		await system.seedDemo();
		const worker = await system.startWorker();
		await useSystemRuntime(system);
		const manager = await signedInUser(system, 'manager@acme.example');
		const integration = await createIntegration(
			system.database.db,
			manager,
			'github-enterprise',
			{
				name: 'P2 GitHub',
				authMethod: 'personal-access-token',
				credentials: { method: 'personal-access-token', token: simulator.tokens.classic },
				baseUrl: simulator.http,
				settings: {},
				repositories: repositories.map((fullName) => ({ providerId: fullName, url: `${simulator.http}/${fullName}.git`, display: fullName, name: fullName })),
				deploymentsFromTags: false
			},
			'P2 token'
		);
		await system.database.db.updateTable('integrations').set({ services: JSON.stringify(['pull-requests']) }).where('id', '=', integration.id).execute();
		const productSeconds: number[] = [];
		for (let i = 0; i <= options.runs; i++) {
			const { db, pool } = system.database;
			for (const table of tables) await db.deleteFrom(table).where('integration_id', '=', integration.id).execute();
			await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', integration.id).execute();
			for (const table of tables) await pool.query(`vacuum analyze ${table}`);
			const operation = await startUpdate(manager, integration.id);
			const ended = await waitForSuccess(system, operation.id, 600_000);
			const stored = (ended.result as { pullRequests?: number }).pullRequests;
			if (stored !== total) throw new Error(`The update stored ${stored} pull requests of ${total}.`);
			// The first run warms the worker (its first workflow tasks, connections): not counted.
			if (i > 0) productSeconds.push(ended.seconds);
		}
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
