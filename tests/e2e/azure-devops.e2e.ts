// Azure DevOps in a real browser, against the simulated Azure DevOps `npm start` runs: the demo
// integration (Acme's organisation) becomes healthy and makes way; a manager adds the same
// organisation with a personal access token (its CA pasted) while a viewer in another browser
// watches it go from processing to healthy without a reload; its Repos tab shows the projects; a
// delete-level user deletes it and nothing of it is left.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { becameHealthyLive, deleteThroughUi, demoMakesWay, pageAs, rowsOf, watchStatus } from './support/integrations.ts';

test.describe.configure({ mode: 'serial' });

interface Simulated {
	caFile: string;
	azureDevOps: { https: string; organizations: string[]; projects: string[]; tokens: { full: string } };
}
const simulator = (): Simulated => JSON.parse(readFileSync(path.join(process.env.TRIBUTARY_E2E_DATA_DIR!, 'simulator', 'ready.json'), 'utf8')) as Simulated;
const name = `Azure ${Date.now()}`;
const tables = ['integrations', 'groups', 'repos', 'commits', 'tags', 'pull_requests', 'pull_request_reviews', 'pull_request_comments'];

test('the demo Azure DevOps integration becomes healthy, then makes way (an organisation holds a repository once)', async ({ browser }) => {
	test.setTimeout(300_000);
	await demoMakesWay(browser, 'Demo Azure DevOps (simulator)');
});

test('a manager adds an Azure DevOps organisation with a personal access token; a viewer watches it become healthy live', async ({ browser }) => {
	test.setTimeout(240_000);
	const { azureDevOps, caFile } = simulator();
	const watching = await watchStatus(browser, name);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /Azure DevOps/ }).click();
	await manager.getByLabel('Name', { exact: true }).fill(name);
	await manager.getByLabel('Organization URL').fill(`${azureDevOps.https}/${azureDevOps.organizations[0]}`);
	await manager.getByRole('textbox', { name: 'Personal access token' }).fill(azureDevOps.tokens.full);
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	await expect(manager.locator('tr[data-repo="Acme Inc/web"]')).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });
	// A disabled repository (Azure refuses to read it) is listed, not imported.
	await expect(manager.locator('tr[data-repo="Platform/worker"]')).toHaveAttribute('data-status', 'excluded');
	await becameHealthyLive(watching, name, 'Repos, Pull requests', azureDevOps.tokens.full);
	expect(await manager.content()).not.toContain(azureDevOps.tokens.full);
	await watching.viewer.context().close();
	await manager.context().close();
});

test('its Repos tab lists the organisation’s projects, with pull requests, votes and comments', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name }).first().click();
	const groups = manager.getByRole('table').filter({ hasText: 'Auto-import' });
	const organization = simulator().azureDevOps.organizations[0]!;
	for (const project of simulator().azureDevOps.projects.filter((p) => p.startsWith(`${organization}/`))) await expect(groups).toContainText(project.slice(organization.length + 1));
	const counts = await rowsOf(name, tables);
	expect(counts.pull_requests).toBeGreaterThan(0);
	expect(counts.pull_request_reviews! + counts.pull_request_comments!).toBeGreaterThan(0);
	await manager.context().close();
});

test('a delete-level user deletes it, and nothing of it is left', async ({ browser }) => {
	test.setTimeout(180_000);
	expect((await rowsOf(name, tables)).repos).toBeGreaterThan(0);
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	await deleteThroughUi(deleter, name, 'pull requests');
	expect(Object.values(await rowsOf(name, tables)).every((n) => n === 0), JSON.stringify(await rowsOf(name, tables))).toBe(true);
	await deleter.context().close();
});
