// GitHub in a real browser, against the simulated GitHub Enterprise Server `npm start` runs: a
// manager adds one with a token (its CA pasted), a viewer in another browser watches it go from
// processing to healthy without a reload; its Repos, Services and Webhooks tabs work; a
// delete-level user deletes it and nothing of it is left; and one is added with a GitHub App.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { deleteThroughUi, pageAs, rowsOf } from './support/integrations.ts';

test.describe.configure({ mode: 'serial' });

const dataDir = () => process.env.TRIBUTARY_E2E_DATA_DIR!;
interface Simulated {
	https: string;
	caFile: string;
	appPrivateKeyFile: string;
	tokens: { classic: string };
	app: { id: number; installations: Array<{ id: number; account: string }> };
}
const simulator = (): Simulated => JSON.parse(readFileSync(path.join(dataDir(), 'simulator', 'ready.json'), 'utf8')) as Simulated;
const name = `Octo ${Date.now()}`;

/** Every status the viewer's row of `integration` shows, as it happens in this document. */
async function recordStatuses(page: Page, integration: string): Promise<string[]> {
	const seen: string[] = [];
	await page.exposeFunction('recordGitHubStatus', (status: string) => {
		if (seen.at(-1) !== status) seen.push(status);
	});
	await page.evaluate((wanted) => {
		const look = () => {
			const row = document.querySelector(`tr[data-integration="${wanted}"]`);
			if (row) (window as unknown as { recordGitHubStatus(s: string): void }).recordGitHubStatus(row.getAttribute('data-status') ?? '');
		};
		look();
		new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
	}, integration);
	return seen;
}

const tables = ['integrations', 'groups', 'repos', 'commits', 'commit_files', 'tags', 'pull_requests', 'webhook_deliveries'];

test('the demo GitHub integration makes way (a delete-level user deletes it)', async ({ browser }) => {
	test.setTimeout(240_000);
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	// `npm start` adds the demo integrations once its server answers: wait for this one to be there.
	const demoRow = deleter.locator('tr[data-integration="Demo GitHub (simulator)"]');
	await expect
		.poll(
			async () => {
				await deleter.reload();
				return demoRow.count();
			},
			{ timeout: 180_000, intervals: [2_000] }
		)
		.toBe(1);
	await deleteThroughUi(deleter, 'Demo GitHub (simulator)', 'repositories');
	await deleter.context().close();
});

test('a manager adds GitHub Enterprise Server with a token; a viewer watches it become healthy live', async ({ browser }) => {
	test.setTimeout(240_000);
	const viewer = await pageAs(browser, 'viewer@acme.example', '/integrations');
	const seen = await recordStatuses(viewer, name);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /GitHub Enterprise Server/ }).click();
	await manager.getByLabel('Name', { exact: true }).fill(name);
	await manager.getByLabel('Server URL').fill(simulator().https);
	await manager.getByRole('textbox', { name: 'Personal access token' }).fill(simulator().tokens.classic);
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(simulator().caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	await expect(manager.locator('tr[data-repo="acme/api"]')).toHaveAttribute('data-status', 'healthy', { timeout: 120_000 });

	const viewerRow = viewer.locator(`tr[data-integration="${name}"]`);
	await expect(viewerRow).toHaveAttribute('data-status', 'healthy', { timeout: 120_000 });
	expect(seen, seen.join(' → ')).toContain('processing');
	expect(seen.at(-1)).toBe('healthy');
	// Its services in words, as the Services tab names them.
	await expect(viewerRow.locator('td[data-column="services"]')).toHaveText('Repos, Pull requests');
	// No secret reached either page.
	for (const page of [viewer, manager]) expect(await page.content()).not.toContain(simulator().tokens.classic);
	await viewer.context().close();
	await manager.context().close();
});

test('its Repos, Services and Webhooks tabs work', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name }).first().click();
	// Repos: the simulator's organisations are groups, each with its repositories imported.
	const groups = manager.getByRole('table').filter({ hasText: 'Auto-import' });
	await expect(groups).toContainText('acme');
	await expect(groups).toContainText('globex');
	// Services: pull requests off, then on again, each saved and audited.
	const services = manager.locator('section').filter({ has: manager.getByRole('heading', { name: 'Services' }) });
	await services.getByRole('button', { name: 'Turn off' }).last().click();
	await expect(services).toContainText(/Pull requests: off/);
	await services.getByRole('button', { name: 'Turn on' }).click();
	await expect(services).toContainText(/Pull requests: on/);
	// Webhooks: a secret is made, shown once, and the payload URL appears.
	await manager.getByRole('link', { name: 'Webhooks' }).click();
	await manager.getByRole('button', { name: /Make a secret/ }).click();
	const secret = (await manager.locator('[data-secret]').textContent())!.trim();
	expect(secret.length).toBeGreaterThan(30);
	await expect(manager.locator('[data-endpoint]')).toContainText('/webhooks/');
	await manager.reload();
	expect(await manager.content()).not.toContain(secret);
	await manager.context().close();
});

test('a delete-level user deletes it, and nothing of it is left', async ({ browser }) => {
	expect((await rowsOf(name, tables)).repos).toBeGreaterThan(0);
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	await deleteThroughUi(deleter, name, 'repositories');
	expect(Object.values(await rowsOf(name, tables)).every((n) => n === 0), JSON.stringify(await rowsOf(name, tables))).toBe(true);
	await deleter.context().close();
});

test('a manager adds one with a GitHub App', async ({ browser }) => {
	test.setTimeout(240_000);
	const { app, appPrivateKeyFile, https, caFile } = simulator();
	const installation = app.installations.find((i) => i.account === 'globex') ?? app.installations[0]!;
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations/new/github-enterprise');
	await manager.getByLabel('Name', { exact: true }).fill(`${name} App`);
	await manager.getByRole('radio', { name: 'GitHub App' }).check();
	await manager.getByLabel('Server URL').fill(https);
	await manager.getByLabel('App ID').fill(String(app.id));
	await manager.getByLabel('Installation ID').fill(String(installation.id));
	await manager.getByLabel('App private key').fill(readFileSync(appPrivateKeyFile, 'utf8'));
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	await expect(manager.locator(`tr[data-repo="${installation.account}/api"]`)).toHaveAttribute('data-status', 'healthy', { timeout: 120_000 });
	expect(await manager.content()).not.toContain('PRIVATE KEY');
	await manager.context().close();
});
