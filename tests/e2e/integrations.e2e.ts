// The core loop in a real browser: a manager adds a Generic Git integration and watches it
// become healthy; a viewer in another browser sees the same live and has no controls, watches an
// update take it through processing, and still gets the banner of that update though their
// connection was down when it ended; a delete-level user
// removes it and both see the row go.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page, type WebSocketRoute } from '@playwright/test';
import { appendCommits, generateRepository } from '../../scripts/generate-repo.ts';
import { signInAs } from './support/sign-in.ts';

test.describe.configure({ mode: 'serial' });

let source: string;
const name = `Payments ${Date.now()}`;

test.beforeAll(async () => {
	source = path.join(mkdtempSync(path.join(os.tmpdir(), 'tributary-e2e-repo-')), 'payments');
	await generateRepository(source, { commits: 1_200, branches: 3, tags: 8, seed: 11 });
});

/** Every status the page's row of the integration shows, as it happens (in this document: no reload). */
async function recordStatuses(page: Page): Promise<string[]> {
	const seen: string[] = [];
	await page.exposeFunction('recordStatus', (status: string) => {
		if (seen.at(-1) !== status) seen.push(status);
	});
	await page.evaluate((integrationName) => {
		const look = () => {
			const row = document.querySelector(`tr[data-integration="${integrationName}"]`);
			if (row) (window as unknown as { recordStatus(s: string): void }).recordStatus(row.getAttribute('data-status') ?? '');
		};
		look();
		new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
	}, name);
	return seen;
}

async function pageAs(browser: Browser, email: string, next: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await signInAs(page, email, next);
	return page;
}

test('a manager adds an integration; a viewer watches it become healthy live, without controls', async ({ browser }) => {
	const viewer = await pageAs(browser, 'viewer@acme.example', '/integrations');
	await expect(viewer.getByRole('link', { name: 'Add integration' })).toHaveCount(0);
	await expect(viewer.getByRole('button', { name: 'Actions for all integrations' })).toHaveCount(0);

	const seen = await recordStatuses(viewer);

	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /Any git server/ }).click();
	await manager.getByLabel('Name', { exact: true }).fill(name);
	await manager.getByLabel('Repository URLs, one per line').fill(`file://${source}`);
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });

	const row = manager.locator('tr[data-repo="payments"]');
	await expect(row).toHaveAttribute('data-status', 'healthy', { timeout: 90_000 });
	await expect(manager.getByRole('status').filter({ hasText: /Update of “.*” finished/ })).toBeVisible();
	const commits = Number(execFileSync('git', ['rev-list', '--all', '--count'], { cwd: source, encoding: 'utf8' }).trim());
	const tags = execFileSync('git', ['tag'], { cwd: source, encoding: 'utf8' }).trim().split('\n').length;
	await expect(row.locator('[data-column="commits"]')).toHaveText(commits.toLocaleString('en'));
	await expect(row.locator('[data-column="tags"]')).toHaveText(String(tags));

	// The viewer's row appeared and became healthy with no reload. (Whether it showed "processing"
	// on the way depends on how soon the page loaded the new row: a small first update can end
	// before that. The next test watches a row the page already shows go through it.)
	const viewerRow = viewer.locator(`tr[data-integration="${name}"]`);
	await expect(viewerRow).toHaveAttribute('data-status', 'healthy', { timeout: 30_000 });
	expect(seen.at(-1), seen.join(' → ')).toBe('healthy');
	await viewer.getByRole('link', { name }).first().click();
	await expect(viewer.getByRole('button', { name: 'Update' })).toHaveCount(0);
	await expect(viewer.getByRole('button', { name: 'Delete…' })).toHaveCount(0);
	await viewer.context().close();
	await manager.context().close();
});

test('a viewer whose live connection drops while an update ends still gets its banner', async ({ browser }) => {
	// Real work for the update, so it runs long enough to be seen running.
	await appendCommits(source, { commits: 4_000, seed: 12 });
	const viewer = await (await browser.newContext()).newPage();
	// The viewer's Socket.IO connections go through here: while "offline", every new one is closed at once.
	let offline = false;
	let live: WebSocketRoute | undefined;
	await viewer.routeWebSocket(/\/socket\.io\//, (ws) => {
		if (offline) return ws.close();
		ws.connectToServer();
		live = ws;
	});
	await signInAs(viewer, 'viewer@acme.example', '/integrations');
	const seen = await recordStatuses(viewer);
	expect(seen).toEqual(['healthy']);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('checkbox', { name: `Select ${name}` }).check();
	await manager.getByRole('button', { name: 'Update', exact: true }).click();

	await expect(viewer.getByRole('progressbar', { name: `Update of ${name}` })).toBeVisible({ timeout: 30_000 });
	// The row says so too, live (the bar comes as the update starts, the status once it runs).
	await expect.poll(() => seen, { timeout: 30_000 }).toEqual(['healthy', 'processing']);
	offline = true;
	await live!.close();
	const finished = (page: Page) => page.getByRole('status').filter({ hasText: `Update of “${name}” finished` });
	await expect(finished(manager)).toBeVisible({ timeout: 90_000 });
	await expect(finished(viewer)).toHaveCount(0);

	// Back online: this page lists only running operations, so the banner comes from asking the server.
	offline = false;
	await expect(finished(viewer)).toBeVisible({ timeout: 30_000 });
	await expect(viewer.locator(`tr[data-integration="${name}"]`)).toHaveAttribute('data-status', 'healthy');
	// The row went from healthy through processing to healthy, live, in the same document.
	expect(seen, seen.join(' → ')).toEqual(['healthy', 'processing', 'healthy']);
	await viewer.context().close();
	await manager.context().close();
});

test('a delete-level user removes it; every viewer sees the row go', async ({ browser }) => {
	const watcher = await pageAs(browser, 'manager@acme.example', '/integrations');
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	await deleter.getByRole('checkbox', { name: `Select ${name}` }).check();
	await deleter.getByRole('button', { name: 'Remove selected…' }).click();
	const dialog = deleter.getByRole('dialog');
	await expect(dialog).toContainText('repositories');
	await expect(dialog).toContainText('commits');
	await expect(dialog).toContainText('Once started, a deletion cannot be cancelled.');
	await dialog.getByRole('button', { name: 'Delete' }).click();

	for (const page of [deleter, watcher]) {
		await expect(page.locator(`tr[data-integration="${name}"]`)).toHaveCount(0, { timeout: 60_000 });
	}
	await expect(deleter.getByRole('status').filter({ hasText: `“${name}” deleted` })).toBeVisible();
	await watcher.context().close();
	await deleter.context().close();
});
