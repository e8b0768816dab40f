// Settings from the environment, read in one place. Every process (start script, web, worker,
// tests) derives the same values from the same variables.
import path from 'node:path';

export interface Settings {
	/** Where local state lives: embedded Postgres, Temporal's SQLite file, the dev key. */
	dataDir: string;
	databaseUrl: string | undefined;
	temporalAddress: string | undefined;
	temporalNamespace: string;
	taskQueue: string;
	/** Link target for "open in Temporal UI"; unset when the cluster's UI is unknown. */
	temporalUiUrl: string | undefined;
	port: number;
	/** URL schemes a Generic Git integration may use; `file` also allows local paths (tests). */
	gitAllowedSchemes: string[];
	/** Local repositories (absolute paths) allowed without `file`: the demo integration's own. */
	gitLocalRepositories: string[];
	/**
	 * Private, loopback and link-local addresses or networks (`10.1.0.0/16`, `127.0.0.1`) git may
	 * reach; every other such address is refused, so user-typed URLs cannot probe the inside.
	 */
	gitPrivateNetworks: string[];
	/** Repository URLs one person may have tested (before adding or editing) in a minute. */
	urlTestsPerMinute: number;
	/** Where bare copies of ingested repositories live. */
	gitMirrorDir: string;
	/** How many repositories of one integration ingest at once. */
	updateConcurrency: number;
	/**
	 * How long an ingest may go without a heartbeat before Temporal gives up on that attempt and
	 * retries it. Ingests heartbeat every second or so, git transfers included, so the default
	 * suits any size; tests lower it to exercise long fetches without huge repositories.
	 */
	ingestHeartbeatSeconds: number;
	/** How long a deleted integration's account stays blocked from being added again. */
	reAddCooldownHours: number;
	/** Rows per deletion batch: each batch commits alone, so readers never wait long. */
	deletionBatchSize: number;
	/** Whether TRIBUTARY_DELETION_BATCH set the size: then every batch is exactly that size. */
	deletionBatchSizeSet: boolean;
	/** How often a worker compares running operations with Temporal (see worker/lost-operations.ts). */
	lostOperationsCheckMs: number;
	/**
	 * Where GitHub.com integrations reach GitHub: its API, and the server its clone URLs name
	 * (a proxy in between, or a test server). GitHub Enterprise Server integrations name their own.
	 */
	githubApiUrl: string;
	githubUrl: string;
	/** Where gitlab.com integrations reach GitLab (its API is under /api/v4); self-managed ones name their own. */
	gitlabUrl: string;
	/** Where Bitbucket Cloud integrations reach its API (https://api.bitbucket.org/2.0); Data Center ones name their server. */
	bitbucketCloudApiUrl: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
	const dataDir = path.resolve(env.TRIBUTARY_DATA_DIR ?? '.data');
	return {
		dataDir,
		databaseUrl: env.DATABASE_URL || undefined,
		temporalAddress: env.TEMPORAL_ADDRESS || undefined,
		temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
		taskQueue: env.TEMPORAL_TASK_QUEUE || 'tributary',
		temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
		port: Number(env.PORT || 3000),
		gitAllowedSchemes: (env.TRIBUTARY_GIT_SCHEMES || 'https,ssh')
			.split(',')
			.map((scheme) => scheme.trim().toLowerCase())
			.filter(Boolean),
		gitLocalRepositories: (env.TRIBUTARY_GIT_LOCAL_REPOS || '')
			.split(path.delimiter)
			.filter(Boolean)
			.map((repository) => path.resolve(repository)),
		gitPrivateNetworks: (env.TRIBUTARY_GIT_PRIVATE_NETWORKS || '')
			.split(',')
			.map((network) => network.trim())
			.filter(Boolean),
		urlTestsPerMinute: Math.max(1, Number(env.TRIBUTARY_URL_TESTS_PER_MINUTE || 200)),
		gitMirrorDir: path.resolve(env.TRIBUTARY_GIT_MIRRORS ?? path.join(dataDir, 'git')),
		updateConcurrency: Math.max(1, Number(env.TRIBUTARY_UPDATE_CONCURRENCY || 4)),
		ingestHeartbeatSeconds: Math.max(2, Number(env.TRIBUTARY_INGEST_HEARTBEAT_SECONDS || 10)),
		reAddCooldownHours: Number(env.TRIBUTARY_READD_COOLDOWN_HOURS ?? 24),
		deletionBatchSize: Math.max(100, Number(env.TRIBUTARY_DELETION_BATCH || 20_000)),
		deletionBatchSizeSet: Boolean(env.TRIBUTARY_DELETION_BATCH),
		lostOperationsCheckMs: Math.max(1, Number(env.TRIBUTARY_LOST_OPERATIONS_CHECK_SECONDS || 60)) * 1000,
		githubApiUrl: (env.TRIBUTARY_GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
		githubUrl: (env.TRIBUTARY_GITHUB_URL || 'https://github.com').replace(/\/+$/, ''),
		gitlabUrl: (env.TRIBUTARY_GITLAB_URL || 'https://gitlab.com').replace(/\/+$/, ''),
		bitbucketCloudApiUrl: (env.TRIBUTARY_BITBUCKET_CLOUD_API_URL || 'https://api.bitbucket.org/2.0').replace(/\/+$/, '')
	};
}

export function requireSetting(name: string, value: string | undefined): string {
	if (!value) throw new Error(`${name} is not set: start Tributary with \`npm start\`, or set ${name}.`);
	return value;
}

/** Where the Temporal UI shows a workflow, up to its id; null when no UI is configured. */
export function workflowUrlBase(settings: Pick<Settings, 'temporalUiUrl' | 'temporalNamespace'>): string | null {
	return settings.temporalUiUrl ? `${settings.temporalUiUrl}/namespaces/${encodeURIComponent(settings.temporalNamespace)}/workflows/` : null;
}
