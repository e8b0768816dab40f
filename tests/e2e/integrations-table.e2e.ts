// The integrations table in a browser (SPEC F6.2): a person clicks each column's header to sort
// it one way then the other, pages through, searches with `%` and `_`, and filters by provider
// and status, on integrations made for this test in Globex (so no other test's rows mix in).
import { expect, test, type Page } from '@playwright/test';
import { embeddedPostgresUrl } from '../../scripts/engines/postgres.ts';
import { integrationStatusText } from '#core/domain/integrations/integration.ts';
import { providers } from '#core/domain/integrations/providers.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { sortColumns, type SortColumn } from '#core/integrations/queries.ts';
import { addTableIntegrations, expectedOrder, type TableRow } from '../support/integrations-table.ts';
import { signInAs } from './support/sign-in.ts';

// Unique per run: the search for it finds this test's rows and no one else's.
const prefix = `Tbl${Date.now().toString(36)}`;
let database: DatabaseHandle;
let rows: TableRow[];

test.beforeAll(async () => {
	database = connectDatabase(embeddedPostgresUrl(process.env.TRIBUTARY_E2E_DATA_DIR!), { max: 1 });
	const globex = await database.db.selectFrom('organizations').select('id').where('name', '=', 'Globex').executeTakeFirstOrThrow();
	// 30: more than one page of 25.
	rows = await addTableIntegrations(database.db, globex.id, prefix, 30);
});

test.afterAll(async () => {
	const ids = rows?.map((r) => r.id) ?? [];
	if (ids.length > 0) {
		await database.db.deleteFrom('repos').where('integration_id', 'in', ids).execute();
		await database.db.deleteFrom('integrations').where('id', 'in', ids).execute();
	}
	await database?.close();
});

const shownNames = (page: Page) => page.locator('tbody tr[data-integration]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-integration')));
const pager = (page: Page) => page.getByRole('navigation', { name: 'Pages' });

async function search(page: Page, text: string): Promise<void> {
	await page.getByRole('searchbox').fill(text);
	await page.getByRole('button', { name: 'Filter' }).click();
	await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(text);
}

const headers: Record<SortColumn, string> = {
	name: 'Name',
	provider: 'Provider',
	services: 'Services',
	deployment: 'Deployment source',
	addedBy: 'Added by',
	status: 'Data status',
	updated: 'Last updated',
	repos: 'Repos'
};

test('each column sorts both ways from its header, with empty values last, across both pages', async ({ page }) => {
	await signInAs(page, 'admin@globex.example', '/integrations');
	await search(page, prefix);
	await expect(pager(page)).toContainText(`Showing 1–25 of ${rows.length}`);
	expect(Object.keys(headers).sort()).toEqual(Object.keys(sortColumns).sort());

	for (const column of Object.keys(headers) as SortColumn[]) {
		for (const direction of ['asc', 'desc'] as const) {
			// The name column starts sorted ascending: its first click turns it around.
			if (!(column === 'name' && direction === 'asc')) {
				await page.getByRole('columnheader', { name: headers[column] }).getByRole('link').click();
				await expect(page).toHaveURL(new RegExp(`sort=${column}&dir=${direction}`));
			}
			const header = page.getByRole('columnheader', { name: headers[column] });
			await expect(header).toHaveAttribute('aria-sort', direction === 'asc' ? 'ascending' : 'descending');
			await expect(pager(page)).toContainText('Page 1 of 2');
			const first = await shownNames(page);
			await pager(page).getByRole('link', { name: 'Next' }).click();
			await expect(pager(page)).toContainText(`Showing 26–${rows.length} of ${rows.length}`);
			const second = await shownNames(page);
			expect([...first, ...second], `${column} ${direction}`).toEqual(expectedOrder(rows, column, direction).map((r) => r.name));
			await pager(page).getByRole('link', { name: 'Previous' }).click();
			await expect(pager(page)).toContainText('Page 1 of 2');
		}
	}
});

test('search takes % and _ literally', async ({ page }) => {
	await signInAs(page, 'admin@globex.example', '/integrations');
	await search(page, `${prefix} 100%`);
	expect(await shownNames(page)).toEqual([`${prefix} 100% coverage`]);
	await search(page, `${prefix} snake_`);
	expect(await shownNames(page)).toEqual([`${prefix} snake_case`]);
	await search(page, `${prefix} %_`);
	await expect(page.getByText('No integration matches these filters.')).toBeVisible();
	await expect(pager(page)).toContainText('Showing 0–0 of 0');
});

test('provider and status filters narrow the table, and keep the search', async ({ page }) => {
	await signInAs(page, 'admin@globex.example', '/integrations');
	await search(page, prefix);
	const filters = page.getByRole('search', { name: 'Filter integrations' });

	const cases = [
		{ provider: providers['jira-cloud'].label, status: 'Any status', url: /provider=jira-cloud/, keep: (r: TableRow) => r.kind === 'jira-cloud' },
		{ provider: 'All providers', status: integrationStatusText['failed-items'].label, url: /status=failed-items/, keep: (r: TableRow) => r.status === 'failed-items' }
	];
	for (const { provider, status, url, keep } of cases) {
		await filters.getByRole('combobox').nth(0).selectOption({ label: provider });
		await filters.getByRole('combobox').nth(1).selectOption({ label: status });
		await filters.getByRole('button', { name: 'Filter' }).click();
		await expect(page).toHaveURL(url);
		const expected = expectedOrder(rows.filter(keep), 'name', 'asc').map((r) => r.name);
		expect(expected.length).toBeGreaterThan(1);
		await expect(pager(page)).toContainText(`of ${expected.length}`);
		expect(await shownNames(page), `${provider}, ${status}`).toEqual(expected);
	}
});

test('a page past the end shows the last page', async ({ page }) => {
	await signInAs(page, 'admin@globex.example', '/integrations');
	await page.goto(`/integrations?q=${encodeURIComponent(prefix)}&page=9`);
	await expect(pager(page)).toContainText(`Showing 26–${rows.length} of ${rows.length}`);
	await expect(pager(page)).toContainText('Page 2 of 2');
	expect(await shownNames(page)).toEqual(expectedOrder(rows, 'name', 'asc').slice(25).map((r) => r.name));
});
