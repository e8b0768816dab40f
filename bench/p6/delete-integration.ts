// P6: deleting an integration, and what readers see meanwhile, in two situations:
// - P6: the integration holds 1,000,000 rows and is alone in its tables (most of every table is
//   its: the plan that reads heap slices);
// - P6i: the integration is one of ten of the same size, 1,000,000 rows each (a tenth of every
//   table: the plan that takes each batch from the integration_id index), the common case. Both
//   at the size ARCHITECTURE.md's P6 names: a deletion's fixed cost (the operation, a workflow
//   task, marking, estimates, the last commit: about 0.14 s here) is a third of a bare delete of
//   200,000 rows (measured 0.32 s against 0.18 s), a tenth of it at a million.
// Rows are made in SQL (tests/support/integration-data.ts). Both sides delete the same rows from
// the same tables: the baseline deletes an integration with one bare `DELETE … WHERE
// integration_id = …` per table (and the integrations row), each committing, timed one after
// another and summed; the product's Delete (startDelete → a real worker process runs the delete
// workflow, default batch size) is timed by the operation row's ended_at - started_at (Postgres's
// clock), polling not counted. After each side an identical integration is made again in the
// place of the one deleted (same shape, same SQL, after a VACUUM so it takes the freed space) for
// the next side. Three runs of each side, alternating which goes first; the figures are medians
// (this machine's speed wanders by half from one minute to the next). VACUUM ANALYZE and a
// CHECKPOINT before each side, so both start from clean tables, fresh statistics and no dirty
// pages. Both sides run with the same page loads beside them. The worker has run no workflow
// before P6's first delete, so its first workflow task (about 0.1 s) is counted there.
// P6r: while P6's workflow runs, a second client (the demo viewer of Acme) loads /integrations
// over and over, one request at a time; the same loads with nothing running are its baseline.
import { performance } from 'node:perf_hooks';
import { startDelete } from '../../src/lib/server/integrations/operations.ts';
import { deletionTables } from '../../workflows/integrations/contract.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { createSystem, demoUser, signedInUser, signIn, type EngineAddresses, type TestSystem } from '../../tests/support/system.ts';
import { activityTimes, describeTimes } from '../support/history.ts';
import { fillIntegrationData, type IntegrationDataShape } from '../../tests/support/integration-data.ts';
import { benchLine, percentile } from '../support/report.ts';
import { median, useSystemRuntime, waitForSuccess } from '../support/system.ts';

export interface P6Options {
	/** P6: the one integration in its tables. */
	alone: IntegrationDataShape;
	/** P6i: each of `integrations` integrations; one of them is deleted. */
	amongMany: IntegrationDataShape & { integrations: number };
	/** Runs of each side (alternating which goes first); the figures are medians. */
	runs: number;
}

const defaults: P6Options = {
	alone: { repos: 20, commitsPerRepo: 10_000 },
	amongMany: { repos: 20, commitsPerRepo: 10_000, integrations: 10 },
	runs: 3
};

/**
 * Before each side: clean tables and fresh statistics, and a checkpoint, so neither side pays for
 * writing out the other's (or the fill's) dirty pages.
 */
async function settle(system: TestSystem): Promise<void> {
	for (const table of [...deletionTables, 'integrations']) await system.database.pool.query(`vacuum analyze ${table}`);
	await system.database.pool.query('checkpoint');
}

async function rowsOf(system: TestSystem, integrationId: string): Promise<number> {
	let total = 0;
	for (const table of deletionTables) {
		const result = await system.database.pool.query<{ n: number }>(`select count(*)::int as n from ${table} where integration_id = $1`, [integrationId]);
		total += result.rows[0]!.n;
	}
	return total;
}

/** One sequential /integrations load as the viewer: ms until the whole body has arrived. */
async function loadPage(url: string, cookie: string): Promise<number> {
	const started = performance.now();
	const response = await fetch(`${url}/integrations`, { headers: { cookie } });
	await response.text();
	if (response.status !== 200) throw new Error(`/integrations answered ${response.status}`);
	return performance.now() - started;
}

/** Runs `work` with the viewer loading the page one request after another beside it; returns the load times too. */
async function withPageLoads<T>(url: string, cookie: string, work: () => Promise<T>): Promise<{ result: T; loads: number[] }> {
	let running = true;
	const loads: number[] = [];
	// A failed load ends the loop and is thrown after the work (an unhandled rejection meanwhile
	// would end the whole bench process).
	let loadFailure: unknown;
	const readers = (async () => {
		while (running) loads.push(await loadPage(url, cookie));
	})().catch((error: unknown) => (loadFailure = error));
	let result: T;
	try {
		result = await work();
	} finally {
		running = false;
		await readers;
	}
	if (loadFailure) throw loadFailure;
	return { result, loads };
}

async function addIntegrations(system: TestSystem, admin: SignedInUser, label: string, count: number, shape: IntegrationDataShape): Promise<string[]> {
	const ids: string[] = [];
	for (let n = 1; n <= count; n++) {
		// Never fetched: the rows are made in SQL, the URLs only have to be unique in Acme.
		const repositories = Array.from({ length: shape.repos }, (_, i) => ({
			url: `file:///bench/p6/${label}-${n}/repo-${i}`,
			display: `/bench/p6/${label}-${n}/repo-${i}`,
			name: `repo-${i}`
		}));
		const integration = await createGenericGitIntegration(system.database.db, admin, {
			name: `P6 ${label} ${n}`,
			repositories,
			credentials: { method: 'none' },
			deploymentsFromTags: false
		});
		await fillIntegrationData(system.database.db, integration.id, shape);
		ids.push(integration.id);
	}
	return ids;
}

interface Deletion {
	rows: number;
	/** Medians over the runs. */
	bareSeconds: number;
	workflowSeconds: number;
	bareRuns: number[];
	workflowRuns: number[];
	/** Of the last run of each side. */
	bareTimes: Array<{ name: string; ms: number }>;
	steps: string;
	/** Page loads during every run of the product's side. */
	during: number[];
}

const seconds = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');

/**
 * Both sides on the same tables, `runs` times, alternating which goes first: the first side
 * deletes `integrationId` (then one made again in its place by `again()`), the second side the
 * integration `again()` made in its place after that, so each deletes an identical integration
 * from identical tables. `beforeProduct` runs once, before the product's first Delete.
 */
async function measureDeletion(
	system: TestSystem,
	admin: SignedInUser,
	web: { url: string },
	cookie: string,
	integrationId: string,
	again: () => Promise<string>,
	runs: number,
	beforeProduct?: (bareSeconds: number) => Promise<void>
): Promise<Deletion> {
	const rows = await rowsOf(system, integrationId);
	const bareRuns: number[] = [];
	const workflowRuns: number[] = [];
	const during: number[] = [];
	let bareTimes: Array<{ name: string; ms: number }> = [];
	let steps = '';
	let beforeDone = false;

	const bare = async (id: string) => {
		const times: Array<{ name: string; ms: number }> = [];
		await withPageLoads(web.url, cookie, async () => {
			for (const [table, column] of [...deletionTables.map((t) => [t, 'integration_id']), ['integrations', 'id']]) {
				const started = performance.now();
				await system.database.pool.query(`delete from ${table} where ${column} = $1`, [id]);
				times.push({ name: table!, ms: performance.now() - started });
			}
		});
		if ((await rowsOf(system, id)) !== 0) throw new Error('the bare deletes left rows');
		bareTimes = times;
		bareRuns.push(times.reduce((sum, t) => sum + t.ms, 0) / 1000);
	};
	const product = async (id: string) => {
		if (!beforeDone) {
			beforeDone = true;
			await beforeProduct?.(bareRuns[0] ?? 1);
			await settle(system);
		}
		const { result: ended, loads } = await withPageLoads(web.url, cookie, async () => {
			const operation = await startDelete(admin, id);
			const ended = await waitForSuccess(system, operation.id, 30 * 60_000);
			return { ...ended, workflowId: operation.workflowId };
		});
		if ((await rowsOf(system, id)) !== 0) throw new Error('the delete workflow left rows');
		during.push(...loads);
		workflowRuns.push(ended.seconds);
		steps = describeTimes(await activityTimes(ended.workflowId));
	};

	let current = integrationId;
	for (let run = 1; run <= runs; run++) {
		const sides = run % 2 === 1 ? [bare, product] : [product, bare];
		for (const [index, side] of sides.entries()) {
			if (run > 1 || index > 0) current = await again();
			if ((await rowsOf(system, current)) !== rows) throw new Error('the integration made again differs from the first');
			await settle(system);
			await side(current);
		}
	}
	return { rows, bareSeconds: median(bareRuns), workflowSeconds: median(workflowRuns), bareRuns, workflowRuns, bareTimes, steps, during };
}

export async function benchDeleteIntegration(engines: EngineAddresses, overrides: Partial<P6Options> = {}): Promise<string[]> {
	const options = { ...defaults, ...overrides };
	let system: TestSystem | undefined;
	try {
		system = await createSystem(engines);
		const demo = await system.seedDemo();
		await useSystemRuntime(system);
		const admin = await signedInUser(system, 'admin@acme.example');
		const [, web] = await Promise.all([system.startWorker(), system.startWeb()]);
		const cookie = await signIn(web.url, 'viewer@acme.example', demoUser(demo, 'viewer@acme.example').password);
		const p = (values: number[], q: number) => percentile(values, q).toFixed(1);

		// P6 and P6r: the integration alone in its tables.
		let filled = performance.now();
		const [alone] = await addIntegrations(system, admin, 'alone', 1, options.alone);
		console.log(`[bench] P6: one integration alone, made in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
		let idle: number[] = [];
		// Idle page loads: a few to warm the web process, then as many as would fit in ten times the
		// bare deletes' time, so that the idle side has at least as many loads as the deletion will
		// (its first that many are compared with them).
		// A deleted integration's URLs cannot be added again for a while: each one made again has its own.
		let made = 0;
		const aloneAgain = async () => (await addIntegrations(system!, admin, `alone-again-${++made}`, 1, options.alone))[0]!;
		const aloneDeletion = await measureDeletion(system, admin, web, cookie, alone!, aloneAgain, options.runs, async (bare) => {
			const warm: number[] = [];
			for (let i = 0; i < 30; i++) warm.push(await loadPage(web.url, cookie));
			const meanWarm = warm.reduce((s, v) => s + v, 0) / warm.length;
			const idleCount = Math.min(5_000, Math.max(300, Math.ceil((10 * options.runs * bare * 1000) / meanWarm)));
			for (let i = 0; i < idleCount; i++) idle.push(await loadPage(web.url, cookie));
		});
		const during = aloneDeletion.during;
		const samples = Math.min(idle.length, during.length);
		idle = idle.slice(0, samples);
		if (during.length > samples) console.log(`[bench] P6: the deletion saw ${during.length} loads, more than the ${samples} idle ones: the p99s are over different counts`);
		console.log(
			`P6 detail: ${aloneDeletion.rows.toLocaleString('en')} rows, alone in their tables; delete workflow median ${aloneDeletion.workflowSeconds.toFixed(2)} s ` +
				`(runs ${seconds(aloneDeletion.workflowRuns)} s; operation ended_at - started_at), bare DELETEs median ${aloneDeletion.bareSeconds.toFixed(2)} s ` +
				`(runs ${seconds(aloneDeletion.bareRuns)} s); /integrations during: ${during.length} loads, ` +
				`p50 ${p(during, 50)} ms, p99 ${p(during, 99)} ms, max ${p(during, 100)} ms; idle (first ${samples}): ` +
				`p50 ${p(idle, 50)} ms, p99 ${p(idle, 99)} ms, max ${p(idle, 100)} ms`
		);
		console.log(`P6 detail: last run's workflow activities: ${aloneDeletion.steps}; bare DELETEs: ${describeTimes(aloneDeletion.bareTimes)}`);

		// P6i: one integration among many of the same size.
		filled = performance.now();
		const many = await addIntegrations(system, admin, 'among', options.amongMany.integrations, options.amongMany);
		console.log(`[bench] P6i: ${many.length} integrations, made in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
		const amongAgain = async () => (await addIntegrations(system!, admin, `among-again-${++made}`, 1, options.amongMany))[0]!;
		const amongDeletion = await measureDeletion(system, admin, web, cookie, many[Math.floor(many.length / 2)]!, amongAgain, options.runs);
		console.log(
			`P6i detail: ${amongDeletion.rows.toLocaleString('en')} rows, one of ${many.length} integrations of the same size; delete workflow ` +
				`median ${amongDeletion.workflowSeconds.toFixed(2)} s (runs ${seconds(amongDeletion.workflowRuns)} s), bare DELETEs median ${amongDeletion.bareSeconds.toFixed(2)} s ` +
				`(runs ${seconds(amongDeletion.bareRuns)} s); last run's workflow activities: ${amongDeletion.steps}; ` +
				`bare DELETEs: ${describeTimes(amongDeletion.bareTimes)}`
		);

		return [
			benchLine({ id: 'P6', name: 'delete-integration-1m-rows', value: aloneDeletion.workflowSeconds, unit: 's', baseline: aloneDeletion.bareSeconds, target: '<=1.5' }),
			benchLine({ id: 'P6r', name: 'integrations-page-p99-during-delete', value: percentile(during, 99), unit: 'ms', baseline: percentile(idle, 99), target: '<=50' }),
			benchLine({
				id: 'P6i',
				name: `delete-integration-among-${many.length}`,
				value: amongDeletion.workflowSeconds,
				unit: 's',
				baseline: amongDeletion.bareSeconds,
				target: '<=1.5'
			})
		];
	} finally {
		await system?.stop();
	}
}
