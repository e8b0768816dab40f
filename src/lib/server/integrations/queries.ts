// Queries on integrations and repos. Every function takes the organisation: nothing crosses it.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { IntegrationSummary, RepoSummary } from '#lib/integrations/integration.ts';
import type { IntegrationDataStatus, ProviderKind } from '#lib/integrations/providers.ts';
import type { Database } from '#lib/server/db/database.ts';
import type { RepoRow } from '#lib/server/db/tables/integrations.ts';

const summaryColumns = [
	'integrations.id',
	'integrations.organization_id',
	'integrations.kind',
	'integrations.name',
	'integrations.auth_method',
	'integrations.credential_summary',
	'integrations.services',
	'integrations.deployments_from_tags',
	'integrations.data_status',
	'integrations.status_detail',
	'integrations.last_updated_at',
	'integrations.added_by_email',
	'integrations.created_at',
	'integrations.version'
] as const;

/** Every integration's summary, before any filter: callers narrow it to one organisation or one id. */
function summaryQuery(db: Kysely<Database>) {
	return db
		.selectFrom('integrations')
		.select(summaryColumns)
		.select((eb) =>
			eb
				.selectFrom('repos')
				.select(sql<number>`count(*)::int`.as('n'))
				.whereRef('repos.integration_id', '=', 'integrations.id')
				.as('repo_count')
		);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['executeTakeFirstOrThrow']>>;

function toSummary(row: SummaryRow): IntegrationSummary {
	return {
		id: row.id,
		organizationId: row.organization_id,
		kind: row.kind,
		name: row.name,
		authMethod: row.auth_method,
		credentialSummary: row.credential_summary,
		services: row.services,
		deploymentsFromTags: row.deployments_from_tags,
		dataStatus: row.data_status,
		statusDetail: row.status_detail,
		lastUpdatedAt: row.last_updated_at?.toISOString() ?? null,
		addedBy: row.added_by_email,
		createdAt: row.created_at.toISOString(),
		repoCount: row.repo_count ?? 0,
		version: row.version
	};
}

export const sortColumns = {
	name: 'integrations.name',
	provider: 'integrations.kind',
	services: 'integrations.services',
	deployment: 'integrations.deployments_from_tags',
	addedBy: 'integrations.added_by_email',
	status: 'integrations.data_status',
	updated: 'integrations.last_updated_at',
	repos: 'repo_count'
} as const;
export type SortColumn = keyof typeof sortColumns;

export interface IntegrationFilter {
	text?: string;
	provider?: ProviderKind;
	status?: IntegrationDataStatus;
	sort: SortColumn;
	direction: 'asc' | 'desc';
	page: number;
	pageSize: number;
}

export async function listIntegrations(
	db: Kysely<Database>,
	organizationId: string,
	filter: IntegrationFilter
): Promise<{ integrations: IntegrationSummary[]; total: number }> {
	let query = summaryQuery(db).where('integrations.organization_id', '=', organizationId);
	let count = db
		.selectFrom('integrations')
		.select(sql<number>`count(*)::int`.as('n'))
		.where('organization_id', '=', organizationId);
	if (filter.text) {
		const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) => eb.or([eb('integrations.name', 'ilike', pattern), eb('integrations.added_by_email', 'ilike', pattern)]));
		count = count.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('added_by_email', 'ilike', pattern)]));
	}
	if (filter.provider) {
		query = query.where('integrations.kind', '=', filter.provider);
		count = count.where('kind', '=', filter.provider);
	}
	if (filter.status) {
		query = query.where('integrations.data_status', '=', filter.status);
		count = count.where('data_status', '=', filter.status);
	}
	const order = sql.raw(`${sortColumns[filter.sort]} ${filter.direction} nulls last`);
	const rows = await query
		.orderBy(order)
		.orderBy('integrations.id')
		.limit(filter.pageSize)
		.offset((filter.page - 1) * filter.pageSize)
		.execute();
	const { n } = await count.executeTakeFirstOrThrow();
	return { integrations: rows.map(toSummary), total: n };
}

export async function getIntegration(db: Kysely<Database>, organizationId: string, id: string): Promise<IntegrationSummary | undefined> {
	const row = await summaryQuery(db).where('integrations.organization_id', '=', organizationId).where('integrations.id', '=', id).executeTakeFirst();
	return row && toSummary(row);
}

/** For activities, which know only the id. */
export async function getIntegrationById(db: Kysely<Database>, id: string): Promise<IntegrationSummary | undefined> {
	const row = await summaryQuery(db).where('integrations.id', '=', id).executeTakeFirst();
	return row && toSummary(row);
}

export function toRepoSummary(row: RepoRow): RepoSummary {
	return {
		id: row.id,
		integrationId: row.integration_id,
		organizationId: row.organization_id,
		name: row.name,
		url: row.url,
		imported: row.imported,
		dataStatus: row.data_status,
		statusDetail: row.status_detail,
		lastUpdatedAt: row.last_updated_at?.toISOString() ?? null,
		commits: row.commits_count,
		tags: row.tags_count,
		progressDone: row.progress_done,
		progressTotal: row.progress_total
	};
}

export async function listRepos(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<RepoSummary[]> {
	const rows = await db
		.selectFrom('repos')
		.selectAll()
		.where('organization_id', '=', organizationId)
		.where('integration_id', '=', integrationId)
		.orderBy('name')
		.execute();
	return rows.map(toRepoSummary);
}

/** What deleting these integrations would remove, per kind of data. */
export async function countIntegrationData(db: Kysely<Database>, organizationId: string, integrationIds: string[]) {
	if (integrationIds.length === 0) return { repos: 0, commits: 0, files: 0, tags: 0, deployments: 0, metrics: 0 };
	const count = async (table: 'repos' | 'commits' | 'commit_files' | 'tags' | 'deployments' | 'repo_daily_metrics') =>
		(
			await db
				.selectFrom(table)
				.select(sql<number>`count(*)::int`.as('n'))
				.where('organization_id', '=', organizationId)
				.where('integration_id', 'in', integrationIds)
				.executeTakeFirstOrThrow()
		).n;
	const [repos, commits, files, tags, deployments, metrics] = await Promise.all([
		count('repos'),
		count('commits'),
		count('commit_files'),
		count('tags'),
		count('deployments'),
		count('repo_daily_metrics')
	]);
	return { repos, commits, files, tags, deployments, metrics };
}

/** Sets the data status, except on an integration being deleted: that status is final. */
export async function setIntegrationStatus(
	db: Kysely<Database>,
	id: string,
	status: IntegrationDataStatus,
	detail: string | null,
	lastUpdatedAt?: Date
): Promise<void> {
	await db
		.updateTable('integrations')
		.set({ data_status: status, status_detail: detail, ...(lastUpdatedAt ? { last_updated_at: lastUpdatedAt } : {}) })
		.where('id', '=', id)
		.where('data_status', '!=', 'deleting')
		.execute();
}

/**
 * For a transaction about to write an integration's data: holds the integration's row until it
 * commits, so a deletion cannot begin meanwhile (marking it "deleting" waits for this), and says
 * whether writing may go ahead. A deletion reads each table once, front to back; a row written
 * behind it after it began would be left behind.
 */
export async function holdForWriting(trx: Transaction<Database>, id: string): Promise<boolean> {
	const row = await trx.selectFrom('integrations').select('data_status').where('id', '=', id).forShare().executeTakeFirst();
	return row !== undefined && row.data_status !== 'deleting';
}

export async function isBeingDeleted(db: Kysely<Database>, id: string): Promise<boolean> {
	const row = await db.selectFrom('integrations').select('data_status').where('id', '=', id).executeTakeFirst();
	return !row || row.data_status === 'deleting';
}
