// An action for all integrations in a real browser: a delete-level user recomputes background
// metrics from the menu; they and a viewer watching the same page both get the banner when it ends.
import { expect, test } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';

test('Update background metrics: whoever watches the integrations page gets the banner', async ({ browser }) => {
	const viewer = await (await browser.newContext()).newPage();
	await signInAs(viewer, 'viewer@acme.example', '/integrations');
	const deleter = await (await browser.newContext()).newPage();
	await signInAs(deleter, 'deleter@acme.example', '/integrations');

	await deleter.getByText('Actions for all integrations').click();
	await deleter.getByRole('button', { name: /Update background metrics/ }).click();
	await expect(deleter.getByRole('status').filter({ hasText: 'Recomputing background metrics from stored data.' })).toBeVisible();
	for (const page of [deleter, viewer]) {
		const banner = page.getByRole('status').filter({ hasText: 'Background metrics update finished' });
		await expect(banner).toBeVisible({ timeout: 60_000 });
		await expect(banner).toContainText(/\d+ integrations? done\./);
	}
	await viewer.context().close();
	await deleter.context().close();
});
