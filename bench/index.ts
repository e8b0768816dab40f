// `npm run bench`: each benchmark measures the product beside a baseline in the same run and
// prints its BENCH lines. Engines are real and fresh: a Postgres and a Temporal of their own,
// started once and shared; each benchmark makes its own database (and task queue) on them.
//
//   npm run bench              all of them: P1, P1G, P2 (GitHub, GitLab, Bitbucket Cloud and Data Center, Azure DevOps, Jira), P3, P4, P5, P6
//   npm run bench -- P2GL      GitLab's P2 alone (P2BB: Bitbucket's two; P2AZ: Azure DevOps's; P2JI: Jira's tickets)
//   npm run bench -- P3 P6     only those
import { createDatabase, databaseUrl, dropDatabase, startTestEngines, type TestEngines } from '../tests/support/engines.ts';
import { buildIfStale } from '../scripts/build.ts';
import { requireNode } from '../scripts/node-version.ts';
import { closeRuntime } from '../src/lib/server/runtime.ts';
import { benchGitIngest } from './p1/git-ingest.ts';
import { benchGitHubIngest } from './p1/github-ingest.ts';
import { benchGitHubPullRequests } from './p2/github-pull-requests.ts';
import { benchAzureDevOpsPullRequests } from './p2/azure-devops-pull-requests.ts';
import { benchBitbucketCloudPullRequests, benchBitbucketDataCenterPullRequests } from './p2/bitbucket-pull-requests.ts';
import { benchGitLabMergeRequests } from './p2/gitlab-merge-requests.ts';
import { benchJiraTickets } from './p2/jira-tickets.ts';
import { benchBulkWrite } from './p3/bulk-write.ts';
import { benchProgressToBrowser } from './p4/progress-to-browser.ts';
import { benchBroadcast } from './p5/broadcast.ts';
import { benchDeleteIntegration } from './p6/delete-integration.ts';

/** P4 predates createSystem: it runs the web server in this process on a database of its own. */
async function benchP4(engines: TestEngines): Promise<string[]> {
	const name = `tributary_bench_${process.pid}`;
	await createDatabase(engines.postgresUrl, name, engines.templateDatabase);
	const taskQueue = `bench-${process.pid}`;
	Object.assign(process.env, {
		DATABASE_URL: databaseUrl(engines.postgresUrl, name),
		TEMPORAL_ADDRESS: engines.temporalAddress,
		TEMPORAL_TASK_QUEUE: taskQueue
	});
	try {
		return [await benchProgressToBrowser({ temporalAddress: engines.temporalAddress, taskQueue })];
	} finally {
		await dropDatabase(engines.postgresUrl, name).catch(() => {});
	}
}

const bitbucket = async (engines: TestEngines) => [...(await benchBitbucketCloudPullRequests(engines)), ...(await benchBitbucketDataCenterPullRequests(engines))];

const benchmarks: Record<string, (engines: TestEngines) => Promise<string[]>> = {
	P1: (engines) => benchGitIngest(engines),
	P1G: (engines) => benchGitHubIngest(engines),
	// One line per provider kind with pull or merge requests.
	P2: async (engines) => [...(await benchGitHubPullRequests(engines)), ...(await benchGitLabMergeRequests(engines)), ...(await bitbucket(engines)), ...(await benchAzureDevOpsPullRequests(engines)), ...(await benchJiraTickets(engines))],
	P2GL: (engines) => benchGitLabMergeRequests(engines),
	P2BB: (engines) => bitbucket(engines),
	P2AZ: (engines) => benchAzureDevOpsPullRequests(engines),
	P2JI: (engines) => benchJiraTickets(engines),
	P3: (engines) => benchBulkWrite(engines),
	P4: benchP4,
	P5: (engines) => benchBroadcast(engines),
	P6: (engines) => benchDeleteIntegration(engines)
};

requireNode();
const wanted = process.argv.slice(2).map((id) => id.toUpperCase());
const unknown = wanted.filter((id) => !(id in benchmarks));
if (unknown.length > 0) {
	console.error(`[bench] unknown benchmark ${unknown.join(', ')}; there are ${Object.keys(benchmarks).join(', ')}`);
	process.exit(2);
}
const started = performance.now();
const root = new URL('..', import.meta.url).pathname;
await buildIfStale(root, (line) => console.log(`[bench] ${line}`));
Object.assign(process.env, { LOG_LEVEL: 'warn', NODE_ENV: 'production' });
const engines = await startTestEngines();

const lines: string[] = [];
const failures: string[] = [];
try {
	for (const [id, run] of Object.entries(benchmarks)) {
		// P2GL, P2BB, P2AZ and P2JI are parts of P2: each runs on its own only when asked for.
		if (wanted.length > 0 ? !wanted.includes(id) : /^P2../.test(id)) continue;
		const benchStarted = performance.now();
		console.log(`[bench] ${id}…`);
		// Benchmarks set variables for this process (P4's in-process web server sets
		// PROTOCOL_HEADER, createSystem the secret key…), and createSystem hands this process's
		// environment to the processes it starts: each benchmark starts from the same one.
		const environment = { ...process.env };
		// One failing benchmark must not hide the others' lines.
		try {
			lines.push(...(await run(engines)));
		} catch (error) {
			failures.push(id);
			console.error(`[bench] ${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
		} finally {
			// The next benchmark points the process-wide connections at its own database.
			await closeRuntime().catch(() => {});
			for (const key of Object.keys(process.env)) if (!(key in environment)) delete process.env[key];
			Object.assign(process.env, environment);
		}
		console.log(`[bench] ${id} took ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
	}
} finally {
	await engines.stop();
}
console.log('');
for (const line of lines) console.log(line);
console.log(`[bench] ${((performance.now() - started) / 1000).toFixed(0)} s in all${failures.length > 0 ? `; failed: ${failures.join(', ')}` : ''}`);
process.exit(failures.length > 0 ? 1 : 0);
