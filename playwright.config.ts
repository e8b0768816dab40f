// End-to-end: the whole system started the way a new user starts it (`node scripts/start.ts`, on
// embedded defaults in a fresh data folder), driven in Debian's Chromium.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { freePort } from './scripts/engines/ports.ts';
import { e2eSystemEnv } from './tests/e2e/support/system-env.ts';

// Chosen once in the runner; Playwright's workers load this file again and inherit the values.
process.env.TRIBUTARY_E2E_DATA_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'tributary-e2e-'));
process.env.TRIBUTARY_E2E_PORT ??= String(await freePort());
const port = Number(process.env.TRIBUTARY_E2E_PORT);
// The demo simulator's ports, chosen here (start.ts keeps what the data folder remembers), so the
// Bitbucket Cloud kind, which names no server on its form, can be pointed at the simulated one.
process.env.TRIBUTARY_E2E_SIMULATOR_PORTS ??= JSON.stringify({ http: await freePort(), https: await freePort() });
const simulatorPorts = JSON.parse(process.env.TRIBUTARY_E2E_SIMULATOR_PORTS) as { http: number; https: number };
mkdirSync(path.join(process.env.TRIBUTARY_E2E_DATA_DIR, 'simulator'), { recursive: true });
writeFileSync(path.join(process.env.TRIBUTARY_E2E_DATA_DIR, 'simulator', 'ports.json'), JSON.stringify(simulatorPorts));
process.env.TRIBUTARY_BITBUCKET_CLOUD_API_URL = `http://127.0.0.1:${simulatorPorts.http}/bitbucket-cloud/2.0`;
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
			TRIBUTARY_BITBUCKET_CLOUD_API_URL: process.env.TRIBUTARY_BITBUCKET_CLOUD_API_URL,
			...e2eSystemEnv
		}
	}
});
