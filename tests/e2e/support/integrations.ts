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

/** Deletes an integration as a delete-level person does: its checkbox, Remove selected, the dialog (which names `lost`). */
export async function deleteThroughUi(deleter: Page, integrationName: string, lost: string): Promise<void> {
	await deleter.goto('/integrations');
	await deleter.getByRole('checkbox', { name: `Select ${integrationName}` }).check();
	await deleter.getByRole('button', { name: 'Remove selected…' }).click();
	const dialog = deleter.getByRole('dialog');
	await expect(dialog).toContainText(lost);
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(deleter.locator(`tr[data-integration="${integrationName}"]`)).toHaveCount(0, { timeout: 120_000 });
}
