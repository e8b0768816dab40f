// P2 for Bitbucket (provider-ingest.ts), Cloud and Data Center: 3 repositories × 1,000 pull
// requests with their comments, approvals and change requests on the simulator's Bitbucket, reached
// over HTTP. Cloud reads two lists per pull request (comments and activity), Data Center one.
import { readSettings } from '#core/config.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { ingestWithSession as ingestCloud } from '#core/providers/bitbucket-cloud/pull-requests.ts';
import { openCloudSession } from '#core/providers/bitbucket-cloud/session.ts';
import { ingestWithSession as ingestServer } from '#core/providers/bitbucket-data-center/pull-requests.ts';
import { openDataCenterSession } from '#core/providers/bitbucket-data-center/session.ts';
import type { EngineAddresses } from '../../tests/support/system.ts';
import type { P2Options } from './github-pull-requests.ts';
import { benchProviderIngest } from './provider-ingest.ts';

const defaults: P2Options = { repos: 3, pullRequestsPerRepo: 1_000, runs: 3 };
const unlimited = { limit: 10_000_000, remaining: 10_000_000, resetInSeconds: 3600 };
const settings = () => ({ ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] });

export function benchBitbucketCloudPullRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	return benchProviderIngest(
		engines,
		{
			line: 'bitbucket-cloud-pull-requests-vs-raw-fetch',
			provider: 'bitbucket-cloud',
			items: 'pull requests',
			unit: 'prs/s',
			env: (simulator) => ({ TRIBUTARY_BITBUCKET_CLOUD_API_URL: simulator.bitbucketCloud.api }),
			unlimit: (simulator) => simulator.control.setRateLimit({ token: simulator.bitbucketCloud.credentials.apiTokens.full, ...unlimited }).then(() => {}),
			add: async (db, user, simulator) => {
				const { email, credentials } = simulator.bitbucketCloud;
				const integration = await createIntegration(
					db,
					user,
					'bitbucket-cloud',
					{ name: 'P2 Bitbucket Cloud', authMethod: 'api-token', credentials: { method: 'api-token', email, token: credentials.apiTokens.full }, baseUrl: null, settings: { autoImportAll: true }, repositories: [], deploymentsFromTags: false },
					'P2 token'
				);
				await db.updateTable('integrations').set({ services: JSON.stringify(['pull-requests']) }).where('id', '=', integration.id).execute();
				return integration.id;
			},
			expected: async (simulator, names) => (await simulator.control.bitbucketCloud.stats()).repositories.filter((r) => names.includes(r.repository)).reduce((n, r) => n + r.pullRequests, 0),
			ingest: (simulator, run) => {
				const { email, credentials, api } = simulator.bitbucketCloud;
				return ingestCloud(openCloudSession({ method: 'api-token', email, token: credentials.apiTokens.full }, { ...settings(), bitbucketCloudApiUrl: api }), run);
			}
		},
		{ ...defaults, ...overrides }
	);
}

export function benchBitbucketDataCenterPullRequests(engines: EngineAddresses, overrides: Partial<P2Options> = {}): Promise<string[]> {
	return benchProviderIngest(
		engines,
		{
			line: 'bitbucket-data-center-pull-requests-vs-raw-fetch',
			provider: 'bitbucket-dc',
			items: 'pull requests',
			unit: 'prs/s',
			unlimit: (simulator) => simulator.control.setRateLimit({ token: simulator.bitbucketDataCenter.tokens.full, ...unlimited }).then(() => {}),
			add: async (db, user, simulator) => {
				const { http, tokens, username } = simulator.bitbucketDataCenter;
				const integration = await createIntegration(
					db,
					user,
					'bitbucket-data-center',
					{
						name: 'P2 Bitbucket Data Center',
						authMethod: 'personal-access-token',
						credentials: { method: 'personal-access-token', token: tokens.full, username },
						baseUrl: http,
						settings: { autoImportAll: true },
						repositories: [],
						deploymentsFromTags: false
					},
					'P2 token'
				);
				await db.updateTable('integrations').set({ services: JSON.stringify(['pull-requests']) }).where('id', '=', integration.id).execute();
				return integration.id;
			},
			expected: async (simulator, names) => (await simulator.control.bitbucketDataCenter.stats()).repositories.filter((r) => names.includes(r.repository)).reduce((n, r) => n + r.pullRequests, 0),
			ingest: (simulator, run) => {
				const { http, tokens, username } = simulator.bitbucketDataCenter;
				return ingestServer(openDataCenterSession({ baseUrl: http, settings: {}, credentials: { method: 'personal-access-token', token: tokens.full, username } }, settings()), run);
			}
		},
		{ ...defaults, ...overrides }
	);
}
