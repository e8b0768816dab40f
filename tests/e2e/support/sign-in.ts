import { expect, type Page } from '@playwright/test';
import { readDemoSignIns, type DemoSignIn } from '../../../scripts/demo-sign-ins.ts';

/** The demo sign-ins `npm start` made for this run's fresh data folder. */
export function demoSignIns(): DemoSignIn[] {
	return readDemoSignIns(process.env.TRIBUTARY_E2E_DATA_DIR!);
}

export function demo(email: string): DemoSignIn {
	const found = demoSignIns().find((s) => s.email === email);
	if (!found) throw new Error(`no demo user ${email}`);
	return found;
}

export async function signInAs(page: Page, email: string, next = '/system'): Promise<void> {
	const { password } = demo(email);
	await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(new RegExp(`${next.replace(/[?]/g, '\\?')}$`));
}
