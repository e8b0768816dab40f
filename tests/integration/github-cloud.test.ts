// The GitHub.com kind (not Enterprise Server) end to end: where GitHub.com is reached is a setting
// (TRIBUTARY_GITHUB_API_URL and TRIBUTARY_GITHUB_URL, for a proxy in between), pointed here at the
// simulator, which serves GitHub.com's API at its root. Added through the form with a token, its
// first update discovers every organisation and repository and ingests their commits and pull
// requests; a clone URL on any other server is refused, so the token never goes there.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { createTestSystem, demoUser, latestOperationEnd, signIn, submitAction, type RunningWeb, type TestSystem } from '../support/system.ts';

const simulatorName = 'github-cloud';
const simulatorDir = path.join(os.tmpdir(), 'tributary-simulator-tests', simulatorName);

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let manager: string;

beforeAll(async () => {
	simulator = await startTestSimulator(simulatorName, { orgs: 2, reposPerOrg: 2, pullRequests: 4, commits: 25 });
	system = await createTestSystem({
		TRIBUTARY_GITHUB_API_URL: simulator.http,
		TRIBUTARY_GITHUB_URL: simulator.http,
		TRIBUTARY_GIT_SCHEMES: 'http,https',
		TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8'
	});
	const demo = await system.seedDemo();
	[web] = await Promise.all([system.startWeb(), system.startWorker()]);
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
}, 180_000);
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const realCommits = (fullName: string) => Number(execFileSync('git', ['--git-dir', path.join(simulatorDir, 'git', `${fullName}.git`), 'rev-list', '--all', '--count'], { encoding: 'utf8' }).trim());

describe('GitHub.com integration', () => {
	it('is added with a token, discovers its repositories and ingests their commits and pull requests', async () => {
		const added = await submitAction(web.url, '/integrations/new/github', { name: 'Acme on GitHub.com', authMethod: 'personal-access-token', token: simulator.tokens.classic }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const integration = await system.database.db.selectFrom('integrations').selectAll().where('name', '=', 'Acme on GitHub.com').executeTakeFirstOrThrow();
		expect(integration.kind).toBe('github');
		expect(integration.base_url).toBeNull();
		const update = await latestOperationEnd(system, integration.id, 'integration.update', 240_000);
		expect(update.state, update.error ?? '').toBe('succeeded');

		const stats = await simulator.control.stats();
		const repos = await system.database.db.selectFrom('repos').selectAll().where('integration_id', '=', integration.id).execute();
		expect(repos).toHaveLength(stats.repos);
		for (const listed of stats.repositories) {
			const repo = repos.find((r) => r.name === listed.repository);
			expect(repo, listed.repository).toBeDefined();
			expect(repo!.url).toBe(`${simulator.http}/${listed.repository}.git`);
			if (!repo!.imported) continue;
			expect(repo!.data_status, `${repo!.name}: ${repo!.status_detail}`).toBe('healthy');
			expect(repo!.commits_count, repo!.name).toBe(realCommits(listed.repository));
		}
		const pulls = await system.database.db.selectFrom('pull_requests').select((eb) => eb.fn.countAll<string>().as('n')).where('integration_id', '=', integration.id).executeTakeFirstOrThrow();
		expect(Number(pulls.n)).toBeGreaterThan(0);
	});

	it('tests the token against GitHub.com as set, naming the account', async () => {
		const { id } = await system.database.db.selectFrom('integrations').select('id').where('name', '=', 'Acme on GitHub.com').executeTakeFirstOrThrow();
		const started = await submitAction(web.url, `/integrations/${id}?/test`, {}, manager);
		expect(started.type).toBe('success');
		const test = await latestOperationEnd(system, id, 'integration.test');
		expect(test.state, test.error ?? '').toBe('succeeded');
		expect(test.result?.account).toBe('sim-user');
	});
});
