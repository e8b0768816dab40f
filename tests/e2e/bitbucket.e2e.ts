// Bitbucket in a real browser, against the simulated Bitbucket `npm start` runs: the demo Bitbucket
// Data Center integration becomes healthy and makes way (Acme may hold each repository once); a
// manager adds a Data Center (HTTP access token, CA pasted) and a Bitbucket Cloud (email and API
// token) while a viewer in another browser watches each go from processing to healthy without a
// reload; their Repos tabs show projects and workspaces; a delete-level user deletes them and
// nothing of them is left.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { becameHealthyLive, deleteThroughUi, demoMakesWay, pageAs, rowsOf, watchStatus } from './support/integrations.ts';

test.describe.configure({ mode: 'serial' });

const dataDir = () => process.env.TRIBUTARY_E2E_DATA_DIR!;
interface Simulated {
	caFile: string;
	bitbucketCloud: { email: string; credentials: { apiTokens: { full: string } } };
	bitbucketDataCenter: { https: string; tokens: { full: string } };
}
const simulator = (): Simulated => JSON.parse(readFileSync(path.join(dataDir(), 'simulator', 'ready.json'), 'utf8')) as Simulated;
const serverName = `Bitbucket server ${Date.now()}`;
const cloudName = `Bitbucket Cloud ${Date.now()}`;

const tables = ['integrations', 'groups', 'repos', 'commits', 'tags', 'pull_requests', 'pull_request_reviews', 'pull_request_comments'];

test('the demo Bitbucket integration becomes healthy, then makes way (an organisation holds a repository once)', async ({ browser }) => {
	test.setTimeout(300_000);
	await demoMakesWay(browser, 'Demo Bitbucket (simulator)');
});

test('a manager adds a Bitbucket Data Center with an HTTP access token; a viewer watches it become healthy live', async ({ browser }) => {
	test.setTimeout(240_000);
	const watching = await watchStatus(browser, serverName);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /Bitbucket Data Center/ }).click();
	// The provider's own name for its tokens.
	await expect(manager.getByRole('radio', { name: 'HTTP access token' })).toBeChecked();
	await manager.getByLabel('Name', { exact: true }).fill(serverName);
	await manager.getByLabel('Server URL').fill(simulator().bitbucketDataCenter.https);
	await manager.getByRole('textbox', { name: 'HTTP access token' }).fill(simulator().bitbucketDataCenter.tokens.full);
	await manager.getByLabel('CA certificate (optional)').fill(readFileSync(simulator().caFile, 'utf8'));
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	await expect(manager.locator('tr[data-repo="ACME/worker"]')).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });
	await becameHealthyLive(watching, serverName, 'Repos, Pull requests', simulator().bitbucketDataCenter.tokens.full);
	expect(await manager.content()).not.toContain(simulator().bitbucketDataCenter.tokens.full);
	await watching.viewer.context().close();
	await manager.context().close();
});

test('a manager adds Bitbucket Cloud with an API token; a viewer watches it become healthy live', async ({ browser }) => {
	test.setTimeout(240_000);
	const watching = await watchStatus(browser, cloudName);
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	await manager.getByRole('link', { name: 'Add integration' }).click();
	await manager.getByRole('link', { name: /Bitbucket Cloud/ }).click();
	await manager.getByLabel('Name', { exact: true }).fill(cloudName);
	await manager.getByLabel('Atlassian account email').fill(simulator().bitbucketCloud.email);
	await manager.getByRole('textbox', { name: 'API token' }).fill(simulator().bitbucketCloud.credentials.apiTokens.full);
	await manager.getByRole('button', { name: 'Test connection and save' }).click();
	await expect(manager.getByRole('status').filter({ hasText: 'Connection works; integration saved' })).toBeVisible({ timeout: 30_000 });
	await expect(manager.locator('tr[data-repo="acme/worker"]')).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });
	await becameHealthyLive(watching, cloudName, 'Repos, Pull requests', simulator().bitbucketCloud.credentials.apiTokens.full);
	await watching.viewer.context().close();
	await manager.context().close();
});

test('their Repos tabs list projects and workspaces, with pull requests and their reviews', async ({ browser }) => {
	const manager = await pageAs(browser, 'manager@acme.example', '/integrations');
	for (const [name, groups] of [
		[serverName, ['ACME', 'GLOBEX', '~SIM-USER']],
		[cloudName, ['acme', 'globex', 'sim-user']]
	] as const) {
		await manager.goto('/integrations');
		await manager.getByRole('link', { name }).first().click();
		const table = manager.getByRole('table').filter({ hasText: 'Auto-import' });
		for (const group of groups) await expect(table).toContainText(group);
		const counts = await rowsOf(name, tables);
		expect(counts.pull_requests, name).toBeGreaterThan(0);
		expect(counts.pull_request_reviews! + counts.pull_request_comments!, name).toBeGreaterThan(0);
	}
	await manager.context().close();
});

test('a delete-level user deletes them, and nothing of them is left', async ({ browser }) => {
	test.setTimeout(240_000);
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	for (const name of [serverName, cloudName]) {
		expect((await rowsOf(name, tables)).repos).toBeGreaterThan(0);
		await deleteThroughUi(deleter, name, 'pull requests');
		expect(Object.values(await rowsOf(name, tables)).every((n) => n === 0), JSON.stringify(await rowsOf(name, tables))).toBe(true);
	}
	await deleter.context().close();
});
