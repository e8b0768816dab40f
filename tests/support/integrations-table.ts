// Integrations for the integrations table's tests: every column varied, with empty values (never
// updated, no services, no deployment source), names that look like LIKE patterns, and mixed
// case; and the order the table must show them in, computed here from what each column shows.
import type { Kysely } from 'kysely';
import { deploymentSourceLabel, integrationStatusText } from '#core/domain/integrations/integration.ts';
import { integrationDataStatuses, providers, type IntegrationDataStatus, type ProviderKind, type Service } from '#core/domain/integrations/providers.ts';
import type { Database } from '#core/db/database.ts';
import type { SortColumn } from '#core/integrations/queries.ts';

export interface TableRow {
	id: string;
	name: string;
	kind: ProviderKind;
	services: Service[];
	deploymentsFromTags: boolean;
	addedBy: string;
	status: IntegrationDataStatus;
	lastUpdatedAt: Date | null;
	repos: number;
	/** Ticket projects (only kinds with tickets get some, and only when asked for). */
	ticketProjects: number;
}

const words = ['alpha', 'Bravo', 'charlie', 'Delta', 'echo', 'Foxtrot', 'golf', 'Hotel', 'india', 'Juliett', 'kilo', 'Lima', 'mike', 'November', 'oscar'];
/** Names a search must take literally: `%`, `_` and `\` are characters here, not wildcards. */
export const patternNames = ['100% coverage', '100 percent', 'snake_case', 'snakeXcase', 'back\\slash', 'backslash'];
const kinds: ProviderKind[] = ['generic-git', 'github', 'jira-cloud', 'gitlab', 'azure-devops', 'bitbucket-cloud', 'jira-data-center'];
const serviceSets: Service[][] = [['repos'], ['repos', 'pull-requests'], [], ['tickets'], ['repos', 'pull-requests', 'tickets']];
const emails = ['amy@acme.example', 'Zed@acme.example', 'bob.smith@acme.example', 'bob@acme.example', 'carol@acme.example'];

/**
 * `count` integrations named `${prefix} …` in the organisation (plus the pattern names, prefixed
 * too), with 0–3 repos each, and with `ticketProjects`, 0–2 ticket projects each of the kinds with
 * tickets. Deterministic: the same call makes the same rows but for their ids.
 */
export async function addTableIntegrations(
	db: Kysely<Database>,
	organizationId: string,
	prefix: string,
	count: number,
	options: { ticketProjects?: boolean } = {}
): Promise<TableRow[]> {
	const rows: TableRow[] = [];
	const names = [...patternNames, ...Array.from({ length: Math.max(0, count - patternNames.length) }, (_, i) => `${words[i % words.length]} ${Math.floor(i / words.length)}`)];
	for (const [i, suffix] of names.entries()) {
		const kind = kinds[i % kinds.length]!;
		const row = {
			name: `${prefix} ${suffix}`,
			kind,
			services: serviceSets[(i * 3) % serviceSets.length]!,
			deploymentsFromTags: i % 3 === 0,
			addedBy: emails[(i * 7) % emails.length]!,
			status: integrationDataStatuses[(i * 5) % integrationDataStatuses.length]!,
			// Every fourth was never updated: "Never", an empty value.
			lastUpdatedAt: i % 4 === 1 ? null : new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 1000) * 3_600_000),
			repos: (i * 11) % 4,
			ticketProjects: options.ticketProjects && providers[kind].services.includes('tickets') ? (i * 5) % 3 : 0
		};
		const { id } = await db
			.insertInto('integrations')
			.values({
				organization_id: organizationId,
				kind: row.kind,
				name: row.name,
				auth_method: 'none',
				credential_summary: 'No credentials: public repositories',
				services: JSON.stringify(row.services),
				deployments_from_tags: row.deploymentsFromTags,
				data_status: row.status,
				status_detail: null,
				last_updated_at: row.lastUpdatedAt,
				added_by_email: row.addedBy
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		if (row.repos > 0) {
			await db
				.insertInto('repos')
				.values(
					Array.from({ length: row.repos }, (_, r) => ({
						organization_id: organizationId,
						integration_id: id,
						url: `https://git.example/${id}/${r}.git`,
						provider_id: `https://git.example/${id}/${r}.git`,
						name: `repo-${r}`,
						status_detail: null,
						last_updated_at: null,
						cursor: null
					}))
				)
				.execute();
		}
		if (row.ticketProjects > 0) {
			await db
				.insertInto('ticket_projects')
				.values(
					Array.from({ length: row.ticketProjects }, (_, p) => ({
						organization_id: organizationId,
						integration_id: id,
						provider_id: String(p),
						key: `P${p}`,
						name: `Project ${p}`,
						url: null,
						status_detail: null,
						last_updated_at: null,
						update_operation_id: null
					}))
				)
				.execute();
		}
		rows.push({ id, ...row });
	}
	return rows;
}

type Key = string | number | null;

/** What a column shows, as the table sorts it: text without regard to case; empty is null. */
export const sortKeys: Record<SortColumn, (row: TableRow) => Key> = {
	name: (row) => row.name.toLowerCase(),
	provider: (row) => providers[row.kind].label.toLowerCase(),
	services: (row) => row.services.join(', ') || null,
	deployment: (row) => deploymentSourceLabel(row.kind, row.deploymentsFromTags).toLowerCase() || null,
	addedBy: (row) => row.addedBy.toLowerCase(),
	status: (row) => integrationStatusText[row.status].label.toLowerCase(),
	updated: (row) => row.lastUpdatedAt?.getTime() ?? null,
	// What the column shows: repos for kinds with repository data, ticket projects for ticket systems.
	repos: (row) => (providers[row.kind].hasRepoData ? row.repos : 0) + (providers[row.kind].services.includes('tickets') ? row.ticketProjects : 0)
};

function compare(a: Key, b: Key): number {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	return a! < b! ? -1 : a! > b! ? 1 : 0;
}

/** The order the table must show: by the column, empty values last either way; ties by name, then id. */
export function expectedOrder(rows: TableRow[], column: SortColumn, direction: 'asc' | 'desc'): TableRow[] {
	const key = sortKeys[column];
	return [...rows].sort((a, b) => {
		const [ka, kb] = [key(a), key(b)];
		if (ka === null || kb === null) {
			if (ka !== kb) return ka === null ? 1 : -1;
		} else {
			const byColumn = compare(ka, kb);
			if (byColumn !== 0) return direction === 'asc' ? byColumn : -byColumn;
		}
		return compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.id, b.id);
	});
}
