// P4: how long a progress report takes from an activity to a browser's DOM, p99 over 300 events.
// Measured: a real Temporal activity reports through the product's ProgressReporter (row write in
// Postgres + broadcast through the Postgres adapter) to the real /system page in Chromium.
// Baseline, same run, same page, same observer: a bare Socket.IO emit from inside the web process.
// Both sides stamp time as performance.timeOrigin + performance.now() on one machine.
import { fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Page } from 'playwright-core';
import type { OperationProgress } from '../../src/lib/operations/operation.ts';
import { organizationRoom } from '../../src/lib/realtime/events.ts';
import { broadcastStarted } from '../../src/lib/server/operations/broadcast.ts';
import { insertOperation } from '../../src/lib/server/operations/queries.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { database } from '../../src/lib/server/runtime.ts';
import { seedDemo } from '../../scripts/demo-data.ts';
import { freePort } from '../../scripts/engines/ports.ts';
import { stopChild } from '../../scripts/engines/processes.ts';
import { startWebServer } from '../../server/web-server.ts';
import { benchLine, percentile } from '../support/report.ts';
import type { progressBenchWorkflow } from './workflow.ts';

const events = 300;
const warmup = 20;
const intervalMs = 10;

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

		// Through an activity.
		const measured = await startOperation(page, 'Bench activity events', web.io, organizationId);
		const client = new Client({ connection });
		const emittedByActivity = await client.workflow.execute<typeof progressBenchWorkflow>('progressBenchWorkflow', {
			taskQueue: env.taskQueue,
			workflowId: measured.workflowId,
			args: [{ operationId: measured.id, events, intervalMs }]
		});
		await page.waitForTimeout(500);

		// Bare emit from inside the web process, same payload shape, no write, no adapter hop.
		const bare = await startOperation(page, 'Bench bare events', web.io, organizationId);
		const emittedBare: number[] = [];
		for (let done = 1; done <= events; done++) {
			const progress: OperationProgress = {
				id: bare.id,
				organizationId,
				kind: bare.kind,
				scope: bare.scope,
				state: 'running',
				stages: [{ key: 'events', label: 'Bench bare events', done, total: events }],
				currentItem: null,
				revision: bare.revision + done
			};
			emittedBare.push(performance.timeOrigin + performance.now());
			web.io.to(organizationRoom(organizationId)).emit('operation.progressed', progress);
			await new Promise((r) => setTimeout(r, intervalMs));
		}
		await page.waitForTimeout(500);

		const marks = (await page.evaluate(() => window.benchMarks ?? {})) as Record<string, Array<[number, number]>>;
		const activity = latencies(emittedByActivity, marks['Bench activity events'] ?? []);
		const baseline = latencies(emittedBare, marks['Bench bare events'] ?? []);
		if (activity.length < 200 || baseline.length < 200) {
			throw new Error(`P4 saw too few events in the DOM (activity ${activity.length}, bare ${baseline.length})`);
		}
		const p = (values: number[], q: number) => Math.round(percentile(values, q) * 100) / 100;
		console.log(
			`P4 detail: activity→DOM p50 ${p(activity, 50)} ms, p99 ${p(activity, 99)} ms over ${activity.length} events; ` +
				`bare emit→DOM p50 ${p(baseline, 50)} ms, p99 ${p(baseline, 99)} ms over ${baseline.length}`
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
