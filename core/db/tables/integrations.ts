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
