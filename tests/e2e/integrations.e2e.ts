// The core loop in a real browser: a manager adds a Generic Git integration and watches it
// become healthy; a viewer in another browser sees the same live and has no controls, and still
// gets the banner of an update that ended while their connection was down; a delete-level user
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

async function pageAs(browser: Browser, email: string, next: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await signInAs(page, email, next);
	return page;
}

test('a manager adds an integration; a viewer watches it become healthy live, without controls', async ({ browser }) => {
	const viewer = await pageAs(browser, 'viewer@acme.example', '/integrations');
	await expect(viewer.getByRole('link', { name: 'Add integration' })).toHaveCount(0);
	await expect(viewer.getByRole('button', { name: 'Actions for all integrations' })).toHaveCount(0);

	// The viewer records every status the row shows, as it happens.
	const seen: string[] = [];
	await viewer.exposeFunction('recordStatus', (status: string) => {
		if (seen.at(-1) !== status) seen.push(status);
	});
	await viewer.evaluate((integrationName) => {
		const look = () => {
			const row = document.querySelector(`tr[data-integration="${integrationName}"]`);
			if (row) (window as unknown as { recordStatus(s: string): void }).recordStatus(row.getAttribute('data-status') ?? '');
		};
		new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
	}, name);

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

	// The viewer's row went through processing to healthy with no reload.
	const viewerRow = viewer.locator(`tr[data-integration="${name}"]`);
	await expect(viewerRow).toHaveAttribute('data-status', 'healthy', { timeout: 30_000 });
	expect(seen).toContain('healthy');
	expect(seen.indexOf('processing')).toBeGreaterThanOrEqual(0);
	expect(seen.indexOf('processing')).toBeLessThan(seen.lastIndexOf('healthy'));
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
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('checkbox', { name: `Select ${name}` }).check();
	await manager.getByRole('button', { name: 'Update', exact: true }).click();

	await expect(viewer.getByRole('progressbar', { name: `Update of ${name}` })).toBeVisible({ timeout: 30_000 });
	offline = true;
	await live!.close();
	const finished = (page: Page) => page.getByRole('status').filter({ hasText: `Update of “${name}” finished` });
	await expect(finished(manager)).toBeVisible({ timeout: 90_000 });
	await expect(finished(viewer)).toHaveCount(0);

	// Back online: this page lists only running operations, so the banner comes from asking the server.
	offline = false;
	await expect(finished(viewer)).toBeVisible({ timeout: 30_000 });
	await expect(viewer.locator(`tr[data-integration="${name}"]`)).toHaveAttribute('data-status', 'healthy');
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
	await dialog.getByRole('button', { name: 'Delete' }).click();

	for (const page of [deleter, watcher]) {
		await expect(page.locator(`tr[data-integration="${name}"]`)).toHaveCount(0, { timeout: 60_000 });
	}
	await expect(deleter.getByRole('status').filter({ hasText: `“${name}” deleted` })).toBeVisible();
	await watcher.context().close();
	await deleter.context().close();
});
