// SPEC F6.2: the integrations table sorts by every column (both ways, empty values last), searches
// text literally, filters by provider and status, and pages on the server: its query, on a real
// PostgreSQL, against the order computed from what each column shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../src/lib/server/accounts/organizations.ts';
import { listIntegrations, sortColumns, type IntegrationFilter, type SortColumn } from '#core/integrations/queries.ts';
import { addTableIntegrations, expectedOrder, type TableRow } from '../support/integrations-table.ts';
import { createTestSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let organizationId: string;
let rows: TableRow[];
const pageSize = 7;

beforeAll(async () => {
	system = await createTestSystem();
	const { db } = system.database;
	organizationId = (await createOrganization(db, 'Table')).id;
	rows = await addTableIntegrations(db, organizationId, 'Table', 30, { ticketProjects: true });
	// Another organisation's integrations match every search below: none may show.
	const other = await createOrganization(db, 'Other');
	await addTableIntegrations(db, other.id, 'Table', 10);
});
afterAll(() => system?.stop());

type Query = Partial<Omit<IntegrationFilter, 'page' | 'pageSize'>>;

/** Every page of a query, in order, with the total each page reported. */
async function allPages(query: Query): Promise<{ names: string[]; totals: number[]; pages: number }> {
	const names: string[] = [];
	const totals: number[] = [];
	for (let page = 1; ; page++) {
		const result = await listIntegrations(system.database.db, organizationId, { sort: 'name', direction: 'asc', ...query, page, pageSize });
		expect(result.page).toBe(page);
		names.push(...result.integrations.map((i) => i.name));
		totals.push(result.total);
		if (page * pageSize >= result.total) return { names, totals, pages: page };
	}
}

const namesOf = (list: TableRow[]) => list.map((r) => r.name);

describe('sorting', () => {
	it('has test data with empty values and ties in every column that can have them', () => {
		expect(rows.some((r) => r.lastUpdatedAt === null)).toBe(true);
		expect(rows.some((r) => r.services.length === 0)).toBe(true);
		expect(rows.some((r) => !['generic-git', 'github', 'gitlab', 'azure-devops', 'bitbucket-cloud'].includes(r.kind))).toBe(true);
		expect(rows.some((r) => r.name !== r.name.toLowerCase())).toBe(true);
		expect(rows.some((r) => r.ticketProjects > 0)).toBe(true);
	});

	it('counts each integration’s repos and ticket projects', async () => {
		const { integrations } = await listIntegrations(system.database.db, organizationId, { sort: 'name', direction: 'asc', page: 1, pageSize: 100 });
		const byId = new Map(rows.map((r) => [r.id, r]));
		expect(integrations.map((i) => [i.name, i.repoCount, i.ticketProjectCount])).toEqual(integrations.map((i) => [i.name, byId.get(i.id)!.repos, byId.get(i.id)!.ticketProjects]));
	});

	for (const column of Object.keys(sortColumns) as SortColumn[]) {
		for (const direction of ['asc', 'desc'] as const) {
			it(`by ${column}, ${direction === 'asc' ? 'ascending' : 'descending'}, empty values last, across pages`, async () => {
				const { names } = await allPages({ sort: column, direction });
				expect(names).toEqual(namesOf(expectedOrder(rows, column, direction)));
			});
		}
	}
});

describe('searching', () => {
	it.each([
		['%', ['Table 100% coverage']],
		['0% c', ['Table 100% coverage']],
		['_', ['Table snake_case']],
		['snake_case', ['Table snake_case']],
		['\\', ['Table back\\slash']],
		['k\\s', ['Table back\\slash']]
	])('takes %j literally, not as a pattern', async (text, expected) => {
		const { names, totals } = await allPages({ text });
		expect(names).toEqual(expected);
		expect(totals).toEqual([expected.length]);
	});

	it('matches the name or who added it, whatever the case', async () => {
		const byName = await allPages({ text: 'BRAVO' });
		expect(byName.names).toEqual(namesOf(rows.filter((r) => r.name.includes('Bravo'))));
		const byEmail = await allPages({ text: 'zed@ACME' });
		expect(byEmail.names.sort()).toEqual(namesOf(rows.filter((r) => r.addedBy === 'Zed@acme.example')).sort());
		expect(byEmail.names.length).toBeGreaterThan(1);
	});

	it('finds nothing, with a total of 0, when nothing matches', async () => {
		expect(await listIntegrations(system.database.db, organizationId, { text: 'no such integration', sort: 'name', direction: 'asc', page: 1, pageSize })).toEqual({
			integrations: [],
			total: 0,
			page: 1
		});
	});
});

describe('filtering', () => {
	it('by provider', async () => {
		const { names, totals } = await allPages({ provider: 'jira-cloud' });
		const expected = namesOf(expectedOrder(rows.filter((r) => r.kind === 'jira-cloud'), 'name', 'asc'));
		expect(expected.length).toBeGreaterThan(1);
		expect(names).toEqual(expected);
		expect(new Set(totals)).toEqual(new Set([expected.length]));
	});

	it('by status', async () => {
		const { names } = await allPages({ status: 'failed-items' });
		const expected = namesOf(expectedOrder(rows.filter((r) => r.status === 'failed-items'), 'name', 'asc'));
		expect(expected.length).toBeGreaterThan(1);
		expect(names).toEqual(expected);
	});

	it('by text, provider and status together, sorted', async () => {
		const match = (r: TableRow) => r.kind === 'generic-git' && r.status !== 'deleting' && r.name.toLowerCase().includes('a');
		for (const status of ['pending', 'healthy', 'processing'] as const) {
			const { names } = await allPages({ text: 'a', provider: 'generic-git', status, sort: 'updated', direction: 'desc' });
			expect(names).toEqual(namesOf(expectedOrder(rows.filter((r) => match(r) && r.status === status), 'updated', 'desc')));
		}
	});
});

describe('paging', () => {
	it('shows every integration once, a page at a time, with the same total on every page', async () => {
		const { names, totals, pages } = await allPages({ sort: 'status', direction: 'desc' });
		expect(pages).toBe(Math.ceil(rows.length / pageSize));
		expect(new Set(names).size).toBe(rows.length);
		expect(new Set(totals)).toEqual(new Set([rows.length]));
	});

	it('shows the last page for a page past the end', async () => {
		const last = Math.ceil(rows.length / pageSize);
		const result = await listIntegrations(system.database.db, organizationId, { sort: 'name', direction: 'asc', page: 99, pageSize });
		expect(result.page).toBe(last);
		expect(result.integrations.map((i) => i.name)).toEqual(namesOf(expectedOrder(rows, 'name', 'asc')).slice((last - 1) * pageSize));
	});
});
