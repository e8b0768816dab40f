import type { ColumnType, Generated, Selectable } from 'kysely';
import type { AuthMethod, IntegrationDataStatus, ProviderKind, RepoDataStatus, Service } from '#core/domain/integrations/providers.ts';

export interface IntegrationsTable {
	id: Generated<string>;
	organization_id: string;
	kind: ProviderKind;
	name: string;
	auth_method: AuthMethod;
	/** AES-256-GCM; decrypted only inside activities. */
	credentials: Buffer | null;
	/** What the UI may show about the credentials: whose account, which method. Never the secret. */
	credential_summary: string;
	services: ColumnType<Service[], string, string>;
	deployments_from_tags: Generated<boolean>;
	data_status: Generated<IntegrationDataStatus>;
	status_detail: string | null;
	last_updated_at: Date | null;
	added_by_id: string | null;
	added_by_email: string;
	created_at: ColumnType<Date, never, never>;
	version: Generated<number>;
	/** Bumped by a trigger on every change to the row: which of two views of it is newer. */
	revision: ColumnType<string, never, never>;
	/** A self-hosted server's address (GitHub Enterprise Server, GitLab self-managed…); null for cloud kinds. */
	base_url: string | null;
	/** The provider's own settings (for example a custom CA certificate); never a secret. */
	settings: ColumnType<Record<string, unknown>, string | undefined, string>;
	/** When the credentials stop working, as the provider last said (a token's expiry); null: never, or unknown. */
	credentials_expire_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	/** The random id in its webhook URL; null until a secret is created. */
	webhook_endpoint: string | null;
	/** Sealed like credentials; opened by the web process only to verify a delivery's signature. */
	webhook_secret: Buffer | null;
	webhook_secret_set_at: Date | null;
	/** The provider's API quota as its last answer reported it; null before any. */
	quota: ColumnType<StoredQuota | null, string | null | undefined, string | null>;
}

/** An API quota as stored: `resetAt` and `seenAt` are ISO times. */
export interface StoredQuota {
	limit: number;
	remaining: number;
	resetAt: string;
	seenAt: string;
}


export interface WebhookDeliveriesTable {
	organization_id: string;
	integration_id: string;
	/** The provider's id of the delivery (GitHub: X-GitHub-Delivery); a replay repeats it. */
	delivery_id: string;
	event: string;
	action: string | null;
	/** What came of it, in words: "update of api started", "signature accepted, nothing to do"… */
	result: string;
	received_at: ColumnType<Date, never, never>;
}

/** A provider's container of repositories: a GitHub organisation, a GitLab group, a Bitbucket workspace. */
export interface GroupsTable {
	id: Generated<string>;
	organization_id: string;
	integration_id: string;
	provider_id: string;
	name: string;
	url: string | null;
	/** New repositories found in it are imported by Refresh. */
	auto_import: Generated<boolean>;
	show_in_repos: Generated<boolean>;
	created_at: ColumnType<Date, never, never>;
}

export interface ReposTable {
	id: Generated<string>;
	organization_id: string;
	integration_id: string;
	url: string;
	name: string;
	imported: Generated<boolean>;
	data_status: Generated<RepoDataStatus>;
	status_detail: string | null;
	last_updated_at: Date | null;
	commits_count: Generated<number>;
	tags_count: Generated<number>;
	/** Commits left out because they cannot be stored (see the repo's status detail for why). */
	skipped_commits: Generated<number>;
	progress_done: Generated<number>;
	progress_total: Generated<number>;
	cursor: ColumnType<Record<string, string> | null, string | null, string | null>;
	created_at: ColumnType<Date, never, never>;
	/** The provider's id of the repository within the integration; Generic Git's is its URL. */
	provider_id: string;
	group_id: string | null;
	archived: Generated<boolean>;
	fork: Generated<boolean>;
	/** Where pull request ingest stands (core/providers/pull-requests.ts); null before the first. */
	pull_requests_cursor: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
	pull_requests_count: Generated<number>;
	/** The running update's pull requests stored, of about this many to fetch. */
	pull_requests_done: Generated<number>;
	pull_requests_total: Generated<number>;
	/** How the last pull request ingest went, in words (rate limited until…, failed because…). */
	pull_requests_detail: string | null;
	/** The update that planned it last: that update's bars count only its own repositories. */
	update_operation_id: string | null;
	/** Bumped by a trigger on every change to the row: which of two views of it is newer. */
	revision: ColumnType<string, never, never>;
}

interface IntegrationData {
	organization_id: string;
	integration_id: string;
	repo_id: string;
}

export interface CommitsTable extends IntegrationData {
	sha: string;
	parents: string[];
	author_name: string;
	author_email: string;
	authored_at: Date;
	committer_name: string;
	committer_email: string;
	committed_at: Date;
	subject: string;
	additions: number;
	deletions: number;
	files_changed: number;
}

export interface CommitFilesTable extends IntegrationData {
	sha: string;
	path: string;
	additions: number;
	deletions: number;
}

export interface TagsTable extends IntegrationData {
	/** Bytes of the name that are not UTF-8 appear as \xNN. */
	name: string;
	/** What the tag points at, peeled: a commit, or for a tag of a tree or blob, that object. */
	sha: string;
	tagged_at: Date | null;
}

export interface DeploymentsTable extends IntegrationData {
	tag_name: string;
	sha: string;
	deployed_at: Date;
}

export interface RepoDailyMetricsTable extends IntegrationData {
	day: ColumnType<string, string, string>;
	commits: number;
	additions: number;
	deletions: number;
	deployments: number;
}

export interface RemovedAccountsTable {
	organization_id: string;
	account: string;
	integration_id: string;
	integration_name: string;
	removed_at: ColumnType<Date, Date | undefined, Date>;
}

export type IntegrationRow = Selectable<IntegrationsTable>;
export type RepoRow = Selectable<ReposTable>;

/** Repository URLs tested for a person in one request (limits in url-test-limits.ts). */
export interface UrlTestsTable {
	id: Generated<string>;
	user_id: string;
	urls: number;
	tested_at: ColumnType<Date, never, never>;
}

export interface PullRequestsTable extends IntegrationData {
	provider_id: string;
	number: number;
	title: string;
	state: 'open' | 'closed' | 'merged';
	draft: boolean;
	/** The author's login; null for a deleted account. */
	author: string | null;
	url: string;
	base_ref: string;
	head_ref: string;
	head_sha: string | null;
	merge_commit_sha: string | null;
	additions: number | null;
	deletions: number | null;
	created_at: Date;
	updated_at: Date;
	first_review_at: Date | null;
	merged_at: Date | null;
	closed_at: Date | null;
	/** Ticket keys its title and branch mention (generated by Postgres: migrations/…_tickets.ts). */
	ticket_keys: ColumnType<string[], never, never>;
}

/** A review, review comment or conversation comment of a pull request. */
export interface PullRequestActivityTable extends IntegrationData {
	provider_id: string;
	pull_request_provider_id: string;
	author: string | null;
	state: string | null;
	created_at: Date;
	updated_at: Date | null;
}
