// What the provider browser tests share: a person's own browser context, the rows an
// integration holds (read straight from the e2e system's Postgres), and deletion through the UI.
import { expect, type Browser, type Page } from '@playwright/test';
import pg from 'pg';
import { embeddedPostgresUrl } from '../../../scripts/engines/postgres.ts';
import { signInAs } from './sign-in.ts';

/** A new browser context signed in as `email`, at `next`. */
export async function pageAs(browser: Browser, email: string, next: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await signInAs(page, email, next);
	return page;
}

/** Rows of each table that belong to the integration named `integrationName` (its own row in `integrations`). */
export async function rowsOf(integrationName: string, tables: readonly string[]): Promise<Record<string, number>> {
	const client = new pg.Client({ connectionString: embeddedPostgresUrl(process.env.TRIBUTARY_E2E_DATA_DIR!) });
	await client.connect();
	try {
		const counts: Record<string, number> = {};
		for (const table of tables) {
			const column = table === 'integrations' ? 'name' : '(select name from integrations where id = integration_id)';
			const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${table} where ${column} = $1`, [integrationName]);
			counts[table] = rows[0]!.n;
		}
		return counts;
	} finally {
		await client.end();
	}
}

/** Deletes an integration as a delete-level person does: its checkbox, Remove selected, the dialog (which names each of `lost`). */
export async function deleteThroughUi(deleter: Page, integrationName: string, lost: string | readonly string[]): Promise<void> {
	await deleter.goto('/integrations');
	await deleter.getByRole('checkbox', { name: `Select ${integrationName}` }).check();
	await deleter.getByRole('button', { name: 'Remove selected…' }).click();
	const dialog = deleter.getByRole('dialog');
	for (const what of typeof lost === 'string' ? [lost] : lost) await expect(dialog).toContainText(what);
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(deleter.locator(`tr[data-integration="${integrationName}"]`)).toHaveCount(0, { timeout: 120_000 });
}

/** Waits for a demo integration (made by `npm start`) to be healthy, then deletes it: an organisation holds a repository once. */
export async function demoMakesWay(browser: Browser, demoName: string): Promise<void> {
	const deleter = await pageAs(browser, 'deleter@acme.example', '/integrations');
	const demoRow = deleter.locator(`tr[data-integration="${demoName}"]`);
	await expect
		.poll(
			async () => {
				await deleter.reload();
				return (await demoRow.count()) === 1 ? demoRow.getAttribute('data-status') : null;
			},
			{ timeout: 200_000, intervals: [3_000] }
		)
		.toBe('healthy');
	await deleteThroughUi(deleter, demoName, 'pull requests');
	await deleter.context().close();
}

export interface Watching {
	viewer: Page;
	/** Every status the row showed, in order, each once in a row. */
	seen: string[];
}

/** A viewer's page on the integrations table, recording every status the row named `name` shows, live (no reload). */
export async function watchStatus(browser: Browser, name: string): Promise<Watching> {
	const viewer = await pageAs(browser, 'viewer@acme.example', '/integrations');
	const seen: string[] = [];
	await viewer.exposeFunction('recordStatus', (status: string) => {
		if (seen.at(-1) !== status) seen.push(status);
	});
	await viewer.evaluate((wanted) => {
		const look = () => {
			const row = document.querySelector(`tr[data-integration="${wanted}"]`);
			if (row) (window as unknown as { recordStatus(s: string): void }).recordStatus(row.getAttribute('data-status') ?? '');
		};
		look();
		new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
	}, name);
	return { viewer, seen };
}

/** The watched row went through processing to healthy without a reload, shows `services`, and no page shows `secret`. */
export async function becameHealthyLive(watching: Watching, name: string, services: string, secret: string): Promise<void> {
	const row = watching.viewer.locator(`tr[data-integration="${name}"]`);
	await expect(row).toHaveAttribute('data-status', 'healthy', { timeout: 150_000 });
	expect(watching.seen, watching.seen.join(' → ')).toContain('processing');
	expect(watching.seen.at(-1)).toBe('healthy');
	await expect(row.locator('td[data-column="services"]')).toHaveText(services);
	expect(await watching.viewer.content()).not.toContain(secret);
}
