// Queries on integrations and repos. Every function takes the organisation: nothing crosses it.
import { sql, type Expression, type Kysely, type Transaction } from 'kysely';
import { deploymentSourceText, integrationStatusText, type IntegrationSummary, type RepoSummary } from '#core/domain/integrations/integration.ts';
import { integrationDataStatuses, providerKinds, providers, type IntegrationDataStatus, type ProviderKind } from '#core/domain/integrations/providers.ts';
import type { Database } from '#core/db/database.ts';
import type { RepoRow } from '#core/db/tables/integrations.ts';
import { deletionTables, type DataCounts } from '#core/domain/integrations/data-kinds.ts';
import { pageWithin } from '#core/db/paging.ts';
import { likePattern, shownLabel, shownText } from '#core/db/list-sorting.ts';

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
	'integrations.version',
	'integrations.revision',
	'integrations.base_url',
	'integrations.credentials_expire_at',
	'integrations.quota'
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
		)
		.select((eb) =>
			eb
				.selectFrom('ticket_projects')
				.select(sql<number>`count(*)::int`.as('n'))
				.whereRef('ticket_projects.integration_id', '=', 'integrations.id')
				.as('ticket_project_count')
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
		ticketProjectCount: row.ticket_project_count ?? 0,
		version: row.version,
		revision: Number(row.revision),
		baseUrl: row.base_url,
		credentialsExpireAt: row.credentials_expire_at?.toISOString() ?? null,
		quota: row.quota ? { limit: row.quota.limit, remaining: row.quota.remaining, resetAt: row.quota.resetAt } : null
	};
}

const labelOf = (column: 'integrations.kind' | 'integrations.data_status', labels: Record<string, string>) => shownLabel(sql.ref(column), labels);
const kindsWithRepoData = providerKinds.filter((kind) => providers[kind].hasRepoData);
const kindsWithTickets = providerKinds.filter((kind) => providers[kind].services.includes('tickets'));
/** The count of `table`'s rows of the integration, where its kind has them (the table shows it), else 0. */
const shownCount = (table: 'repos' | 'ticket_projects', kinds: ProviderKind[]) =>
	sql<number>`case when ${sql.ref('integrations.kind')} in (${sql.join(kinds)}) then (select count(*) from ${sql.table(table)} where ${sql.ref(`${table}.integration_id`)} = ${sql.ref('integrations.id')}) else 0 end`;

/**
 * What each column of the integrations table sorts by: what it shows (a provider's label, a
 * status's label), so the order is the one a person reads. Empty values are null: "Never"
 * updated, no services, no deployment source (providers without repository data).
 */
export const sortColumns = {
	name: shownText(sql.ref('integrations.name')),
	provider: labelOf('integrations.kind', Object.fromEntries(providerKinds.map((kind) => [kind, providers[kind].label]))),
	services: shownText(
		sql`(select string_agg(service, ', ' order by position) from jsonb_array_elements_text(${sql.ref('integrations.services')}) with ordinality as s(service, position))`
	),
	deployment: shownText(
		sql`case when ${sql.ref('integrations.kind')} in (${sql.join(kindsWithRepoData)}) then case when ${sql.ref('integrations.deployments_from_tags')} then ${deploymentSourceText.tags} else ${deploymentSourceText.off} end end`
	),
	addedBy: shownText(sql.ref('integrations.added_by_email')),
	status: labelOf('integrations.data_status', Object.fromEntries(integrationDataStatuses.map((status) => [status, integrationStatusText[status].label]))),
	updated: sql.ref('integrations.last_updated_at'),
	/** Its repos and ticket projects, as many as the column shows (a kind without either shows none). */
	repos: sql<number>`${shownCount('repos', kindsWithRepoData)} + ${shownCount('ticket_projects', kindsWithTickets)}`
} satisfies Record<string, Expression<unknown>>;
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

/**
 * One page of the organisation's integrations. A page past the end shows the last one (a page
 * left open while integrations were deleted); `page` says which page this is.
 */
export async function listIntegrations(
	db: Kysely<Database>,
	organizationId: string,
	filter: IntegrationFilter
): Promise<{ integrations: IntegrationSummary[]; total: number; page: number }> {
	let query = summaryQuery(db).where('integrations.organization_id', '=', organizationId);
	let count = db
		.selectFrom('integrations')
		.select(sql<number>`count(*)::int`.as('n'))
		.where('organization_id', '=', organizationId);
	if (filter.text) {
		const pattern = likePattern(filter.text);
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
	const { n: total } = await count.executeTakeFirstOrThrow();
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await query
		.orderBy(sortColumns[filter.sort], (order) => (filter.direction === 'asc' ? order.asc() : order.desc()).nullsLast())
		// Ties in name order, and a row's place never changes between two page loads.
		.orderBy(sortColumns.name)
		.orderBy('integrations.id')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	return { integrations: rows.map(toSummary), total, page };
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
		providerId: row.provider_id,
		imported: row.imported,
		dataStatus: row.data_status,
		statusDetail: row.status_detail,
		lastUpdatedAt: row.last_updated_at?.toISOString() ?? null,
		commits: row.commits_count,
		tags: row.tags_count,
		progressDone: row.progress_done,
		progressTotal: row.progress_total,
		pullRequests: row.pull_requests_count,
		pullRequestsDetail: row.pull_requests_detail,
		revision: Number(row.revision)
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

/** An integration's provider settings (not in its summary: a CA certificate is kilobytes, and only its edit form needs them). */
export async function getIntegrationSettings(db: Kysely<Database>, organizationId: string, id: string): Promise<Record<string, unknown>> {
	const row = await db.selectFrom('integrations').select('settings').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
	return row?.settings ?? {};
}

/** What deleting these integrations would remove, per kind of data. */
export async function countIntegrationData(db: Kysely<Database>, organizationId: string, integrationIds: string[]): Promise<DataCounts> {
	const counts = await Promise.all(
		deletionTables.map(async (table) => {
			if (integrationIds.length === 0) return 0;
			const row = await db
				.selectFrom(table)
				.select(sql<number>`count(*)::int`.as('n'))
				.where('organization_id', '=', organizationId)
				.where('integration_id', 'in', integrationIds)
				.executeTakeFirstOrThrow();
			return row.n;
		})
	);
	return Object.fromEntries(deletionTables.map((table, index) => [table, counts[index]!])) as DataCounts;
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
