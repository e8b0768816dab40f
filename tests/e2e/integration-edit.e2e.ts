// Several managers edit the same integration in browsers on two web processes (SPEC F11), which
// hear of each other only through Postgres: each sees who else is on the form and in which field;
// a save by one reaches the others' open forms at once (a field they had not touched takes the new
// value, one they changed is kept and flagged); a save that raced past another's, on the same
// field, is refused with both values and a choice; on different fields, the two are merged.
import type { Browser, Page } from '@playwright/test';
import { embeddedPostgresUrl } from '../../scripts/engines/postgres.ts';
import { connectDatabase, type DatabaseHandle } from '#core/db/connect.ts';
import { providers } from '#core/domain/integrations/providers.ts';
import { createUser } from '../../src/lib/server/accounts/users.ts';
import { expect, test, type SecondWeb } from './support/second-web.ts';
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
	// Made here, in Globex, so no other test's table shows it. A GitHub Enterprise Server's: besides
	// its name, it has a field kept in the clear (its CA) that can change without a test of the
	// credentials, which need a server; renaming needs none, nor any repository.
	const integration = await database.db
		.insertInto('integrations')
		.values({
			organization_id: globex.id,
			kind: 'github-enterprise',
			name,
			base_url: 'https://github.globex.example',
			auth_method: 'personal-access-token',
			credential_summary: 'Personal access token of “gus-globex”',
			services: JSON.stringify(providers['github-enterprise'].services),
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

const editPage = () => `/integrations/${integrationId}/edit`;
const integrationPage = () => new RegExp(`/integrations/${integrationId}$`);

/** A browser of its own, served by the first web process, or by `web`. */
async function browserOn(browser: Browser, web?: SecondWeb): Promise<Page> {
	return (await browser.newContext(web ? { baseURL: web.url } : {})).newPage();
}

/** Signs `page` in (each web process's address has its own session) and opens the edit page. */
async function openEditor(page: Page, who: 'admin' | 'colleague'): Promise<Page> {
	if (who === 'admin') {
		await signInAs(page, 'admin@globex.example', editPage());
	} else {
		await page.goto(`/sign-in?next=${encodeURIComponent(editPage())}`);
		await page.getByLabel('Email').fill(colleague.email);
		await page.getByLabel('Password').fill(colleague.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page).toHaveURL(new RegExp(`${editPage()}$`));
	}
	return page;
}

async function editor(browser: Browser, who: 'admin' | 'colleague', web?: SecondWeb): Promise<Page> {
	return openEditor(await browserOn(browser, web), who);
}

/**
 * While `late.on`, the page's live connection loses every save announced to it (as if the news
 * came after its own save) and passes on everything else. Call before the page opens.
 */
async function missesSaves(page: Page): Promise<{ on: boolean }> {
	const late = { on: false };
	await page.routeWebSocket(/\/socket\.io\//, (socket) => {
		const server = socket.connectToServer();
		server.onMessage((message) => {
			if (!(late.on && String(message).includes('"integration.updated"'))) socket.send(message);
		});
		socket.onMessage((message) => server.send(message));
	});
	return late;
}

/** A CA certificate as the form reads one (its content is not checked until used). */
const certificate = ['-----BEGIN CERTIFICATE-----', 'MIIBszCCAVmgAwIBAgIUGlobexTestCaOnlyForTheEditForm', '-----END CERTIFICATE-----'].join('\n');

const nameField = (page: Page) => page.getByLabel('Name', { exact: true });
const caField = (page: Page) => page.getByLabel('CA certificate (optional)');
const alsoHere = (page: Page) => page.getByRole('status', { name: 'Also here' });

async function save(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(integrationPage());
}

test('three editors on two web processes: presence, live values into untouched fields, kept and flagged touched ones, and a refused race with both values', async ({ browser, secondWeb }) => {
	const admin = await editor(browser, 'admin');
	const colleaguePage = await editor(browser, 'colleague', secondWeb);
	const adminElsewhere = await editor(browser, 'admin', secondWeb);

	// Who else is here, and where they type, from one process to the other and back.
	await expect(alsoHere(admin)).toContainText(colleague.name);
	await nameField(colleaguePage).focus();
	await expect(alsoHere(admin)).toContainText(`${colleague.name} is editing Name`);
	await expect(alsoHere(colleaguePage)).toContainText('Gus Globex');
	await nameField(admin).focus();
	await expect(alsoHere(colleaguePage)).toContainText('Gus Globex is editing Name');

	// The colleague changes the name but does not save; the admin saves another name.
	await nameField(colleaguePage).fill(`${name} by the colleague`);
	await nameField(admin).fill(`${name} by the admin`);
	await save(admin);

	// An open form that had not touched the name takes the new one, and says so…
	await expect(nameField(adminElsewhere)).toHaveValue(`${name} by the admin`);
	await expect(adminElsewhere.locator('[data-field="name"][data-note="taken"]')).toBeVisible();
	// …one that had keeps its own, flagged with what was saved meanwhile.
	await expect(colleaguePage.locator('[data-field="name"][data-note="kept"]')).toContainText(`${name} by the admin`);
	await expect(nameField(colleaguePage)).toHaveValue(`${name} by the colleague`);

	// A save that races past another one: this browser hears nothing of the other save before its
	// own. Refused, with both values.
	const racer = await browserOn(browser, secondWeb);
	const late = await missesSaves(racer);
	await openEditor(racer, 'admin');
	await expect(nameField(racer)).toHaveValue(`${name} by the admin`);
	late.on = true;
	await admin.goto(editPage());
	await nameField(admin).fill(`${name} renamed again`);
	await save(admin);
	await nameField(racer).fill(`${name} from the racer`);
	await racer.getByRole('button', { name: 'Save' }).click();
	const conflicts = racer.getByRole('region', { name: 'Changed by both of you' });
	await expect(conflicts).toContainText(`Theirs: ${name} renamed again`);
	await expect(conflicts).toContainText(`Yours: ${name} from the racer`);
	// Mine on top: saved over theirs, knowingly.
	await conflicts.getByRole('button', { name: 'Apply mine on top' }).click();
	await expect(racer).toHaveURL(integrationPage());
	await expect(racer.getByRole('heading', { level: 1 })).toHaveText(`${name} from the racer`);

	for (const page of [admin, colleaguePage, adminElsewhere, racer]) await page.context().close();
});

test('two editors on two web processes: a race on one field offers Keep theirs; changes to different fields are merged', async ({ browser, secondWeb }) => {
	const admin = await editor(browser, 'admin');
	const colleaguePage = await browserOn(browser, secondWeb);
	// The colleague's page misses the admin's saves: each of its saves is made on the version it loaded.
	const late = await missesSaves(colleaguePage);
	await openEditor(colleaguePage, 'colleague');
	await expect(nameField(colleaguePage)).toHaveValue(await nameField(admin).inputValue());
	late.on = true;

	// Both rename it: the second save is refused, with both values; the colleague keeps theirs.
	await nameField(admin).fill(`${name} (admin)`);
	await save(admin);
	await nameField(colleaguePage).fill(`${name} (colleague)`);
	await colleaguePage.getByRole('button', { name: 'Save' }).click();
	const conflicts = colleaguePage.getByRole('region', { name: 'Changed by both of you' });
	await expect(conflicts).toContainText(`Theirs: ${name} (admin)`);
	await expect(conflicts).toContainText(`Yours: ${name} (colleague)`);
	await conflicts.getByRole('button', { name: 'Keep theirs' }).click();
	await expect(conflicts).toBeHidden();
	await expect(nameField(colleaguePage)).toHaveValue(`${name} (admin)`);

	// Different fields: the colleague gives the server's CA while the admin renames it again and
	// saves first. The colleague's save, made on the older version, is merged: both stay.
	await admin.goto(editPage());
	await caField(colleaguePage).fill(certificate);
	await expect(alsoHere(admin)).toContainText(`${colleague.name} is editing CA certificate`);
	await nameField(admin).fill(`${name} (admin again)`);
	await save(admin);
	await save(colleaguePage);
	await expect(colleaguePage.getByRole('heading', { level: 1 })).toHaveText(`${name} (admin again)`);
	await admin.goto(editPage());
	await expect(nameField(admin)).toHaveValue(`${name} (admin again)`);
	await expect(caField(admin)).toHaveValue(`${certificate}\n`);

	for (const page of [admin, colleaguePage]) await page.context().close();
});
