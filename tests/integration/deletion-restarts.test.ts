// A deletion of a large integration survives restarts of everything around the worker: the web
// process killed outright, PostgreSQL stopped at once (an immediate shutdown: no checkpoint, and
// batches committed without waiting for the disk are kept or lost as its WAL says), and the
// Temporal server killed outright, each in the middle of a deletion and started again on the same
// port and state. Each deletion ends with nothing of the integration left, its workflow completed,
// and each table's exact count on the operation's page. While one runs, its repositories cannot
// be added again: the form says why.
//
// This file runs its own PostgreSQL and Temporal: the shared ones serve the other files meanwhile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '#core/db/connect.ts';
import { migrateToLatest } from '#core/db/migrate.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { getOperation } from '#core/operations/queries.ts';
import { createGenericGitIntegration, parseUrls } from '#core/providers/generic-git/create.ts';
import { startEmbeddedPostgres, type RunningPostgres } from '../../scripts/engines/postgres.ts';
import { isAlive } from '../../scripts/engines/processes.ts';
import { startTemporalDevServer, type RunningTemporal } from '../../scripts/engines/temporal.ts';
import { deletionLabels, deletionTables, type DeletionTable } from '../../workflows/integrations/contract.ts';
import { createDatabase, databaseUrl } from '../support/engines.ts';
import { countIntegrationRows, fillIntegrationData } from '../support/integration-data.ts';
import { createSystem, demoUser, readPage, signedInUser, signIn, submitAction, waitFor, type RunningProcess, type RunningWeb, type TestSystem } from '../support/system.ts';

// Batches of 100 rows (the smallest there is): a deletion of 80,000 rows (4 repositories of 4,000
// commits, with their file changes, tags and days of metrics) takes several seconds, long enough
// to restart something in its middle.
const batchSize = 100;
const repos = 4;
const commitsPerRepo = 4_000;
/** Rows removed before something is restarted: well into the first table (56,000 file changes), far from the end. */
const underWay = 10_000;

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-deletion-restarts-'));
const say = (line: string) => console.log(`[deletion restarts] ${line}`);
let postgres: RunningPostgres;
let temporal: RunningTemporal;
let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
const cookies = { deleter: '', manager: '' };

interface Seeded {
	id: string;
	name: string;
	urls: string[];
	rows: Record<DeletionTable, number>;
}
const seeded: Record<'web' | 'postgres' | 'temporal', Seeded | undefined> = { web: undefined, postgres: undefined, temporal: undefined };

const db = () => system.database.db;

/** A Generic Git integration with many rows in every table a deletion clears, made in SQL. */
async function addLargeIntegration(user: SignedInUser, label: string): Promise<Seeded> {
	const parsed = parseUrls(Array.from({ length: repos }, (_, i) => `https://git.example.com/restarts/${label}-${i}.git`).join('\n'));
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
	const name = `Restarted ${label}`;
	const integration = await createGenericGitIntegration(db(), user, { name, repositories: parsed.value, credentials: { method: 'none' }, deploymentsFromTags: false });
	await fillIntegrationData(db(), integration.id, { repos, commitsPerRepo });
	return { id: integration.id, name, urls: parsed.value.map((r) => r.url), rows: await countIntegrationRows(db(), integration.id) };
}

/** Asks for the deletion as a person with the delete level would (confirmed); returns its operation. */
async function requestDeletion(integration: Seeded): Promise<string> {
	const confirmed = await submitAction(web.url, '/integrations?/remove', { id: integration.id, confirm: 'yes' }, cookies.deleter);
	expect(confirmed.type, JSON.stringify(confirmed)).toBe('success');
	const { id } = await db()
		.selectFrom('operations')
		.select('id')
		.where('scope', '=', `integration:${integration.id}`)
		.where('kind', '=', 'integration.delete')
		.executeTakeFirstOrThrow();
	return id;
}

/**
 * Waits until the deletion has removed `rows` rows and still runs: something restarted now lands
 * in its middle. A deletion that ends first fails the test (the integration is too small).
 */
async function waitUntilUnderWay(operationId: string, rows: number): Promise<Operation> {
	return waitFor(
		`the deletion to remove ${rows} rows`,
		async () => {
			const operation = (await getOperation(db(), operationId))!;
			if (operation.state !== 'running') throw new Error(`The deletion ended (${operation.state}) before anything was restarted.`);
			return operation.stages.reduce((sum, stage) => sum + stage.done, 0) >= rows ? operation : undefined;
		},
		60_000
	);
}

/** A restart must not take the web or worker process down with it: if one stopped, its output says why. */
function expectProcessesRunning(): void {
	for (const [name, running] of [['web', web], ['worker', worker]] as const) {
		if (running.child.exitCode !== null || running.child.signalCode !== null) {
			throw new Error(`The ${name} process stopped (${running.child.signalCode ?? running.child.exitCode}):\n${running.output().slice(-3_000)}`);
		}
	}
}

/** The operation once ended; queries that meet an engine still on its way back are tried again. */
function waitForEnd(operationId: string): Promise<Operation> {
	return waitFor(
		`the deletion ${operationId} to end`,
		async () => {
			expectProcessesRunning();
			const operation = await getOperation(db(), operationId).catch(() => undefined);
			return operation && operation.state !== 'running' ? operation : undefined;
		},
		90_000
	);
}

/** Each progress bar of a page: its label and "done of total", as a screen reader hears them. */
function barsOf(html: string): Record<string, string> {
	const bars: Record<string, string> = {};
	for (const [tag] of html.matchAll(/<div[^>]*role="progressbar"[^>]*>/g)) {
		const label = /aria-label="([^"]*)"/.exec(tag)?.[1];
		const text = /aria-valuetext="([^"]*)"/.exec(tag)?.[1];
		if (label && text) bars[label] = text;
	}
	return bars;
}

async function workflowStatus(workflowId: string): Promise<string> {
	const connection = await Connection.connect({ address: temporal.address });
	try {
		return (await new Client({ connection }).workflow.getHandle(workflowId).describe()).status.name;
	} finally {
		await connection.close();
	}
}

/**
 * What every deletion must end with, whatever was restarted in its middle: succeeded, its workflow
 * completed, nothing of the integration left in any table, no checkpoint left behind, and each
 * table's exact count in the operation and on its page.
 */
async function expectDeletedExactly(integration: Seeded, operationId: string): Promise<Operation> {
	const ended = await waitForEnd(operationId);
	expect(ended.state, ended.error ?? '').toBe('succeeded');
	expect(Object.fromEntries(ended.stages.map((stage) => [stage.key, [stage.done, stage.total]]))).toEqual(
		Object.fromEntries(deletionTables.map((table) => [table, [integration.rows[table], integration.rows[table]]]))
	);
	expect(await countIntegrationRows(db(), integration.id)).toEqual(Object.fromEntries(deletionTables.map((table) => [table, 0])));
	expect(await db().selectFrom('integrations').select('id').where('id', '=', integration.id).executeTakeFirst()).toBeUndefined();
	expect(await db().selectFrom('deletion_checkpoints').select('table_name').where('operation_id', '=', operationId).execute()).toEqual([]);
	await waitFor('the deletion workflow to complete in Temporal', async () => (await workflowStatus(ended.workflowId).catch(() => undefined)) === 'COMPLETED', 60_000);

	const html = await readPage(web.url, `/operations/${operationId}`, cookies.deleter, `Deletion of ${integration.name} · Operations · Tributary`);
	expect(html).toContain('Succeeded');
	expect(html).toContain('which has been deleted since');
	expect(barsOf(html)).toEqual(
		Object.fromEntries(deletionTables.map((table) => [deletionLabels[table], `${integration.rows[table]} of ${integration.rows[table]}`]))
	);
	return ended;
}

beforeAll(async () => {
	postgres = await startEmbeddedPostgres(stateDir, 'postgres');
	temporal = await startTemporalDevServer(stateDir, say);
	const templateDatabase = 'tributary_restarts_template';
	await createDatabase(postgres.url, templateDatabase);
	const template = connectDatabase(databaseUrl(postgres.url, templateDatabase), { max: 2 });
	await migrateToLatest(template.db);
	await template.close();

	system = await createSystem({ postgresUrl: postgres.url, templateDatabase, temporalAddress: temporal.address }, { TRIBUTARY_DELETION_BATCH: String(batchSize) });
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	for (const who of ['deleter', 'manager'] as const) {
		const email = `${who}@acme.example`;
		cookies[who] = await signIn(web.url, email, demoUser(demo, email).password);
	}
	const admin = await signedInUser(system, 'admin@acme.example');
	for (const label of ['web', 'postgres', 'temporal'] as const) seeded[label] = await addLargeIntegration(admin, label);
	for (const table of [...deletionTables, 'integrations']) await sql.raw(`analyze ${table}`).execute(db());
}, 300_000);

afterAll(async () => {
	await system?.stop();
	await temporal?.stop();
	await postgres?.stop();
	rmSync(stateDir, { recursive: true, force: true });
});

describe('a deletion of a large integration', () => {
	it('refuses its repositories while it runs, and finishes after the web process is killed and started again', async () => {
		const integration = seeded.web!;
		const operationId = await requestDeletion(integration);
		await waitUntilUnderWay(operationId, underWay);

		// Adding the same repositories again: refused with the reason, and nothing stored.
		const again = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Added again', urls: integration.urls.join('\n'), authMethod: 'none' }, cookies.manager);
		expect(again.status, JSON.stringify(again)).toBe(409);
		const refusal = (again.data?.errors as Record<string, string> | undefined)?.urls ?? '';
		for (const url of integration.urls) expect(refusal).toContain(`${url} belongs to “${integration.name}”, which is being deleted; it can be added again 24 hours after that finishes.`);
		expect(await db().selectFrom('integrations').select('id').where('name', '=', 'Added again').execute()).toEqual([]);

		const port = web.port;
		web.child.kill('SIGKILL');
		await new Promise((resolve) => web.child.once('exit', resolve));
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		web = await system.startWeb({ PORT: String(port) });

		await expectDeletedExactly(integration, operationId);
	}, 120_000);

	it('finishes after PostgreSQL stops at once in its middle and starts again on the same data', async () => {
		const integration = seeded.postgres!;
		const operationId = await requestDeletion(integration);
		await waitUntilUnderWay(operationId, underWay);

		// An immediate shutdown (SIGQUIT): no checkpoint, and the next start recovers from the WAL.
		const pid = Number(readFileSync(path.join(stateDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
		process.kill(pid, 'SIGQUIT');
		await waitFor('PostgreSQL to stop', async () => !isAlive(pid));
		const port = postgres.port;
		postgres = await startEmbeddedPostgres(stateDir, 'postgres');
		expect(postgres.port).toBe(port);

		const ended = await expectDeletedExactly(integration, operationId);
		// The step the outage broke was tried again; the exact counts show it carried on from its
		// checkpoint, neither losing a batch nor counting one twice.
		expect(ended.retries).toBeGreaterThan(0);
	}, 120_000);

	it('finishes after the Temporal server is killed in its middle and started again on the same state', async () => {
		const integration = seeded.temporal!;
		const operationId = await requestDeletion(integration);
		await waitUntilUnderWay(operationId, underWay);

		const pid = Number(readFileSync(path.join(stateDir, 'temporal', 'server.pid'), 'utf8').trim());
		process.kill(pid, 'SIGKILL');
		await waitFor('Temporal to stop', async () => !isAlive(pid));
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		const address = temporal.address;
		temporal = await startTemporalDevServer(stateDir, say);
		expect(temporal.address).toBe(address);

		await expectDeletedExactly(integration, operationId);
	}, 120_000);
});
