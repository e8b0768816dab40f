// P2 for Azure DevOps (provider-ingest.ts): one organisation's 3 repositories × 1,000 pull requests
// with their threads (comments on files, conversation comments, votes) on the simulator's Azure
// DevOps, reached over HTTP: two lists of pull requests (closed since the mark, active) and the
// threads of each.
import { readSettings } from '#core/config.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { ingestWithSession } from '#core/providers/azure-devops/pull-requests.ts';
import { openAzureSession } from '#core/providers/azure-devops/session.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import type { EngineAddresses } from '../../tests/support/system.ts';
import type { P2Options } from './github-pull-requests.ts';
import { benchProviderIngest } from './provider-ingest.ts';

const defaults: P2Options = { repos: 3, pullRequestsPerRepo: 1_000, runs: 3 };
const organizationUrl = (simulator: RunningSimulator) => `${simulator.azureDevOps.http}/${simulator.azureDevOps.organizations[0]}`;

export function benchAzureDevOpsPullRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	const settings = { ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] };
	return benchProviderIngest(
		engines,
		{
			line: 'azure-devops-pull-requests-vs-raw-fetch',
			provider: 'azure-devops',
			items: 'pull requests',
			unit: 'prs/s',
			unlimit: (simulator) => simulator.control.setRateLimit({ token: simulator.azureDevOps.tokens.full, limit: 10_000_000, remaining: 10_000_000, resetInSeconds: 3600 }).then(() => {}),
			add: async (db, user, simulator) => {
				const integration = await createIntegration(
					db,
					user,
					'azure-devops',
					{
						name: 'P2 Azure DevOps',
						authMethod: 'personal-access-token',
						credentials: { method: 'personal-access-token', token: simulator.azureDevOps.tokens.full },
						baseUrl: organizationUrl(simulator),
						settings: { autoImportAll: true },
						repositories: [],
						deploymentsFromTags: false
					},
					'P2 token'
				);
				await db.updateTable('integrations').set({ services: JSON.stringify(['pull-requests']) }).where('id', '=', integration.id).execute();
				return integration.id;
			},
			expected: async (simulator, names) =>
				(await simulator.control.azureDevOps.stats()).repositories.filter((r) => names.includes(r.repository.split('/').slice(1).join('/'))).reduce((n, r) => n + r.pullRequests, 0),
			ingest: (simulator, run) =>
				ingestWithSession(openAzureSession({ baseUrl: organizationUrl(simulator), settings: {}, credentials: { method: 'personal-access-token', token: simulator.azureDevOps.tokens.full } }, settings), run)
		},
		{ ...defaults, ...overrides }
	);
}
