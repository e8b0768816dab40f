// Several managers edit the same integration in three browsers (SPEC F11): each sees who else is
// on the form and in which field; a save by one reaches the others' open forms at once (a field
// they had not touched takes the new value, one they changed is kept and flagged); and a save that
// raced past another's, on the same field, is refused with both values and a choice.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { embeddedPostgresUrl } from '../../scripts/engines/postgres.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { createUser } from '../../src/lib/server/accounts/users.ts';
import { signInAs } from './support/sign-in.ts';

let database: DatabaseHandle;
let integrationId: string;
const name = `Edited ${Date.now().toString(36)}`;
const colleague = { email: `colleague-${Date.now().toString(36)}@globex.example`, name: 'Cleo Colleague', password: `pw-${crypto.randomUUID()}` };

test.beforeAll(async () => {
	database = connectDatabase(embeddedPostgresUrl(process.env.TRIBUTARY_E2E_DATA_DIR!), { max: 1 });
	const globex = await database.db.selectFrom('organizations').select('id').where('name', '=', 'Globex').executeTakeFirstOrThrow();
	// A second Globex manager: Globex's demo has one person, and presence is about the others.
	await createUser(database.db, null, { organizationId: globex.id, email: colleague.email, name: colleague.name, password: colleague.password, level: 'manage' });
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
	if (integrationId) await database.db.deleteFrom('integrations').where('id', '=', integrationId).execute();
	await database.db.deleteFrom('users').where('email', '=', colleague.email).execute();
	await database?.close();
});

async function editor(browser: Browser, who: 'admin' | 'colleague'): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	const next = `/integrations/${integrationId}/edit`;
	if (who === 'admin') {
		await signInAs(page, 'admin@globex.example', next);
	} else {
		await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
		await page.getByLabel('Email').fill(colleague.email);
		await page.getByLabel('Password').fill(colleague.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page).toHaveURL(new RegExp(`${next}$`));
	}
	return page;
}

const nameField = (page: Page) => page.getByLabel('Name', { exact: true });

test('three editors: presence, live values into untouched fields, kept and flagged touched ones, and a refused race with both values', async ({ browser }) => {
	const admin = await editor(browser, 'admin');
	const colleaguePage = await editor(browser, 'colleague');
	const adminElsewhere = await editor(browser, 'admin');

	// Who else is here, and where they type.
	const presence = admin.getByRole('status', { name: 'Also here' });
	await expect(presence).toContainText(colleague.name);
	await nameField(colleaguePage).focus();
	await expect(presence).toContainText(`${colleague.name} is editing Name`);
	await expect(colleaguePage.getByRole('status', { name: 'Also here' })).toContainText('Gus Globex');

	// The colleague changes the name but does not save; the admin saves another name.
	await nameField(colleaguePage).fill(`${name} by the colleague`);
	await nameField(admin).fill(`${name} by the admin`);
	await admin.getByRole('button', { name: 'Save' }).click();
	await expect(admin).toHaveURL(new RegExp(`/integrations/${integrationId}$`));

	// An open form that had not touched the name takes the new one, and says so…
	await expect(nameField(adminElsewhere)).toHaveValue(`${name} by the admin`);
	await expect(adminElsewhere.locator('[data-field="name"][data-note="taken"]')).toBeVisible();
	// …one that had keeps its own, flagged with what was saved meanwhile.
	await expect(colleaguePage.locator('[data-field="name"][data-note="kept"]')).toContainText(`${name} by the admin`);
	await expect(nameField(colleaguePage)).toHaveValue(`${name} by the colleague`);

	// A save that races past another one: this browser's live connection is held back (as if slow),
	// so it hears nothing of the other save before its own. Refused, with both values.
	let holdBack = false;
	const racer = await (await browser.newContext()).newPage();
	await racer.routeWebSocket(/socket\.io/, (socket) => {
		const server = socket.connectToServer();
		server.onMessage((message) => !holdBack && socket.send(message));
		socket.onMessage((message) => server.send(message));
	});
	await signInAs(racer, 'admin@globex.example', `/integrations/${integrationId}/edit`);
	await expect(nameField(racer)).toHaveValue(`${name} by the admin`);
	holdBack = true;
	await nameField(admin).page().goto(`/integrations/${integrationId}/edit`);
	await nameField(admin).fill(`${name} renamed again`);
	await admin.getByRole('button', { name: 'Save' }).click();
	await expect(admin).toHaveURL(new RegExp(`/integrations/${integrationId}$`));
	await nameField(racer).fill(`${name} from the racer`);
	await racer.getByRole('button', { name: 'Save' }).click();
	const conflicts = racer.getByRole('region', { name: 'Changed by both of you' });
	await expect(conflicts).toContainText(`Theirs: ${name} renamed again`);
	await expect(conflicts).toContainText(`Yours: ${name} from the racer`);
	// Mine on top: saved over theirs, knowingly.
	await conflicts.getByRole('button', { name: 'Apply mine on top' }).click();
	await expect(racer).toHaveURL(new RegExp(`/integrations/${integrationId}$`));
	await expect(racer.getByRole('heading', { level: 1 })).toHaveText(`${name} from the racer`);

	for (const page of [admin, colleaguePage, adminElsewhere, racer]) await page.context().close();
});
