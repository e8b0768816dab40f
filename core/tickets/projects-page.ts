// The Ticket projects page (SPEC F8) and a project's tickets: every ticket project of the
// organisation's integrations, imported or available to import, sorted, searched and paged on the
// server; a project's tickets with the pull requests that mention each (by key, in any of the
// organisation's integrations: pull_requests.ticket_keys).
import { sql, type Expression, type Kysely } from 'kysely';
import { listItemFields } from '#core/integrations/list-item.ts';
import type { Database } from '#core/db/database.ts';
import { likePattern, shownLabel, shownText } from '#core/db/list-sorting.ts';
import { pageWithin } from '#core/db/paging.ts';
import type { ImportTab } from '#core/domain/integrations/import-tabs.ts';
import { providerKinds, providers, repoDataStatuses, type ProviderKind, type RepoDataStatus } from '#core/domain/integrations/providers.ts';
import { effectiveTicketSettings, ticketProjectStatusText, type StatusCategory, type TicketProjectSummary } from '#core/domain/tickets/ticket-project.ts';
import { meaningOf } from '#core/domain/tickets/settings-change.ts';
import { toTicketProjectSummary } from './projects.ts';

/** What each column sorts by: what it shows. Empty values are null: never updated. */
export const ticketProjectSortColumns = {
	key: shownText(sql.ref('ticket_projects.key')),
	name: shownText(sql.ref('ticket_projects.name')),
	integration: shownText(sql.ref('integrations.name')),
	status: shownLabel(sql.ref('ticket_projects.data_status'), Object.fromEntries(repoDataStatuses.map((status) => [status, ticketProjectStatusText[status].label]))),
	updated: sql.ref('ticket_projects.last_updated_at'),
	tickets: sql.ref('ticket_projects.tickets_count')
} satisfies Record<string, Expression<unknown>>;
export type TicketProjectSortColumn = keyof typeof ticketProjectSortColumns;

export interface TicketProjectPageFilter {
	tab: ImportTab;
	text?: string;
	integrationId?: string;
	status?: RepoDataStatus;
	sort: TicketProjectSortColumn;
	direction: 'asc' | 'desc';
	page: number;
	pageSize: number;
}

export interface TicketProjectPageRow {
	id: string;
	key: string;
	name: string;
	url: string | null;
	integrationId: string;
	integrationName: string;
	integrationKind: ProviderKind;
	/** Its integration is being deleted: nothing about it can change any more. */
	integrationDeleting: boolean;
	imported: boolean;
	dataStatus: RepoDataStatus;
	statusDetail: string | null;
	lastUpdatedAt: string | null;
	tickets: number;
	progressDone: number;
	progressTotal: number;
	/** Which of two views of it is newer (a page load's or an event's). */
	revision: number;
}

/**
 * One page of the organisation's ticket projects on a tab; `page` says which page it is (past the
 * end: the last), `tabs` how many each tab holds under the same filters.
 */
export async function listTicketProjectsPage(
	db: Kysely<Database>,
	organizationId: string,
	filter: TicketProjectPageFilter
): Promise<{ projects: TicketProjectPageRow[]; total: number; page: number; tabs: Record<ImportTab, number> }> {
	let base = db
		.selectFrom('ticket_projects')
		.innerJoin('integrations', 'integrations.id', 'ticket_projects.integration_id')
		.where('ticket_projects.organization_id', '=', organizationId)
		.where('integrations.organization_id', '=', organizationId);
	if (filter.text) {
		const pattern = likePattern(filter.text);
		base = base.where((eb) => eb.or([eb('ticket_projects.key', 'ilike', pattern), eb('ticket_projects.name', 'ilike', pattern)]));
	}
	if (filter.integrationId) base = base.where('ticket_projects.integration_id', '=', filter.integrationId);
	if (filter.status) base = base.where('ticket_projects.data_status', '=', filter.status);

	const counts = await base
		.select((eb) => [
			eb.fn.countAll<string>().filterWhere('ticket_projects.imported', '=', true).as('imported'),
			eb.fn.countAll<string>().filterWhere('ticket_projects.imported', '=', false).as('available')
		])
		.executeTakeFirstOrThrow();
	const tabs: Record<ImportTab, number> = { imported: Number(counts.imported), available: Number(counts.available) };
	const total = tabs[filter.tab];
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await base
		.where('ticket_projects.imported', '=', filter.tab === 'imported')
		.select([
			'ticket_projects.id',
			'ticket_projects.key',
			'ticket_projects.name',
			'ticket_projects.url',
			'ticket_projects.integration_id',
			'integrations.name as integration_name',
			'integrations.kind as integration_kind',
			'integrations.data_status as integration_status',
			'ticket_projects.imported',
			'ticket_projects.data_status',
			'ticket_projects.status_detail',
			'ticket_projects.last_updated_at',
			'ticket_projects.tickets_count',
			'ticket_projects.progress_done',
			'ticket_projects.progress_total',
			'ticket_projects.revision'
		])
		.orderBy(ticketProjectSortColumns[filter.sort], (order) => (filter.direction === 'asc' ? order.asc() : order.desc()).nullsLast())
		// Ties by key, then by integration, and a row's place never changes between two loads.
		.orderBy(ticketProjectSortColumns.key)
		.orderBy(ticketProjectSortColumns.integration)
		.orderBy('ticket_projects.id')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	return {
		projects: rows.map((r) => ({
			id: r.id,
			key: r.key,
			name: r.name,
			url: r.url,
			...listItemFields(r),
			tickets: r.tickets_count
		})),
		total,
		page,
		tabs
	};
}

/** The organisation's integrations of ticket systems, for the page's integration filter. */
export async function integrationsWithTickets(db: Kysely<Database>, organizationId: string): Promise<Array<{ id: string; name: string }>> {
	return db
		.selectFrom('integrations')
		.select(['id', 'name'])
		.where('organization_id', '=', organizationId)
		.where('kind', 'in', providerKinds.filter((kind) => providers[kind].services.includes('tickets')))
		.orderBy(sql`lower(name)`)
		.orderBy('id')
		.execute();
}

/** A project's page: the project, and the integration it belongs to. */
export async function getTicketProject(
	db: Kysely<Database>,
	organizationId: string,
	projectId: string
): Promise<{ project: TicketProjectSummary; integration: { id: string; name: string; kind: ProviderKind } } | undefined> {
	const row = await db
		.selectFrom('ticket_projects')
		.innerJoin('integrations', 'integrations.id', 'ticket_projects.integration_id')
		.selectAll('ticket_projects')
		.select(['integrations.name as integration_name', 'integrations.kind as integration_kind'])
		.where('ticket_projects.organization_id', '=', organizationId)
		.where('integrations.organization_id', '=', organizationId)
		.where('ticket_projects.id', '=', projectId)
		.executeTakeFirst();
	if (!row) return undefined;
	const { integration_name: name, integration_kind: kind, ...project } = row;
	return { project: toTicketProjectSummary(project), integration: { id: project.integration_id, name, kind } };
}

export interface MentioningPullRequest {
	title: string;
	url: string;
	number: number;
	state: 'open' | 'closed' | 'merged';
	repo: string;
}

/**
 * The pull requests of the organisation that mention each of `keys` in their title or branch,
 * newest first, at most `perKey` each: per key, a lookup on the index of pull_requests.ticket_keys.
 */
export async function pullRequestsMentioning(db: Kysely<Database>, organizationId: string, keys: string[], perKey = 20): Promise<Map<string, MentioningPullRequest[]>> {
	const found = new Map<string, MentioningPullRequest[]>();
	if (keys.length === 0) return found;
	const { rows } = await sql<MentioningPullRequest & { key: string }>`
		select k.key, pr.title, pr.url, pr.number, pr.state, pr.repo
		from unnest(cast(${[...new Set(keys)]} as text[])) as k(key)
		cross join lateral (
			select p.title, p.url, p.number, p.state, p.created_at, r.name as repo
			from pull_requests p join repos r on r.id = p.repo_id
			where p.organization_id = ${organizationId} and r.organization_id = ${organizationId} and p.ticket_keys @> array[k.key]
			order by p.created_at desc, p.url
			limit ${perKey}
		) as pr
		order by k.key, pr.created_at desc, pr.url`.execute(db);
	for (const { key, ...pullRequest } of rows) found.set(key, [...(found.get(key) ?? []), pullRequest]);
	return found;
}

export interface TicketFilter {
	text?: string;
	/** What the status means under the project's settings. */
	category?: StatusCategory;
	page: number;
	pageSize: number;
}

export interface TicketRow {
	key: string;
	url: string;
	title: string;
	type: string;
	/** The type is one the project's settings count. */
	counted: boolean;
	status: string;
	/** What the status means under the project's settings. */
	category: StatusCategory;
	/** The provider's own category of the status. */
	providerCategory: string;
	priority: string | null;
	assignee: string | null;
	storyPoints: number | null;
	createdAt: string;
	updatedAt: string;
	resolvedAt: string | null;
	pullRequests: MentioningPullRequest[];
}

/** One page of a project's tickets, most recently updated first, each with the pull requests that mention it. */
export async function listProjectTickets(
	db: Kysely<Database>,
	organizationId: string,
	project: Pick<TicketProjectSummary, 'id' | 'workflow' | 'settings'>,
	filter: TicketFilter
): Promise<{ tickets: TicketRow[]; total: number; page: number }> {
	const settings = effectiveTicketSettings(project.workflow, project.settings);
	let base = db.selectFrom('tickets').where('tickets.organization_id', '=', organizationId).where('tickets.project_id', '=', project.id);
	if (filter.text) {
		const pattern = likePattern(filter.text);
		base = base.where((eb) => eb.or([eb('tickets.key', 'ilike', pattern), eb('tickets.title', 'ilike', pattern)]));
	}
	const isIn = (names: string[]) => sql<boolean>`${sql.ref('tickets.status')} = any(cast(${names} as text[]))`;
	if (filter.category === 'done') base = base.where(isIn(settings.done));
	else if (filter.category === 'in-progress') base = base.where(isIn(settings.inProgress)).where(sql<boolean>`not ${isIn(settings.done)}`);
	else if (filter.category === 'to-do') base = base.where(sql<boolean>`not ${isIn([...settings.inProgress, ...settings.done])}`);

	const { n: total } = await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await base
		.selectAll('tickets')
		.orderBy('tickets.updated_at', 'desc')
		.orderBy('tickets.key')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	const pullRequests = await pullRequestsMentioning(db, organizationId, rows.map((r) => r.key));
	return {
		tickets: rows.map((r) => ({
			key: r.key,
			url: r.url,
			title: r.title,
			type: r.type,
			counted: settings.types.includes(r.type),
			status: r.status,
			category: meaningOf(settings, r.status),
			providerCategory: r.status_category,
			priority: r.priority,
			assignee: r.assignee,
			storyPoints: r.story_points,
			createdAt: r.created_at.toISOString(),
			updatedAt: r.updated_at.toISOString(),
			resolvedAt: r.resolved_at?.toISOString() ?? null,
			pullRequests: pullRequests.get(r.key) ?? []
		})),
		total,
		page
	};
}
