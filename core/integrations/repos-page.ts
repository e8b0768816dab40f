// The Repos page (SPEC F8): every repository of the organisation's integrations, imported or
// available to import, sorted, searched and paged on the server. Repositories of groups hidden
// from the Repos page (a group's "show in Repos page" off) are left out.
import { sql, type Expression, type Kysely } from 'kysely';
import { listItemFields } from './list-item.ts';
import type { Database } from '#core/db/database.ts';
import { pageWithin } from '#core/db/paging.ts';
import { repoStatusText } from '#core/domain/integrations/integration.ts';
import { providerKinds, providers, repoDataStatuses, type ProviderKind, type RepoDataStatus } from '#core/domain/integrations/providers.ts';
import { likePattern, shownLabel, shownText } from '#core/db/list-sorting.ts';
import type { ImportTab } from '#core/domain/integrations/import-tabs.ts';

const kindsWithPullRequests = providerKinds.filter((kind) => providers[kind].services.includes('pull-requests'));

/**
 * What each column sorts by: what it shows (a status's label), so the order is the one a person
 * reads. Empty values are null: never updated, no pull requests for kinds without them.
 */
export const repoSortColumns = {
	name: shownText(sql.ref('repos.name')),
	integration: shownText(sql.ref('integrations.name')),
	status: shownLabel(sql.ref('repos.data_status'), Object.fromEntries(repoDataStatuses.map((status) => [status, repoStatusText[status].label]))),
	updated: sql.ref('repos.last_updated_at'),
	commits: sql.ref('repos.commits_count'),
	pullRequests: sql`case when ${sql.ref('integrations.kind')} in (${sql.join(kindsWithPullRequests)}) then ${sql.ref('repos.pull_requests_count')} end`
} satisfies Record<string, Expression<unknown>>;
export type RepoSortColumn = keyof typeof repoSortColumns;

export interface RepoPageFilter {
	tab: ImportTab;
	text?: string;
	integrationId?: string;
	status?: RepoDataStatus;
	sort: RepoSortColumn;
	direction: 'asc' | 'desc';
	page: number;
	pageSize: number;
}

export interface RepoPageRow {
	id: string;
	name: string;
	url: string;
	integrationId: string;
	integrationName: string;
	integrationKind: ProviderKind;
	/** Its integration is being deleted: nothing about it can change any more. */
	integrationDeleting: boolean;
	imported: boolean;
	dataStatus: RepoDataStatus;
	statusDetail: string | null;
	lastUpdatedAt: string | null;
	commits: number;
	/** Null for kinds without pull requests. */
	pullRequests: number | null;
	progressDone: number;
	progressTotal: number;
	/** Which of two views of it is newer (a page load's or an event's). */
	revision: number;
}

/**
 * One page of the organisation's repositories on a tab; `page` says which page it is (past the
 * end: the last), `tabs` how many each tab holds under the same filters.
 */
export async function listReposPage(
	db: Kysely<Database>,
	organizationId: string,
	filter: RepoPageFilter
): Promise<{ repos: RepoPageRow[]; total: number; page: number; tabs: Record<ImportTab, number> }> {
	let base = db
		.selectFrom('repos')
		.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
		.leftJoin('groups', 'groups.id', 'repos.group_id')
		.where('repos.organization_id', '=', organizationId)
		.where('integrations.organization_id', '=', organizationId)
		.where((eb) => eb.or([eb('groups.id', 'is', null), eb('groups.show_in_repos', '=', true)]));
	if (filter.text) {
		const pattern = likePattern(filter.text);
		base = base.where((eb) => eb.or([eb('repos.name', 'ilike', pattern), eb('repos.url', 'ilike', pattern)]));
	}
	if (filter.integrationId) base = base.where('repos.integration_id', '=', filter.integrationId);
	if (filter.status) base = base.where('repos.data_status', '=', filter.status);

	const counts = await base
		.select((eb) => [eb.fn.countAll<string>().filterWhere('repos.imported', '=', true).as('imported'), eb.fn.countAll<string>().filterWhere('repos.imported', '=', false).as('available')])
		.executeTakeFirstOrThrow();
	const tabs: Record<ImportTab, number> = { imported: Number(counts.imported), available: Number(counts.available) };
	const total = tabs[filter.tab];
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await base
		.where('repos.imported', '=', filter.tab === 'imported')
		.select([
			'repos.id',
			'repos.name',
			'repos.url',
			'repos.integration_id',
			'integrations.name as integration_name',
			'integrations.kind as integration_kind',
			'integrations.data_status as integration_status',
			'repos.imported',
			'repos.data_status',
			'repos.status_detail',
			'repos.last_updated_at',
			'repos.commits_count',
			'repos.progress_done',
			'repos.progress_total',
			'repos.revision'
		])
		.select(repoSortColumns.pullRequests.$castTo<number | null>().as('pull_requests'))
		.orderBy(repoSortColumns[filter.sort], (order) => (filter.direction === 'asc' ? order.asc() : order.desc()).nullsLast())
		// Ties in name order, then by integration, and a row's place never changes between two loads.
		.orderBy(repoSortColumns.name)
		.orderBy(repoSortColumns.integration)
		.orderBy('repos.id')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	return {
		repos: rows.map((r) => ({
			id: r.id,
			name: r.name,
			url: r.url,
			...listItemFields(r),
			commits: r.commits_count,
			pullRequests: r.pull_requests === null ? null : Number(r.pull_requests)
		})),
		total,
		page,
		tabs
	};
}

/** The organisation's integrations that have repositories, for the page's integration filter. */
export async function integrationsWithRepos(db: Kysely<Database>, organizationId: string): Promise<Array<{ id: string; name: string }>> {
	return db
		.selectFrom('integrations')
		.select(['id', 'name'])
		.where('organization_id', '=', organizationId)
		.where('kind', 'in', providerKinds.filter((kind) => providers[kind].hasRepoData))
		.orderBy(sql`lower(name)`)
		.orderBy('id')
		.execute();
}
