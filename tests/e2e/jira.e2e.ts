// Jira in a real browser, against the simulated Jira `npm start` runs: the demo Jira Data Center
// integration (every project auto-imported) becomes healthy; a manager adds the same Jira server as
// a second integration (personal access token, CA pasted) while a viewer watches the integrations
// table, imports two of its projects and updates, and a viewer on its page sees both projects go
// healthy without a reload; the manager configures one (statuses and types), and a stale save by a
// second manager is refused with what the first one changed; the Ticket projects and Repos pages
// sort, filter, import and remove; the token shows on no page; a delete-level user deletes the
// integration and nothing of it is left.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { deleteThroughUi, pageAs, rowsOf, watchStatus, type Watching } from './support/integrations.ts';
import { signInAs } from './support/sign-in.ts';

test.describe.configure({ mode: 'serial' });

interface JiraProjectStats {
	project: string;
	tickets: number;
	byStatus: Record<string, number>;
}
interface Simulated {
	caFile: string;
	jiraCloud: { http: string };
	jiraDataCenter: { https: string; username: string; password: string; tokens: { full: string; noBrowse: string }; projects: string[] };
}
const simulator = (): Simulated => JSON.parse(readFileSync(path.join(process.env.TRIBUTARY_E2E_DATA_DIR!, 'simulator', 'ready.json'), 'utf8')) as Simulated;
/** The simulated Jira Data Center's own counts, from its control API. */
async function jiraStats(): Promise<JiraProjectStats[]> {
	const origin = new URL(simulator().jiraCloud.http).origin;
	const response = await fetch(`${origin}/_simulator/jira/dc/stats`);
	expect(response.ok).toBe(true);
	return ((await response.json()) as { projects: JiraProjectStats[] }).projects;
}

const demoName = 'Demo Jira (simulator)';
const name = `Jira DC ${Date.now()}`;
const tables = ['integrations', 'ticket_projects', 'tickets', 'ticket_status_changes'];
/** The new integration's page, once it is added. */
let integrationUrl = '';

const shots = '/work/shots';
async function shoot(page: Page, file: string, fullPage = true): Promise<void> {
	mkdirSync(shots, { recursive: true });
	await page.screenshot({ path: path.join(shots, file), fullPage });
}

const ticketsSection = (page: Page) => page.locator('[data-section=tickets]');
const projectRow = (page: Page, key: string) => ticketsSection(page).locator(`tr[data-ticket-project="${key}"]`);
const savedBanner = (page: Page) => page.getByRole('status').filter({ hasText: 'Saved' });

/** A person's page whose page-data loads (`__data.json`) are counted while in flight, from before it signs in. */
async function trackedPageAs(browser: Browser, email: string, next: string): Promise<{ page: Page; loading: () => number }> {
	const page = await (await browser.newContext()).newPage();
	const inFlight = new Set<unknown>();
	const isDataLoad = (url: string) => new URL(url).pathname.endsWith('/__data.json');
	page.on('request', (request) => void (isDataLoad(request.url()) && inFlight.add(request)));
	page.on('requestfinished', (request) => void inFlight.delete(request));
	page.on('requestfailed', (request) => void inFlight.delete(request));
	await signInAs(page, email, next);
	return { page, loading: () => inFlight.size };
}

/**
 * Waits until the integration page is live: its connection is up (it shows `someoneElse` here too)
 * and the reload that a first connection makes has landed. (A project's live event that arrives
 * while a reload is on its way is dropped when that reload lands, with data read before the event:
 * the page would miss a change made in that moment until the next event about the project.)
 */
async function liveAndSettled(tracked: { page: Page; loading: () => number }, someoneElse: string): Promise<void> {
	// Well within the 20 s after which a page says again where it is (its list would come then anyway).
	await expect(tracked.page.getByRole('status', { name: 'Also here' })).toContainText(someoneElse, { timeout: 10_000 });
	await expect.poll(tracked.loading, { timeout: 30_000 }).toBe(0);
}

/** Marks the page's document: `sameDocument` is true only while no reload or full navigation has happened since. */
async function markDocument(page: Page): Promise<void> {
	await page.evaluate(() => ((window as unknown as { e2eMark?: boolean }).e2eMark = true));
}
async function sameDocument(page: Page): Promise<boolean> {
	return page.evaluate(() => (window as unknown as { e2eMark?: boolean }).e2eMark === true);
}

/** Records every data-status each project row of the Tickets section shows, live, by key. */
async function watchProjects(page: Page, keys: string[]): Promise<Record<string, string[]>> {
	const seen: Record<string, string[]> = Object.fromEntries(keys.map((k) => [k, []]));
	await page.exposeFunction('recordProject', (key: string, status: string) => {
		const list = seen[key]!;
		if (list.at(-1) !== status) list.push(status);
	});
	await page.evaluate((wanted) => {
		const look = () => {
			for (const key of wanted) {
				const row = document.querySelector(`[data-section=tickets] tr[data-ticket-project="${key}"]`);
				if (row) (window as unknown as { recordProject(k: string, s: string): void }).recordProject(key, row.getAttribute('data-status') ?? '');
			}
		};
		look();
		new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
	}, keys);
	return seen;
}

/** The texts of one column of a list page's rows, in the order shown. */
const columnOf = (rows: Locator, column: string) => rows.evaluateAll((trs, c) => trs.map((tr) => tr.querySelector(`td[data-column="${c}"]`)?.textContent?.trim() ?? ''), column);
/** Lower-cased, compared by code unit: how Postgres sorts `lower(text) collate "C"` for these ASCII names. */
const textOrder = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
const numberOf = (text: string) => Number(text.replace(/,/g, ''));
function expectSorted<T>(values: T[], compare: (a: T, b: T) => number, direction: 'asc' | 'desc', what: string): void {
	for (let i = 1; i < values.length; i++) {
		const order = compare(values[i - 1]!, values[i]!);
		expect(direction === 'asc' ? order <= 0 : order >= 0, `${what} ${direction}: ${JSON.stringify(values)}`).toBe(true);
	}
}

/** Clicks a sortable column's header and waits for the page to say it is sorted that way. */
async function sortBy(page: Page, label: string, direction: 'ascending' | 'descending'): Promise<void> {
	const header = page.locator('thead th').filter({ has: page.getByRole('link', { name: new RegExp(`^${label}( [▲▼])?$`) }) });
	await header.getByRole('link').click();
	await expect(header).toHaveAttribute('aria-sort', direction);
}

test('the demo Jira integration becomes healthy, and so does each of its projects', async ({ browser }) => {
	test.setTimeout(300_000);
	const viewer = await pageAs(browser, 'viewer@acme.example', '/integrations');
	const demoRow = viewer.locator(`tr[data-integration="${demoName}"]`);
	// `npm start` adds the demo integrations once its server answers: wait for this one, and its first update.
	await expect
		.poll(
			async () => {
				await viewer.reload();
				return (await demoRow.count()) === 1 ? demoRow.getAttribute('data-status') : null;
			},
			{ timeout: 240_000, intervals: [3_000] }
		)
		.toBe('healthy');
	await expect(demoRow.locator('td[data-column="services"]')).toHaveText('Tickets');
	// Two integrations may read one Jira site: the demo stays (unlike a git host's demo, which makes way).
	await demoRow.getByRole('link', { name: demoName }).first().click();
	const stats = await jiraStats();
	for (const key of simulator().jiraDataCenter.projects) {
		const row = projectRow(viewer, key);
		await expect(row).toHaveAttribute('data-imported', 'true');
		await expect(row).toHaveAttribute('data-status', 'healthy', { timeout: 60_000 });
		await expect(row.locator('td[data-column="tickets"]')).toHaveText(stats.find((p) => p.project === key)!.tickets.toLocaleString('en'));
	}
	await expect(viewer.locator('[data-setting="auto-import-ticket-projects"]')).toHaveText('on');
	// A viewer has no controls.
	await expect(viewer.getByRole('button', { name: /^(Import|Remove|Configure) / })).toHaveCount(0);
	await expect(viewer.getByRole('button', { name: /Turn auto-import/ })).toHaveCount(0);
	await viewer.context().close();
});

test('a manager adds a Jira Data Center and imports two projects; viewers watch the integration and the projects become healthy live', async ({ browser }) => {
	test.setTimeout(300_000);
	const { jiraDataCenter, caFile } = simulator();
	const watching: Watching = await watchStatus(browser, name);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /Jira Data Center/ }).click();
	await expect(manager.getByRole('radio', { name: 'Personal access token' })).toBeChecked();
	await manager.getByLabel('Name', { exact: true }).fill(name);
	await manager.getByLabel('Server URL').fill(jiraDataCenter.https);
	await manager.getByRole('textbox', { name: 'Personal access token' }).fill(jiraDataCenter.tokens.full);
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	integrationUrl = new URL(manager.url()).pathname;
	expect(integrationUrl).toMatch(/^\/integrations\/[0-9a-f-]{36}$/);

	// The first update lists the projects; auto-import is off for a new integration, so they wait.
	await expect(manager.locator('[data-setting="auto-import-ticket-projects"]')).toHaveText('off');
	for (const key of jiraDataCenter.projects) {
		await expect(projectRow(manager, key)).toHaveAttribute('data-status', 'excluded', { timeout: 120_000 });
		await expect(projectRow(manager, key)).toHaveAttribute('data-imported', 'false');
	}
	// The first update only listed the projects, and says so.
	await expect(manager.getByRole('status').filter({ hasText: `Update of “${name}” finished` })).toContainText('No ticket project is imported yet, so there was nothing to fetch.', { timeout: 60_000 });
	// The viewer's row came and became healthy with no reload.
	const listRow = watching.viewer.locator(`tr[data-integration="${name}"]`);
	await expect(listRow).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });
	await expect(listRow.locator('td[data-column="services"]')).toHaveText('Tickets');
	await markDocument(watching.viewer);
	const listSeenBefore = watching.seen.length;

	// A viewer on the integration's page, before anything is imported.
	const tracked = await trackedPageAs(browser, 'viewer@acme.example', integrationUrl);
	const viewer = tracked.page;
	await liveAndSettled(tracked, 'Max Manage');
	await expect(projectRow(viewer, 'CORE')).toHaveAttribute('data-imported', 'false');
	await markDocument(viewer);
	const seen = await watchProjects(viewer, ['CORE', 'OPS', 'WEB']);

	for (const key of ['CORE', 'OPS']) {
		await ticketsSection(manager).getByRole('button', { name: `Import ${key}` }).click();
		await expect(projectRow(manager, key)).toHaveAttribute('data-imported', 'true');
		await expect(savedBanner(manager)).toContainText(`${key} (`);
		// Live on the viewer's page too.
		await expect(projectRow(viewer, key)).toHaveAttribute('data-imported', 'true', { timeout: 30_000 });
	}
	await expect(ticketsSection(manager).getByRole('button', { name: 'Configure CORE' })).toBeVisible();
	await expect(ticketsSection(manager).getByRole('button', { name: 'Remove CORE' })).toBeVisible();
	await manager.getByRole('group', { name: 'Integration actions' }).getByRole('button', { name: 'Update', exact: true }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Started' })).toBeVisible();

	const stats = await jiraStats();
	for (const key of ['CORE', 'OPS']) {
		const row = projectRow(viewer, key);
		await expect(row).toHaveAttribute('data-status', 'healthy', { timeout: 180_000 });
		await expect(row.locator('td[data-column="tickets"]')).toHaveText(stats.find((p) => p.project === key)!.tickets.toLocaleString('en'), { timeout: 30_000 });
		// From not imported, through the update, to healthy: each step seen in the same document.
		expect(seen[key]![0], seen[key]!.join(' → ')).toBe('excluded');
		expect(seen[key]!.at(-1)).toBe('healthy');
		expect(seen[key]!.length, seen[key]!.join(' → ')).toBeGreaterThanOrEqual(2);
	}
	await shoot(viewer, 'jira-tickets-section-viewer.png');
	const fetched = stats.filter((p) => p.project === 'CORE' || p.project === 'OPS').reduce((sum, p) => sum + p.tickets, 0);
	await expect(manager.getByRole('status').filter({ hasText: `2 ticket projects up to date: ${fetched.toLocaleString('en')} tickets.` })).toBeVisible({ timeout: 60_000 });
	// WEB was left alone.
	expect(seen.WEB).toEqual(['excluded']);
	await expect(projectRow(viewer, 'WEB')).toHaveAttribute('data-imported', 'false');
	expect(await sameDocument(viewer), 'the viewer’s integration page was not reloaded').toBe(true);

	// The integrations table went through the update live as well.
	await expect(listRow).toHaveAttribute('data-status', 'healthy', { timeout: 60_000 });
	const duringUpdate = watching.seen.slice(listSeenBefore - 1);
	expect(duringUpdate, watching.seen.join(' → ')).toContain('processing');
	expect(watching.seen.at(-1)).toBe('healthy');
	expect(await sameDocument(watching.viewer), 'the viewer’s integrations table was not reloaded').toBe(true);
	await shoot(watching.viewer, 'jira-integrations-table.png');
	await shoot(manager, 'jira-integration-page-manager.png');

	for (const page of [manager, viewer, watching.viewer]) expect(await page.content()).not.toContain(jiraDataCenter.tokens.full);
	await viewer.context().close();
	await watching.viewer.context().close();
	await manager.context().close();
});

test('a manager configures OPS (Blocked means to do, Epics do not count); its page shows the settings and its tickets follow them', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', integrationUrl);
	await ticketsSection(manager).getByRole('button', { name: 'Configure OPS' }).click();
	const form = manager.locator('form[data-configure="OPS"]');
	await expect(form).toBeVisible();
	// The defaults come from OPS's release workflow: Blocked is in progress, Released is done.
	await expect(form.locator('tr[data-status-name]')).toHaveCount(7);
	await expect(form.getByLabel('Blocked', { exact: true })).toHaveValue('in-progress');
	await expect(form.getByLabel('Released', { exact: true })).toHaveValue('done');
	await expect(form.getByLabel('To Do', { exact: true })).toHaveValue('to-do');
	await expect(form.getByRole('checkbox', { name: 'Epic' })).toBeChecked();
	await expect(form.getByRole('checkbox', { name: /Sub-task/ })).not.toBeChecked();
	await shoot(manager, 'jira-configure-form.png');

	await form.getByLabel('Blocked', { exact: true }).selectOption('to-do');
	await form.getByRole('checkbox', { name: 'Epic' }).uncheck();
	await form.getByRole('button', { name: 'Save settings' }).click();
	await expect(savedBanner(manager)).toContainText('Saved the settings of OPS.');
	await expect(form).toHaveCount(0);

	await projectRow(manager, 'OPS').locator('td[data-column="tickets"] a').click();
	await expect(manager).toHaveURL(/\/ticket-projects\/[0-9a-f-]{36}$/);
	await expect(manager.getByRole('heading', { level: 1 })).toHaveText('OPS · Operations');
	await expect(manager.locator('dd[data-setting="in-progress"]')).toHaveText('In Progress, In Review');
	await expect(manager.locator('dd[data-setting="done"]')).toHaveText("Done, Released, Won't Do");
	await expect(manager.locator('dd[data-setting="types"]')).toHaveText('Story, Bug, Task');

	// Its tickets read through the settings: a Blocked ticket is to do, an Epic is not counted.
	const ops = (await jiraStats()).find((p) => p.project === 'OPS')!;
	const tickets = manager.locator('tr[data-ticket]');
	expect(ops.tickets).toBeLessThanOrEqual(50); // one page
	await expect(tickets).toHaveCount(ops.tickets);
	await expect(manager.locator('tr[data-ticket][data-category="to-do"]')).toHaveCount((ops.byStatus['To Do'] ?? 0) + (ops.byStatus.Blocked ?? 0));
	const rows = await tickets.evaluateAll((trs) => trs.map((tr) => ({ category: tr.getAttribute('data-category'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '') })));
	for (const row of rows) {
		if (row.cells[3]!.startsWith('Blocked')) expect(row.category).toBe('to-do');
		if (row.cells[2]!.startsWith('Epic')) expect(row.cells[2]).toContain('not counted');
		if (row.cells[2]!.startsWith('Story')) expect(row.cells[2]).not.toContain('not counted');
	}
	await shoot(manager, 'jira-project-tickets.png', false);
	await manager.context().close();
});

test('a stale settings save is refused with what the other person changed, and nothing of it is stored', async ({ browser }) => {
	const admin = await trackedPageAs(browser, 'admin@acme.example', integrationUrl);
	const manager = await trackedPageAs(browser, 'manager@acme.example', integrationUrl);
	await liveAndSettled(admin, 'Max Manage');
	await liveAndSettled(manager, 'Ada Admin');
	const [first, second] = [admin.page, manager.page];
	const forms = [first, second].map((page) => page.locator('form[data-configure="OPS"]'));
	for (const page of [first, second]) await ticketsSection(page).getByRole('button', { name: 'Configure OPS' }).click();
	for (const form of forms) await expect(form.getByLabel('In Review', { exact: true })).toHaveValue('in-progress');
	const [firstForm, secondForm] = forms as [Locator, Locator];

	// The admin says In Review means done, and saves first.
	await firstForm.getByLabel('In Review', { exact: true }).selectOption('done');
	await firstForm.getByRole('button', { name: 'Save settings' }).click();
	await expect(savedBanner(first)).toContainText('Saved the settings of OPS.');
	// The manager's open form says so, live.
	await expect(secondForm.getByRole('status')).toContainText('Someone else just saved these settings', { timeout: 30_000 });

	// The manager, from the older version, stops counting Bugs and saves: refused.
	await secondForm.getByRole('checkbox', { name: 'Bug' }).uncheck();
	await secondForm.getByRole('button', { name: 'Save settings' }).click();
	const refusal = secondForm.getByRole('alert').filter({ hasText: 'Not saved' });
	await expect(refusal).toContainText('admin@acme.example changed the settings of OPS while you were editing');
	await expect(refusal).toContainText('“In Review” now means done (it meant in progress)');
	await expect(refusal).toContainText('Nothing of yours was saved');
	await expect(savedBanner(second)).toHaveCount(0);
	// The form now starts from the admin's settings.
	await expect(secondForm.getByLabel('In Review', { exact: true })).toHaveValue('done');
	await expect(secondForm.getByRole('checkbox', { name: 'Bug' })).toBeChecked();
	await shoot(second, 'jira-stale-refusal.png');

	// What is stored is the admin's, with Bug still counted.
	await projectRow(second, 'OPS').locator('td[data-column="tickets"] a').click();
	await expect(second.locator('dd[data-setting="in-progress"]')).toHaveText('In Progress');
	await expect(second.locator('dd[data-setting="done"]')).toHaveText("In Review, Done, Released, Won't Do");
	await expect(second.locator('dd[data-setting="types"]')).toHaveText('Story, Bug, Task');
	await first.context().close();
	await second.context().close();
});

test('the Ticket projects page sorts, filters, and imports a project from its Available tab', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Ticket projects', exact: true }).click();
	await expect(manager).toHaveURL(/\/ticket-projects$/);
	await expect(manager.locator('a[data-tab="imported"]')).toHaveAttribute('aria-current', 'page');
	const rows = manager.locator('tbody tr[data-ticket-project]');
	// The demo's three and this integration's two.
	await expect(manager.locator(`tbody tr[data-integration="${demoName}"]`)).toHaveCount(3);
	await expect(manager.locator(`tbody tr[data-integration="${name}"]`)).toHaveCount(2);
	await expect(manager.locator(`tbody tr[data-integration="${name}"][data-ticket-project="WEB"]`)).toHaveCount(0);
	await shoot(manager, 'ticket-projects-imported.png');

	// Sorted by key, then the other way, then by tickets. (Checked on whatever rows there are: other
	// ticket systems' projects may be listed too.)
	const keys = await columnOf(rows, 'key');
	expect(new Set(keys).size, keys.join()).toBeGreaterThanOrEqual(3);
	expectSorted(keys, textOrder, 'asc', 'key');
	await sortBy(manager, 'Key', 'descending');
	expectSorted(await columnOf(rows, 'key'), textOrder, 'desc', 'key');
	expect(await columnOf(rows, 'key')).not.toEqual(keys);
	await sortBy(manager, 'Key', 'ascending');
	expect(await columnOf(rows, 'key')).toEqual(keys);
	await sortBy(manager, 'Tickets', 'ascending');
	expectSorted((await columnOf(rows, 'tickets')).map(numberOf), (a, b) => a - b, 'asc', 'tickets');
	await sortBy(manager, 'Tickets', 'descending');
	expectSorted((await columnOf(rows, 'tickets')).map(numberOf), (a, b) => a - b, 'desc', 'tickets');
	await sortBy(manager, 'Integration', 'ascending');
	expectSorted(await columnOf(rows, 'integration'), textOrder, 'asc', 'integration');
	await sortBy(manager, 'Integration', 'descending');
	expectSorted(await columnOf(rows, 'integration'), textOrder, 'desc', 'integration');

	// Filtered by text, then by integration (the sort stays).
	const filters = manager.getByRole('search', { name: 'Filter ticket projects' });
	await filters.getByRole('searchbox').fill('ops');
	await filters.getByRole('button', { name: 'Filter' }).click();
	await expect.poll(() => new URL(manager.url()).searchParams.get('q')).toBe('ops');
	await expect(manager.locator('tbody tr[data-ticket-project="OPS"]')).toHaveCount(2);
	await expect(manager.locator('tbody tr[data-ticket-project="CORE"]')).toHaveCount(0);
	for (const text of await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-ticket-project')} ${tr.querySelector('td[data-column="name"]')?.textContent}`))) {
		expect(text.toLowerCase()).toContain('ops');
	}
	await expect(manager.locator('thead th[aria-sort="descending"]')).toContainText('Integration');
	expect(await columnOf(manager.locator('tbody tr[data-ticket-project="OPS"]'), 'integration')).toEqual([name, demoName].sort((a, b) => -textOrder(a, b)));
	await filters.getByRole('searchbox').fill('');
	await filters.getByRole('combobox').first().selectOption({ label: name });
	await filters.getByRole('button', { name: 'Filter' }).click();
	await expect.poll(() => new URL(manager.url()).searchParams.get('integration')).toMatch(/^[0-9a-f-]{36}$/);
	await expect(rows).toHaveCount(2);
	expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-integration')))).toEqual([name, name]);
	expect((await columnOf(rows, 'key')).sort()).toEqual(['CORE', 'OPS']);
	await expect(manager.locator('a[data-tab="available"]')).toHaveText('Available (1)');

	// WEB of this integration waits on the Available tab (the filter stays with the tab).
	await manager.locator('a[data-tab="available"]').click();
	await expect(manager.locator('a[data-tab="available"]')).toHaveAttribute('aria-current', 'page');
	await expect(rows).toHaveCount(1);
	const web = manager.locator(`tbody tr[data-ticket-project="WEB"][data-integration="${name}"]`);
	await expect(web).toHaveAttribute('data-status', 'excluded');
	await shoot(manager, 'ticket-projects-available.png');
	await manager.getByRole('button', { name: `Import WEB of ${name}` }).click();
	await expect(savedBanner(manager)).toContainText('WEB (Web App) will be imported by the next update.');
	await expect(manager.getByRole('button', { name: `Import WEB of ${name}` })).toHaveCount(0);
	// The answer lands on the same tab, with the same filter.
	await expect(manager.locator('a[data-tab="available"]')).toHaveAttribute('aria-current', 'page');
	expect(new URL(manager.url()).searchParams.get('integration')).toMatch(/^[0-9a-f-]{36}$/);
	await expect(manager.locator('a[data-tab="available"]')).toHaveText('Available (0)');
	await expect(manager.locator('tbody')).toContainText('No ticket project matches these filters.');
	await manager.locator('a[data-tab="imported"]').click();
	await expect(manager.locator('a[data-tab="imported"]')).toHaveText('Imported (3)');
	await expect(web).toHaveCount(1);
	await expect(manager.getByRole('button', { name: `Remove WEB of ${name}` })).toBeVisible();
	// And on the integration's page.
	await manager.goto(integrationUrl);
	await expect(projectRow(manager, 'WEB')).toHaveAttribute('data-imported', 'true');
	await manager.context().close();
});

test('the Repos page sorts, filters, and stops and restarts importing a repository', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Repos', exact: true }).click();
	await expect(manager).toHaveURL(/\/repos$/);
	const rows = manager.locator('tbody tr[data-repo]');
	// The demo repositories `npm start` adds (a generated one, and this project's own clone).
	const integration = 'Demo repositories';
	const repo = 'acme-service';
	await expect(manager.locator(`tbody tr[data-repo="${repo}"]`)).toHaveCount(1, { timeout: 30_000 });
	await shoot(manager, 'repos-page.png');
	// No ticket system's project shows here.
	await expect(manager.locator('tbody td[data-column="integration"]').filter({ hasText: name })).toHaveCount(0);

	expectSorted(await columnOf(rows, 'name'), textOrder, 'asc', 'repository');
	await sortBy(manager, 'Repository', 'descending');
	expectSorted(await columnOf(rows, 'name'), textOrder, 'desc', 'repository');
	await sortBy(manager, 'Commits', 'ascending');
	expectSorted((await columnOf(rows, 'commits')).map(numberOf), (a, b) => a - b, 'asc', 'commits');
	await sortBy(manager, 'Commits', 'descending');
	expectSorted((await columnOf(rows, 'commits')).map(numberOf), (a, b) => a - b, 'desc', 'commits');

	const filters = manager.getByRole('search', { name: 'Filter repositories' });
	await filters.getByRole('searchbox').fill(repo);
	await filters.getByRole('button', { name: 'Filter' }).click();
	await expect.poll(() => new URL(manager.url()).searchParams.get('q')).toBe(repo);
	await expect(rows).toHaveCount(1);
	const row = manager.locator(`tbody tr[data-repo="${repo}"]`);
	await expect(row.locator('td[data-column="integration"]')).toHaveText(integration);

	// Stop importing it: asked first, and what was ingested stays.
	await manager.getByRole('button', { name: `Remove ${repo} of ${integration}` }).click();
	const dialog = manager.getByRole('dialog', { name: `Stop importing ${repo}?` });
	await expect(dialog).toContainText(/What was ingested stays: [\d,]+ commits, until you delete the integration/);
	await shoot(manager, 'repos-stop-importing-dialog.png');
	await dialog.getByRole('button', { name: 'Stop importing' }).click();
	await expect(dialog).toHaveCount(0);
	await expect(savedBanner(manager)).toBeVisible();
	// Still on the Imported tab, filtered, now without it.
	await expect(manager.locator('a[data-tab="imported"]')).toHaveText('Imported (0)');
	await expect(rows).toHaveCount(0);
	await expect(manager.locator('a[data-tab="imported"]')).toHaveAttribute('aria-current', 'page');
	expect(new URL(manager.url()).searchParams.get('q')).toBe(repo);
	await manager.locator('a[data-tab="available"]').click();
	await expect(row).toHaveCount(1);
	// Import it again.
	await manager.getByRole('button', { name: `Import ${repo} of ${integration}` }).click();
	await expect(savedBanner(manager)).toBeVisible();
	await expect(manager.locator('a[data-tab="available"]')).toHaveText('Available (0)');
	await manager.locator('a[data-tab="imported"]').click();
	await expect(row).toHaveCount(1);
	await expect(manager.getByRole('button', { name: `Remove ${repo} of ${integration}` })).toBeVisible();
	await manager.context().close();
});

test('the token shows on no page', async ({ browser }) => {
	const { jiraDataCenter } = simulator();
	const admin = await pageAs(browser, 'admin@acme.example', '/integrations');
	const projectPage = await (async () => {
		await admin.goto(integrationUrl);
		return admin.locator('[data-section=tickets] tr[data-ticket-project="CORE"] td[data-column="tickets"] a').getAttribute('href');
	})();
	for (const url of ['/integrations', integrationUrl, `${integrationUrl}/edit`, `${integrationUrl}/webhooks`, '/ticket-projects', '/ticket-projects?tab=available', projectPage!, '/repos', '/audit', '/operations']) {
		const response = await admin.goto(url);
		expect(response?.status(), url).toBe(200);
		const html = await admin.content();
		expect(html, url).not.toContain(jiraDataCenter.tokens.full);
		expect(html, url).not.toContain(jiraDataCenter.password);
	}
	await admin.context().close();
});

test('a delete-level user deletes it, and nothing of it is left', async ({ browser }) => {
	test.setTimeout(180_000);
	const before = await rowsOf(name, tables);
	expect(before.ticket_projects, JSON.stringify(before)).toBe(3);
	expect(before.tickets).toBeGreaterThan(0);
	expect(before.ticket_status_changes).toBeGreaterThan(0);
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	await deleteThroughUi(deleter, name, ['3 ticket projects', `${before.tickets!.toLocaleString('en')} tickets`, `${before.ticket_status_changes!.toLocaleString('en')} ticket status changes`]);
	const after = await rowsOf(name, tables);
	expect(Object.values(after).every((n) => n === 0), JSON.stringify(after)).toBe(true);
	// The demo, on the same Jira site, is untouched.
	expect((await rowsOf(demoName, tables)).ticket_projects).toBe(3);
	await deleter.context().close();
});
