// Each demo user signs in and sees what their level allows; what they may not use is hidden or
// disabled, and a forged request is refused with 403 all the same.
import { expect, test, type Page } from '@playwright/test';
import { demoSignIns, signInAs } from './support/sign-in.ts';

const runSelfCheck = { name: 'Run self-check' };

test('a signed-out visitor is sent to sign in, and comes back after', async ({ page }) => {
	await page.goto('/users');
	await expect(page).toHaveURL(/\/sign-in\?next=%2Fusers$/);
	await page.getByLabel('Email').fill('admin@acme.example');
	await page.getByLabel('Password').fill('wrong password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toContainText('That email and password do not match an account.');
});

for (const email of ['none@acme.example', 'viewer@acme.example']) {
	test(`${email} watches the System page but cannot run, and has no Users page`, async ({ page }) => {
		await signInAs(page, email);
		await expect(page.getByRole('button', runSelfCheck)).toBeDisabled();
		await expect(page.getByText('running one needs the Manage Integrations level')).toBeVisible();
		await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

		// Forged: the same requests the hidden controls would send.
		const forged = await page.request.post('/system?/runSelfCheck', {
			headers: { origin: new URL(page.url()).origin, 'x-sveltekit-action': 'true', accept: 'application/json' },
			form: {}
		});
		expect(forged.status()).toBe(403);
		const users = await page.goto('/users');
		expect(users?.status()).toBe(403);
		await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
	});
}

for (const email of ['manager@acme.example', 'deleter@acme.example']) {
	test(`${email} may run a self-check but not manage users`, async ({ page }) => {
		await signInAs(page, email);
		await expect(page.getByRole('button', runSelfCheck)).toBeEnabled();
		await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
		const forged = await page.request.post('/users?/createUser', {
			headers: { origin: new URL(page.url()).origin, 'x-sveltekit-action': 'true', accept: 'application/json' },
			form: { email: 'sneaky@acme.example', name: 'Sneaky', password: 'a long enough password', level: 'delete' }
		});
		expect(forged.status()).toBe(403);
	});
}

/** How many hold the delete level, as the Users page says: other tests may have added people. */
async function deleteHolders(page: Page): Promise<number> {
	const text = await page.getByTestId('delete-holders').textContent();
	const count = Number(/(\d+)\s+(?:people hold|person holds)/.exec(text ?? '')?.[1]);
	expect(count, text ?? '').toBeGreaterThan(0);
	return count;
}

test('an admin manages users: asked before granting delete, sees the count and the audit', async ({ page }) => {
	await signInAs(page, 'admin@acme.example', '/users');
	const holders = page.getByTestId('delete-holders');
	const before = await deleteHolders(page);
	for (const user of demoSignIns().filter((d) => d.organization === 'Acme')) await expect(page.locator(`tr[data-user="${user.email}"]`)).toHaveCount(1);
	await expect(page.getByText('admin@globex.example')).toHaveCount(0);

	const row = page.locator('tr[data-user="viewer@acme.example"]');
	await row.getByRole('combobox', { name: 'Level for viewer@acme.example' }).selectOption('delete');
	await row.getByRole('button', { name: 'Save' }).click();
	const dialog = page.getByRole('dialog', { name: 'Grant “delete” to viewer@acme.example?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(`${before} people hold it now.`);
	await dialog.getByRole('button', { name: 'Grant delete' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'viewer@acme.example now has the “delete” level.' })).toBeVisible();
	await expect(holders).toContainText(`${before + 1} people hold`);
	await expect(page.getByRole('region', { name: 'Recent changes' })).toContainText('Changed viewer@acme.example: “view” → “delete”');

	// And back, which needs no confirmation.
	await row.getByRole('combobox', { name: 'Level for viewer@acme.example' }).selectOption('view');
	await row.getByRole('button', { name: 'Save' }).click();
	await expect(holders).toContainText(`${before} people hold`);
});

test('an admin adds a person, who can then sign in', async ({ page, browser }) => {
	// Someone new on every run, so the test passes against a system it ran on before.
	const email = `new.person.${Date.now().toString(36)}@acme.example`;
	await signInAs(page, 'admin@acme.example', '/users');
	const add = page.getByRole('region', { name: 'Add a person' });
	await add.getByLabel('Email').fill(email);
	await add.getByLabel('Name').fill('New Person');
	await add.getByLabel('Password').fill('short');
	await add.getByRole('button', { name: 'Add person' }).click();
	// The browser holds the form back and says why, before the server ever sees it.
	expect(await add.getByLabel('Password').evaluate((input: HTMLInputElement) => input.validationMessage)).not.toBe('');
	await add.getByLabel('Password').fill('a long enough password');
	await add.getByRole('button', { name: 'Add person' }).click();
	await expect(page.getByRole('status').filter({ hasText: `Added ${email}` })).toBeVisible();

	const other = await browser.newPage();
	await other.goto('/sign-in');
	await other.getByLabel('Email').fill(email);
	await other.getByLabel('Password').fill('a long enough password');
	await other.getByRole('button', { name: 'Sign in' }).click();
	// Home is the integrations page for anyone who may see it (a new person has "view").
	await expect(other).toHaveURL(/\/integrations$/);
	await expect(other.getByText('New Person · Acme')).toBeVisible();
	await other.close();
});

test('the other organisation’s admin sees only their own people', async ({ page }) => {
	await signInAs(page, 'admin@globex.example', '/users');
	await expect(page.locator('tr[data-user="admin@globex.example"]')).toHaveCount(1);
	const shown = await page.locator('tr[data-user]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-user')));
	expect(shown.filter((email) => !email?.endsWith('@globex.example'))).toEqual([]);
	await expect(page.getByText('acme.example')).toHaveCount(0);
});
