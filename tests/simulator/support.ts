// Starts a simulator for one test file, in its own data dir (kept between runs, so the git
// repositories are generated once), and makes field clients for it.
import os from 'node:os';
import path from 'node:path';
import { Octokit } from 'octokit';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/launch.ts';

export async function startTestSimulator(name: string, options: Omit<SimulatorOptions, 'dataDir'> = {}): Promise<RunningSimulator> {
	return startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-simulator-tests', name),
		orgs: 2,
		reposPerOrg: 3,
		pullRequests: 40,
		commits: 60,
		...options
	});
}

/** The field client as the product makes it, with the retry plugin's waits shortened for tests. */
export function github(baseUrl: string, auth?: string, options: ConstructorParameters<typeof Octokit>[0] = {}): Octokit {
	return new Octokit({
		baseUrl,
		auth,
		userAgent: 'tributary-tests',
		retry: { retryAfterBaseValue: 10 },
		log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
		...options
	});
}
