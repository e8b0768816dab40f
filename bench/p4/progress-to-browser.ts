// P4: how long a progress report takes from an activity to a browser's DOM, p99 over 220 events.
// Reports come every 100 ms, the window in which the product's reporter sends at most one event
// per operation (worker/activities/progress-coalescing.ts): every report here is an event of its
// own, sent at once, as the progress of ordinary work is. Faster reports are merged by design;
// P5's detail line measures that.
// Measured: a real Temporal activity in a worker process of its own reports through the product's
// ProgressReporter (row write in Postgres + broadcast through the Postgres adapter) to the real
// /system page in Chromium.
// Baseline, same run, same page, same observer, same process and timestamps: the same activity
// broadcasts the same event through the adapter with no row written: the floor under the
// product's path (a worker reaches browsers through the adapter, or not at all).
// Fairness: both sides run in alternating rounds (product first, then baseline first, and so on),
// each stamps time right before its report as performance.timeOrigin + performance.now() in the
// worker process, and the browser stamps the DOM change the same way, on one machine.
import { fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Page } from 'playwright-core';
import { broadcastStarted } from '#core/operations/broadcast.ts';
import { insertOperation } from '#core/operations/queries.ts';
import { createLogger } from '#core/logger.ts';
import { database } from '../../src/lib/server/runtime.ts';
import { seedDemo } from '../../scripts/demo-data.ts';
import { freePort } from '../../scripts/engines/ports.ts';
import { stopChild } from '../../scripts/engines/processes.ts';
import { startWebServer } from '../../web/web-server.ts';
import { progressWindowMs } from '../../worker/activities/progress-coalescing.ts';
import { benchLine, percentile } from '../support/report.ts';
import type { progressBenchWorkflow } from './workflow.ts';

const rounds = 4;
const events = 60;
/** The first events of each round are not counted (the bar has just appeared). */
const warmup = 5;
const intervalMs = progressWindowMs;

declare global {
	interface Window {
		benchMarks?: Record<string, Array<[number, number]>>;
	}
}

/** Records, per bar label, each value the DOM showed and when. */
async function observeBars(page: Page): Promise<void> {
	await page.evaluate(() => {
		window.benchMarks = {};
		new MutationObserver((records) => {
			const at = performance.timeOrigin + performance.now();
			for (const record of records) {
				const element = record.target as Element;
				const label = element.getAttribute('aria-label') ?? '';
				(window.benchMarks![label] ??= []).push([Number(element.getAttribute('aria-valuenow')), at]);
			}
		}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
	});
}

/** For each event i: time from its emit until the DOM first showed a value of at least i. */
function latencies(emittedAt: number[], marks: Array<[number, number]>): number[] {
	return emittedAt.flatMap((emitted, index) => {
		const shown = marks.find(([value]) => value >= index + 1);
		return index < warmup || !shown ? [] : [shown[1] - emitted];
	});
}

async function startOperation(page: Page, label: string, io: Parameters<typeof broadcastStarted>[0], organizationId: string) {
	const operation = await insertOperation(database().db, {
		organizationId,
		kind: `bench.${label.replace(/\W+/g, '-')}`,
		scope: 'system',
		stages: [{ key: 'events', label, done: 0, total: events }],
		startedBy: 'bench',
		workflowId: (id) => `bench-p4-${id}`
	});
	broadcastStarted(io, operation);
	await page.getByRole('progressbar', { name: label }).waitFor();
	return operation;
}

export async function benchProgressToBrowser(env: { temporalAddress: string; taskQueue: string }): Promise<string> {
	const log = createLogger('bench');
	const web = await startWebServer({ port: await freePort(), host: '127.0.0.1', log });
	const url = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
	const worker = fork(path.join(import.meta.dirname, 'worker.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	await new Promise<void>((resolve, reject) => {
		worker.once('message', () => resolve());
		worker.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
	});
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu']
	});
	const connection = await Connection.connect({ address: env.temporalAddress });
	try {
		const signIns = await seedDemo(database().db);
		const manager = signIns.find((s) => s.level === 'manage')!;
		const organizationId = (
			await database().db.selectFrom('organizations').select('id').where('name', '=', manager.organization).executeTakeFirstOrThrow()
		).id;
		const page = await browser.newPage();
		await page.goto(`${url}/sign-in?next=/system`);
		await page.getByLabel('Email').fill(manager.email);
		await page.getByLabel('Password').fill(manager.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL('**/system');
		await page.waitForFunction(() => document.querySelector('[data-component="realtime"]'));
		// Events sent before the page's socket is connected are lost (the page would reload on
		// connect): start only once it is live.
		await page.getByText('Live updates are connecting').waitFor({ state: 'detached' });
		await page.waitForTimeout(300);
		await observeBars(page);

		// The page shows the latest operation's bars: each round of each side is an operation of its own.
		const runs: Array<{ path: 'product' | 'bare'; label: string; emittedAt: number[] }> = [];
		const client = new Client({ connection });
		for (let round = 1; round <= rounds; round++) {
			const order = round % 2 === 1 ? (['product', 'bare'] as const) : (['bare', 'product'] as const);
			for (const path of order) {
				const label = `Bench ${path === 'product' ? 'activity' : 'bare'} events ${round}`;
				const operation = await startOperation(page, label, web.io, organizationId);
				const { emittedAt } = await client.workflow.execute<typeof progressBenchWorkflow>('progressBenchWorkflow', {
					taskQueue: env.taskQueue,
					workflowId: operation.workflowId,
					args: [{ operationId: operation.id, events, intervalMs, path }]
				});
				runs.push({ path, label, emittedAt });
				await page.waitForTimeout(300);
			}
		}

		const marks = (await page.evaluate(() => window.benchMarks ?? {})) as Record<string, Array<[number, number]>>;
		const latenciesOf = (path: 'product' | 'bare') => runs.filter((run) => run.path === path).flatMap((run) => latencies(run.emittedAt, marks[run.label] ?? []));
		const activity = latenciesOf('product');
		const baseline = latenciesOf('bare');
		if (activity.length < 200 || baseline.length < 200) {
			throw new Error(`P4 saw too few events in the DOM (activity ${activity.length}, bare ${baseline.length})`);
		}
		const p = (values: number[], q: number) => Math.round(percentile(values, q) * 100) / 100;
		console.log(
			`P4 detail: activity→DOM p50 ${p(activity, 50)} ms, p99 ${p(activity, 99)} ms over ${activity.length} events; ` +
				`bare broadcast (no row written)→DOM p50 ${p(baseline, 50)} ms, p99 ${p(baseline, 99)} ms over ${baseline.length}; ${rounds} alternating rounds`
		);
		return benchLine({
			id: 'P4',
			name: 'progress-activity-to-dom-p99',
			value: percentile(activity, 99),
			unit: 'ms',
			baseline: percentile(baseline, 99),
			target: '<=20'
		});
	} finally {
		await browser.close();
		await connection.close();
		await stopChild(worker, 'SIGTERM', 10_000);
		await web.close();
	}
}
