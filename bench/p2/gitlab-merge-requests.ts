// P2 for GitLab (provider-ingest.ts): 3 projects × 1,500 merge requests with their notes
// (approvals, diff notes, comments) on the simulator's self-managed GitLab, reached over HTTP.
import { readSettings } from '#core/config.ts';
import { createGitLabClient } from '#core/providers/gitlab/client.ts';
import { ingestWithClient } from '#core/providers/gitlab/merge-requests.ts';
import { addSimulatedGitLab } from '../../tests/simulator/support.ts';
import type { EngineAddresses } from '../../tests/support/system.ts';
import type { P2Options } from './github-pull-requests.ts';
import { benchProviderIngest } from './provider-ingest.ts';

/** More merge requests than GitHub's P2 has pull requests: GitLab's take one request each (its notes), not two, and a run must outlast the update's fixed cost. */
const defaults: P2Options = { repos: 3, pullRequestsPerRepo: 1_500, runs: 3 };

export function benchGitLabMergeRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	const settings = { ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] };
	return benchProviderIngest(
		engines,
		{
			line: 'gitlab-merge-requests-vs-raw-fetch',
			provider: 'gitlab',
			items: 'merge requests',
			unit: 'mrs/s',
			unlimit: (simulator) => simulator.control.setRateLimit({ token: simulator.gitlab.tokens.full, limit: 10_000_000, resetInSeconds: 3600 }).then(() => {}),
			add: (db, user, simulator) => addSimulatedGitLab(db, user, simulator, { name: 'P2 GitLab', credentialSummary: 'P2 token', services: ['pull-requests'] }),
			expected: async (simulator, names) => (await simulator.control.gitlab.stats()).projects.filter((p) => names.includes(p.project)).reduce((n, p) => n + p.mergeRequests, 0),
			ingest: (simulator, run) => ingestWithClient(createGitLabClient(simulator.gitlab.http, { method: 'personal-access-token', token: simulator.gitlab.tokens.full }, { settings }), run)
		},
		{ ...defaults, ...overrides }
	);
}
