// `npm test`: every check, in order, each one run even when an earlier one failed, then one
// closing line with the counts: typecheck, lint, build, Vitest (unit + integration on real
// Postgres, Temporal and Socket.IO), Playwright in Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireNode } from './node-version.ts';
import { ensureChromium, ensureTemporalCli } from './provision.ts';

requireNode();
const started = Date.now();
const say = (line: string) => console.log(`[test] ${line}`);
const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const reports = mkdtempSync(path.join(os.tmpdir(), 'tributary-test-reports-'));
const vitestReport = path.join(reports, 'vitest.json');
const playwrightReport = path.join(reports, 'playwright.json');

interface Step {
	name: string;
	command: string;
	args: string[];
	env?: NodeJS.ProcessEnv;
}

const steps: Step[] = [
	{ name: 'sync', command: bin('svelte-kit'), args: ['sync'] },
	{ name: 'typecheck', command: bin('svelte-check'), args: ['--tsconfig', './tsconfig.json', '--fail-on-warnings'] },
	{ name: 'lint', command: bin('eslint'), args: ['.'] },
	{ name: 'build', command: bin('vite'), args: ['build', '--logLevel', 'warn'] },
	{
		name: 'vitest',
		command: bin('vitest'),
		args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]
	},
	{
		name: 'playwright',
		command: bin('playwright'),
		args: ['test', '--reporter=list,json'],
		env: { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport }
	}
];

const failedSteps: string[] = [];
// What the machine must bring, fetched before the first step so a missing piece is named once.
try {
	process.env.CHROMIUM_PATH = ensureChromium(say);
} catch (error) {
	say(error instanceof Error ? error.message : String(error));
	failedSteps.push('chromium');
}
try {
	await ensureTemporalCli(say);
} catch (error) {
	say(`building the Temporal CLI failed: ${error instanceof Error ? error.message : String(error)}`);
	failedSteps.push('temporal-cli');
}

for (const step of steps) {
	console.log(`\n── ${step.name} ──`);
	const result = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...step.env } });
	if (result.status !== 0) failedSteps.push(step.name);
}

let passed = 0;
let failed = 0;
const reported: Record<string, { passed: number; failed: number }> = {};
if (existsSync(vitestReport)) {
	const report = JSON.parse(readFileSync(vitestReport, 'utf8')) as { numPassedTests: number; numFailedTests: number };
	reported.vitest = { passed: report.numPassedTests, failed: report.numFailedTests };
}
if (existsSync(playwrightReport)) {
	const { stats } = JSON.parse(readFileSync(playwrightReport, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number } };
	reported.playwright = { passed: stats.expected + stats.flaky, failed: stats.unexpected };
}
for (const counts of Object.values(reported)) {
	passed += counts.passed;
	failed += counts.failed;
}
// A failed step that reported no failing test (typecheck, lint, build, a runner that crashed or
// failed outside a test) still counts as one failure.
failed += failedSteps.filter((step) => !reported[step]?.failed).length;

console.log('');
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(', ')}`);
console.log(`duration: ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
