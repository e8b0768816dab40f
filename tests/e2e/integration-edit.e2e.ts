// Two people edit the same integration in two browsers: the second save is refused with what the
// first made of it, the form then shows theirs, and a save from there goes through.
import { expect, test } from '@playwright/test';
import { embeddedPostgresUrl } from '../../scripts/engines/postgres.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { signInAs } from './support/sign-in.ts';

let database: DatabaseHandle;
let integrationId: string;
const name = `Edited ${Date.now().toString(36)}`;

test.beforeAll(async () => {
	database = connectDatabase(embeddedPostgresUrl(process.env.TRIBUTARY_E2E_DATA_DIR!), { max: 1 });
	const globex = await database.db.selectFrom('organizations').select('id').where('name', '=', 'Globex').executeTakeFirstOrThrow();
	// Made here, in Globex, so no other test's table shows it; renaming needs no repository.
	const integration = await database.db
		.insertInto('integrations')
		.values({
			organization_id: globex.id,
			kind: 'generic-git',
			name,
			auth_method: 'none',
			credential_summary: 'No credentials: public repositories',
			services: JSON.stringify(['repos']),
			status_detail: null,
			last_updated_at: null,
			added_by_email: 'admin@globex.example'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	integrationId = integration.id;
});

test.afterAll(async () => {
	if (integrationId) {
		await database.db.deleteFrom('integrations').where('id', '=', integrationId).execute();
	}
	await database?.close();
});

test('the second of two saves is refused, shows the first, and can then be saved', async ({ browser }) => {
	const editor = async () => {
		const page = await (await browser.newContext()).newPage();
		await signInAs(page, 'admin@globex.example', `/integrations/${integrationId}/edit`);
		return page;
	};
	// Both open the form before either saves.
	const first = await editor();
	const second = await editor();

	await first.getByLabel('Name', { exact: true }).fill(`${name} by the first`);
	await first.getByRole('button', { name: 'Save' }).click();
	await expect(first).toHaveURL(new RegExp(`/integrations/${integrationId}$`));

	await second.getByLabel('Name', { exact: true }).fill(`${name} by the second`);
	await second.getByRole('button', { name: 'Save' }).click();
	const refusal = second.getByRole('alert').filter({ hasText: 'Not saved' });
	await expect(refusal).toContainText(`it is now “${name} by the first”`);
	await expect(second.getByLabel('Name', { exact: true })).toHaveValue(`${name} by the first`);

	// From what the form shows now, a save goes through.
	await second.getByLabel('Name', { exact: true }).fill(`${name} by the second`);
	await second.getByRole('button', { name: 'Save' }).click();
	await expect(second).toHaveURL(new RegExp(`/integrations/${integrationId}$`));
	await expect(second.getByRole('heading', { level: 1 })).toHaveText(`${name} by the second`);
	await first.context().close();
	await second.context().close();
});
