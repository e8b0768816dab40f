// GitLab in a real browser, against the simulated self-managed GitLab `npm start` runs (under
// /gitlab on the simulator): the demo GitLab integration becomes healthy and makes way (Acme may
// hold each project once); a manager adds one
// with an access token (its CA pasted) while a viewer in another browser watches it go from
// processing to healthy without a reload; its Repos tab shows groups and subgroups; a
// delete-level user deletes it and nothing of it is left.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { becameHealthyLive, deleteThroughUi, demoMakesWay, pageAs, rowsOf, watchStatus } from './support/integrations.ts';

test.describe.configure({ mode: 'serial' });

const dataDir = () => process.env.TRIBUTARY_E2E_DATA_DIR!;
interface Simulated {
	caFile: string;
	gitlab: { https: string; tokens: { full: string } };
}
const simulator = (): Simulated => JSON.parse(readFileSync(path.join(dataDir(), 'simulator', 'ready.json'), 'utf8')) as Simulated;
const name = `Tanuki ${Date.now()}`;

const tables = ['integrations', 'groups', 'repos', 'commits', 'tags', 'pull_requests', 'pull_request_reviews', 'pull_request_comments'];

test('the demo GitLab integration becomes healthy, then makes way (an organisation holds a project once)', async ({ browser }) => {
	test.setTimeout(300_000);
	await demoMakesWay(browser, 'Demo GitLab (simulator)');
});

test('a manager adds a self-managed GitLab with an access token; a viewer watches it become healthy live', async ({ browser }) => {
	test.setTimeout(240_000);
	const watching = await watchStatus(browser, name);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /GitLab self-managed/ }).click();
	await manager.getByLabel('Name', { exact: true }).fill(name);
	await manager.getByLabel('Server URL').fill(simulator().gitlab.https);
	await manager.getByRole('textbox', { name: 'Access token' }).fill(simulator().gitlab.tokens.full);
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(simulator().caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	// Projects of a subgroup are named by their full path.
	await expect(manager.locator('tr[data-repo="acme/platform/worker"]')).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });

	// GitLab's own word for them.
	await becameHealthyLive(watching, name, 'Repos, Merge requests', simulator().gitlab.tokens.full);
	expect(await manager.content()).not.toContain(simulator().gitlab.tokens.full);
	await watching.viewer.context().close();
	await manager.context().close();
});

test('its Repos tab lists groups, subgroups and the personal namespace', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name }).first().click();
	const groups = manager.getByRole('table').filter({ hasText: 'Auto-import' });
	for (const group of ['acme', 'acme/platform', 'globex', 'sim-user']) await expect(groups).toContainText(group);
	// Merge requests came in with their reviews and comments.
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
