// End-to-end: the whole system started the way a new user starts it (`node scripts/start.ts`, on
// embedded defaults in a fresh data folder), driven in Debian's Chromium.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { freePort } from './scripts/engines/ports.ts';
import { e2eSystemEnv } from './tests/e2e/support/system-env.ts';

// Chosen once in the runner; Playwright's workers load this file again and inherit the values.
process.env.TRIBUTARY_E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'tributary-e2e-'));
process.env.TRIBUTARY_E2E_PORT ??= String(await freePort());
const port = Number(process.env.TRIBUTARY_E2E_PORT);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 90_000,
	reporter: [['list']],
	use: {
		baseURL,
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu']
		}
	},
	webServer: {
		command: 'node scripts/start.ts',
		url: `${baseURL}/health`,
		timeout: 300_000,
		reuseExistingServer: false,
		stdout: 'pipe',
		gracefulShutdown: { signal: 'SIGINT', timeout: 30_000 },
		env: {
			PORT: String(port),
			TRIBUTARY_DATA_DIR: process.env.TRIBUTARY_E2E_DATA_DIR,
			...e2eSystemEnv
		}
	}
});
