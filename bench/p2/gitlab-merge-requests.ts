// P2 for GitLab: merge request ingest end to end against a bare paginated fetch of the same data,
// as P2 for GitHub does (github-pull-requests.ts). The simulator's GitLab holds 3 projects × 1,500
// merge requests with their notes (approvals, diff notes, comments). Product side: an Update of a
// self-managed GitLab integration with the pull requests service only (web action's startUpdate →
// Temporal → a real worker process → Postgres), timed by the operation row. Baseline: the same
// client and ingest code, same concurrency, in this process, storing nothing. Both as merge
// requests per second, medians of three runs each after one warm-up of each; before each product
// run the integration's merge requests are forgotten, so every run reads everything.
import os from 'node:os';
import path from 'node:path';
import { readSettings } from '#core/config.ts';
import { createGitLabClient } from '#core/providers/gitlab/client.ts';
import { ingestWithClient } from '#core/providers/gitlab/merge-requests.ts';
import type { PullRequestRun } from '#core/providers/provider.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator } from '../../simulator/launch.ts';
import { addSimulatedGitLab } from '../../tests/simulator/support.ts';
import { createSystem, signedInUser, type EngineAddresses } from '../../tests/support/system.ts';
import { benchLine } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';
import type { P2Options } from './github-pull-requests.ts';

/** More merge requests than GitHub's P2 has pull requests: GitLab's take one request each (its notes), not two, and a run must outlast the update's fixed cost. */
const defaults: P2Options = { repos: 3, pullRequestsPerRepo: 1_500, runs: 3 };
/** The same as the activity's (worker/activities/integrations/pull-requests.ts). */
const concurrencyPerRepo = 8;
const tables = ['pull_requests', 'pull_request_reviews', 'pull_request_review_comments', 'pull_request_comments'] as const;

export async function benchGitLabMergeRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	const options = { ...defaults, ...overrides };
	const simulator = await startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-bench-simulator', `p2-${options.repos}x${options.pullRequestsPerRepo}`),
		orgs: 1,
		reposPerOrg: options.repos,
		pullRequests: options.pullRequestsPerRepo,
		commits: 20
	});
	const system = await createSystem(engines, { TRIBUTARY_GIT_SCHEMES: 'http,https,ssh', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8', TRIBUTARY_UPDATE_CONCURRENCY: '8' });
	try {
		// Quota for every run of both sides: the benchmark measures ingest, not waiting.
		await simulator.control.setRateLimit({ token: simulator.gitlab.tokens.full, limit: 10_000_000, resetInSeconds: 3600 });
		await system.seedDemo();
		const worker = await system.startWorker();
		await useSystemRuntime(system);
		process.env.TRIBUTARY_UPDATE_CONCURRENCY = '8';
		const manager = await signedInUser(system, 'manager@acme.example');
		const integrationId = await addSimulatedGitLab(system.database.db, manager, simulator, { name: 'P2 GitLab', credentialSummary: 'P2 token', services: ['pull-requests'] });
		let total = 0;
		const run = async () => {
			const { db, pool } = system.database;
			for (const table of tables) await db.deleteFrom(table).where('integration_id', '=', integrationId).execute();
			await db.updateTable('repos').set({ pull_requests_cursor: null, pull_requests_count: 0 }).where('integration_id', '=', integrationId).execute();
			for (const table of tables) await pool.query(`vacuum analyze ${table}`);
			const operation = await startUpdate(manager, integrationId);
			const ended = await waitForSuccess(system, operation.id, 600_000);
			const stored = (ended.result as { pullRequests?: number }).pullRequests ?? 0;
			if (total > 0 && stored !== total) throw new Error(`The update stored ${stored} merge requests of ${total}.`);
			return { seconds: ended.seconds, stored };
		};
		// The first run discovers the projects and warms the worker: not counted.
		total = (await run()).stored;
		const projects = await system.database.db.selectFrom('repos').select(['name', 'provider_id', 'url']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
		const expected = (await simulator.control.gitlab.stats()).projects.filter((p) => projects.some((r) => r.name === p.project)).reduce((n, p) => n + p.mergeRequests, 0);
		if (total !== expected) throw new Error(`The update stored ${total} merge requests; the simulator has ${expected}.`);

		const settings = { ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] };
		const fetchAll = async () => {
			const client = createGitLabClient(simulator.gitlab.http, { method: 'personal-access-token', token: simulator.gitlab.tokens.full }, { settings });
			await Promise.all(
				projects.map((project) => {
					const run: PullRequestRun = {
						repo: { id: project.name, providerId: project.provider_id, name: project.name, url: project.url },
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
		await fetchAll();
		const rawSeconds: number[] = [];
		for (let i = 0; i < options.runs; i++) {
			const started = performance.now();
			await fetchAll();
			rawSeconds.push((performance.now() - started) / 1000);
		}
		const productSeconds: number[] = [];
		for (let i = 0; i < options.runs; i++) productSeconds.push((await run()).seconds);
		await worker.stop();

		const value = total / median(productSeconds);
		const baseline = total / median(rawSeconds);
		console.log(
			`[bench] P2: ${total} merge requests in ${projects.length} projects; update ${productSeconds.map((s) => s.toFixed(2)).join(', ')} s; bare fetch ${rawSeconds.map((s) => s.toFixed(2)).join(', ')} s`
		);
		return [benchLine({ id: 'P2', name: 'gitlab-merge-requests-vs-raw-fetch', value, unit: 'mrs/s', baseline, target: '>=0.7' })];
	} finally {
		await system.stop().catch(() => {});
		await simulator.stop();
	}
}
