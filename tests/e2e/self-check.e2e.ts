// A person on the System page: runs the self-check, watches the bar move and the banner appear;
// reloads mid-run; loses the live connection while the run ends, or the web process serving the
// page restarts meanwhile, and still gets the banner, once; and the worker is killed under them and
// the run still ends.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page, WebSocketRoute } from '@playwright/test';
import { expect, test } from './support/second-web.ts';
import { signInAs } from './support/sign-in.ts';

test.describe.configure({ mode: 'serial' });

// A manager may run self-checks.
test.beforeEach(async ({ page }) => signInAs(page, 'manager@acme.example'));

const firstBar = (page: Page) => page.getByRole('progressbar', { name: 'Postgres round trips' });
const passedBanner = (page: Page) => page.getByRole('status').filter({ hasText: 'Self-check passed' });

async function barValue(page: Page): Promise<number> {
	return Number(await firstBar(page).getAttribute('aria-valuenow'));
}

/** Starts a run and waits until its first bar is at `atLeast` (the previous run's full bar does not count). */
async function startAndWaitFor(page: Page, atLeast: number): Promise<void> {
	await page.getByRole('button', { name: 'Run self-check' }).click();
	await expect(page.getByRole('region', { name: 'Latest self-check' })).toContainText('Running');
	await expect.poll(() => barValue(page), { intervals: [50], timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
}

test('every component is up, and the self-check runs with live progress and a banner', async ({ page }) => {
	await page.goto('/system');
	for (const component of ['postgres', 'temporal', 'worker', 'realtime']) {
		await expect(page.locator(`[data-component="${component}"]`)).toHaveAttribute('data-state', 'ok');
	}
	await page.getByRole('button', { name: 'Run self-check' }).click();
	// The bar advances while it runs: several distinct values below the end, seen without reload.
	const seen = new Set<number>();
	await expect
		.poll(
			async () => {
				const value = await barValue(page);
				if (value > 0 && value < 20) seen.add(value);
				return seen.size;
			},
			{ intervals: [50], timeout: 20_000 }
		)
		.toBeGreaterThanOrEqual(3);

	await expect(passedBanner(page)).toBeVisible({ timeout: 30_000 });
	await expect(page.getByRole('region', { name: 'Latest self-check' })).toContainText('Succeeded');
	for (const bar of await page.getByRole('progressbar').all()) {
		expect(await bar.getAttribute('aria-valuenow')).toBe(await bar.getAttribute('aria-valuemax'));
	}
	await expect(page.getByRole('button', { name: 'Run self-check' })).toBeEnabled();
});

test('a reload mid-run shows the progress so far from Postgres, then carries on live', async ({ page }) => {
	await page.goto('/system');
	await startAndWaitFor(page, 5);

	// Read the server-rendered page before any script runs: the count comes from Postgres.
	const html = await (await page.request.get('/system')).text();
	const rendered = Number(/aria-label="Postgres round trips"[^>]*aria-valuenow="(\d+)"/.exec(html)?.[1]);
	expect(rendered).toBeGreaterThanOrEqual(5);

	await page.reload();
	expect(await barValue(page)).toBeGreaterThanOrEqual(5);
	await expect(passedBanner(page)).toBeVisible({ timeout: 30_000 });
});

test('the worker is killed mid-run; it restarts and the page shows the run completed', async ({ page }) => {
	await page.goto('/system');
	await startAndWaitFor(page, 3);

	const pidFile = path.join(process.env.TRIBUTARY_E2E_DATA_DIR!, 'run', 'worker.pid');
	const pid = Number(readFileSync(pidFile, 'utf8'));
	process.kill(pid, 'SIGKILL');

	// `npm start` restarts the worker; Temporal retries the interrupted check on it.
	await expect(passedBanner(page)).toBeVisible({ timeout: 75_000 });
	await expect(page.getByRole('region', { name: 'Latest self-check' })).toContainText('Succeeded');
	expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(pid);
});

test('the live connection drops while a run ends; once it is back, the banner still says how it went', async ({ page }) => {
	// The page's Socket.IO connections go through here: while "offline", every new one is closed at once.
	let offline = false;
	let live: WebSocketRoute | undefined;
	await page.routeWebSocket(/\/socket\.io\//, (ws) => {
		if (offline) return ws.close();
		ws.connectToServer();
		live = ws;
	});
	await page.goto('/system');
	await startAndWaitFor(page, 3);

	offline = true;
	await live!.close();
	await expect(page.getByText('Live updates are connecting')).toBeVisible();

	// A second page, connected throughout, sees the run end; the first one heard nothing of it.
	const watcher = await page.context().newPage();
	await watcher.goto('/system');
	await expect(passedBanner(watcher)).toBeVisible({ timeout: 30_000 });
	await expect(passedBanner(page)).toHaveCount(0);

	offline = false;
	await expect(page.getByText('Live updates are connecting')).toBeHidden({ timeout: 30_000 });
	await expect(passedBanner(page)).toBeVisible();
	await expect(page.getByRole('region', { name: 'Latest self-check' })).toContainText('Succeeded');
	await watcher.close();
});

test('the web process serving the page restarts while a run ends; back on it, the page says how it went, once', async ({ page, browser, secondWeb }) => {
	// `page` watches from the first web process; the run is started from a page on the second.
	const away = await (await browser.newContext({ baseURL: secondWeb.url })).newPage();
	// The page's clock runs as usual but can be sent ahead, as when a laptop's lid is opened again.
	await away.clock.install();
	await signInAs(away, 'manager@acme.example');
	await startAndWaitFor(away, 1);

	// Stopped as a deploy stops it: its pages lose their connection and keep trying. The watcher,
	// which saw the run start, sees it end.
	await secondWeb.stop();
	await expect(away.getByText('Live updates are connecting')).toBeVisible();
	await expect(passedBanner(page)).toBeVisible({ timeout: 30_000 });
	await expect(passedBanner(away)).toHaveCount(0);
	// A while passes with the server away: every timer of the page that was due runs (the page
	// looks at its components again now and then), and the page stays as it was.
	await away.clock.fastForward('00:20');
	await expect(away.getByRole('region', { name: 'Latest self-check' })).toContainText('Running');

	// Started again on the same port: the page reconnects by itself and learns how the run ended.
	await secondWeb.start();
	await expect(away.getByText('Live updates are connecting')).toBeHidden({ timeout: 30_000 });
	await expect(passedBanner(away)).toBeVisible();
	await expect(away.getByRole('region', { name: 'Latest self-check' })).toContainText('Succeeded');
	await expect(passedBanner(away)).toHaveCount(1);
	await away.context().close();
});
