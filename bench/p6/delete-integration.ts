// P6: deleting an integration holding 1,000,000 rows, and what readers see meanwhile.
// Two integrations (A and B) of the Acme organisation get identical data, made in SQL.
// Baseline: one bare `DELETE … WHERE integration_id = B` per table (and B's integrations row),
// timed one after another and summed. Measured: the product's Delete of A (startDelete → a real
// worker process runs the delete workflow, default batch size), timed by the operation row's
// ended_at - started_at (Postgres's clock), polling not counted; the worker has run no workflow
// before, so its first workflow task (about 0.15 s) is counted too. VACUUM ANALYZE and a CHECKPOINT
// before each side, so both start from clean tables, fresh statistics and no dirty pages; the
// data (~0.5 GB) fits in memory. Both sides run with the same page loads beside them.
// P6r: while the workflow runs, a second client (the demo viewer of Acme) loads /integrations
// over and over, one request at a time; the same loads with nothing running are its baseline.
import { performance } from 'node:perf_hooks';
import { startDelete } from '../../src/lib/server/integrations/operations.ts';
import { deletionTables } from '../../workflows/integrations/contract.ts';
import { createGenericGitIntegration } from '../../src/lib/server/integrations/generic-git.ts';
import { createSystem, demoUser, signedInUser, signIn, type EngineAddresses, type TestSystem } from '../../tests/support/system.ts';
import { activityTimes, describeTimes } from '../support/history.ts';
import { fillIntegrationData, type IntegrationDataShape } from '../../tests/support/integration-data.ts';
import { benchLine, percentile } from '../support/report.ts';
import { useSystemRuntime, waitForSuccess } from '../support/system.ts';

export type P6Options = IntegrationDataShape;

const defaults: P6Options = { repos: 20, commitsPerRepo: 10_000 };

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

export async function benchDeleteIntegration(engines: EngineAddresses, options: Partial<P6Options> = {}): Promise<string[]> {
	const settings = { ...defaults, ...options };
	let system: TestSystem | undefined;
	try {
		system = await createSystem(engines);
		const demo = await system.seedDemo();
		await useSystemRuntime(system);
		const admin = await signedInUser(system, 'admin@acme.example');
		const [, web] = await Promise.all([system.startWorker(), system.startWeb()]);
		const cookie = await signIn(web.url, 'viewer@acme.example', demoUser(demo, 'viewer@acme.example').password);

		// Never fetched: the rows are made in SQL, the URLs only have to be unique in Acme.
		const integrationIds: string[] = [];
		for (const label of ['A', 'B']) {
			const repositories = Array.from({ length: settings.repos }, (_, i) => ({
				url: `file:///bench/p6/${label.toLowerCase()}/repo-${i}`,
				display: `/bench/p6/${label.toLowerCase()}/repo-${i}`,
				name: `repo-${i}`
			}));
			const integration = await createGenericGitIntegration(system.database.db, admin, {
				name: `P6 ${label}`,
				repositories,
				credentials: { method: 'none' },
				deploymentsFromTags: false
			});
			integrationIds.push(integration.id);
		}
		const [a, b] = integrationIds as [string, string];
		const filled = performance.now();
		const rowsA = await fillIntegrationData(system.database.db, a, settings);
		const rowsB = await fillIntegrationData(system.database.db, b, settings);
		if (rowsA !== rowsB) throw new Error(`A and B differ: ${rowsA} and ${rowsB} rows`);
		console.log(`[bench] P6: ${rowsA.toLocaleString('en')} rows in each of two integrations, made in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

		// Baseline: bare deletes of B, with the same page loads beside them as the workflow gets,
		// so both sides share the machine alike (on two cores the readers take most of one).
		await settle(system);
		const bareTimes: Array<{ name: string; ms: number }> = [];
		let bareRunning = true;
		const bareReaders = (async () => {
			while (bareRunning) await loadPage(web.url, cookie);
		})();
		try {
			for (const [table, column] of [...deletionTables.map((t) => [t, 'integration_id']), ['integrations', 'id']]) {
				const started = performance.now();
				await system.database.pool.query(`delete from ${table} where ${column} = $1`, [b]);
				bareTimes.push({ name: table!, ms: performance.now() - started });
			}
		} finally {
			bareRunning = false;
			await bareReaders;
		}
		const bareSeconds = bareTimes.reduce((sum, t) => sum + t.ms, 0) / 1000;
		if ((await rowsOf(system, b)) !== 0) throw new Error('the bare deletes left rows of B');

		await settle(system);
		// Idle page loads: a few to warm the web process, then as many as would fit in ten times the
		// bare deletes' time, so that the idle side has at least as many loads as the deletion will
		// (its first that many are compared with them). In a trial the workflow took 8× the bare
		// deletes and readers are slower meanwhile, so 10× leaves room.
		const warm: number[] = [];
		for (let i = 0; i < 30; i++) warm.push(await loadPage(web.url, cookie));
		const meanWarm = warm.reduce((s, v) => s + v, 0) / warm.length;
		const idleCount = Math.min(5_000, Math.max(300, Math.ceil((10 * bareSeconds * 1000) / meanWarm)));
		const idle: number[] = [];
		for (let i = 0; i < idleCount; i++) idle.push(await loadPage(web.url, cookie));

		// Measured: the product's Delete of A, with the page loading meanwhile.
		const operation = await startDelete(admin, a);
		let deleting = true;
		const during: number[] = [];
		// A failed load ends the loop and is thrown after the wait (an unhandled rejection
		// meanwhile would end the whole bench process).
		let loadFailure: unknown;
		const loads = (async () => {
			while (deleting) during.push(await loadPage(web.url, cookie));
		})().catch((error: unknown) => (loadFailure = error));
		let ended;
		try {
			ended = await waitForSuccess(system, operation.id, 30 * 60_000);
		} finally {
			deleting = false;
			await loads;
		}
		if (loadFailure) throw loadFailure;
		if ((await rowsOf(system, a)) !== 0) throw new Error('the delete workflow left rows of A');
		const steps = describeTimes(await activityTimes(operation.workflowId));

		const samples = Math.min(idle.length, during.length);
		const idleSame = idle.slice(0, samples);
		if (during.length > idle.length) {
			console.log(`[bench] P6: the deletion saw ${during.length} loads, more than the ${idle.length} idle ones: the p99s are over different counts`);
		}
		const p = (values: number[], q: number) => percentile(values, q).toFixed(1);
		console.log(
			`P6 detail: ${rowsA.toLocaleString('en')} rows per integration; delete workflow ${ended.seconds.toFixed(2)} s ` +
				`(operation ended_at - started_at), bare DELETEs ${bareSeconds.toFixed(2)} s; /integrations during: ${during.length} loads, ` +
				`p50 ${p(during, 50)} ms, p99 ${p(during, 99)} ms, max ${p(during, 100)} ms; idle (first ${samples} of ${idle.length}): ` +
				`p50 ${p(idleSame, 50)} ms, p99 ${p(idleSame, 99)} ms, max ${p(idleSame, 100)} ms`
		);
		console.log(`P6 detail: workflow activities: ${steps}; bare DELETEs: ${describeTimes(bareTimes)}`);
		return [
			benchLine({ id: 'P6', name: 'delete-integration-1m-rows', value: ended.seconds, unit: 's', baseline: bareSeconds, target: '<=1.5' }),
			benchLine({
				id: 'P6r',
				name: 'integrations-page-p99-during-delete',
				value: percentile(during, 99),
				unit: 'ms',
				baseline: percentile(idleSame, 99),
				target: '<=50'
			})
		];
	} finally {
		await system?.stop();
	}
}
