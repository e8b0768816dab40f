// Azure Boards end to end: the Tickets service of an Azure DevOps integration, through the real web
// and worker processes, Temporal and Postgres, against the simulator's Azure DevOps (work items
// of an Agile and a Scrum project, over HTTPS with its CA). Turned on in the Services tab, the next
// update lists the projects with their work item types and states; imported projects bring every
// work item with its state history (counts equal the simulator's), also when WIQL refuses a query
// that finds too many; a second update writes nothing; changes arrive through service hooks; a
// token without Work Items: Read is told at the connection test.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { getOperation } from '#core/operations/queries.ts';
import { setTicketProjectsImported } from '#core/tickets/projects.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import { startTestSimulator } from '../simulator/support.ts';
import { createTestSystem, demoUser, latestOperationEnd, signedInUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningProcess, type RunningWeb, type TestSystem } from '../support/system.ts';
import { startUpdate, update } from '../support/provider-ingest.ts';

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let orgUrl: string;
let organization: string;
let integrationId: string;

beforeAll(async () => {
	simulator = await startTestSimulator('azure-boards-integration', { orgs: 1, reposPerOrg: 1, pullRequests: 0, commits: 5, workItems: 250 });
	organization = simulator.azureDevOps.organizations[0]!;
	orgUrl = `${simulator.azureDevOps.https}/${organization}`;
	system = await createTestSystem({ TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8', TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3' });
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
}, 180_000);
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const db = () => system.database.db;

/** Per imported project (by name): work items, state changes (moves from one state to another), work items by state. */
async function storedCounts() {
	const projects = await db().selectFrom('ticket_projects').select(['id', 'name']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
	const result: Record<string, { workItems: number; transitions: number; byState: Record<string, number> }> = {};
	for (const project of projects) {
		const byState = await db().selectFrom('tickets').select(['status', sql<number>`count(*)::int`.as('n')]).where('project_id', '=', project.id).groupBy('status').execute();
		const moves = await db().selectFrom('ticket_status_changes').select(sql<number>`count(*)::int`.as('n')).where('project_id', '=', project.id).where('from_status', 'is not', null).executeTakeFirstOrThrow();
		result[project.name] = { workItems: byState.reduce((n, s) => n + s.n, 0), transitions: moves.n, byState: Object.fromEntries(byState.map((s) => [s.status, s.n])) };
	}
	return result;
}

async function simulatorCounts() {
	const names = new Set((await db().selectFrom('ticket_projects').select('name').where('integration_id', '=', integrationId).where('imported', '=', true).execute()).map((p) => p.name));
	const stats = await simulator.control.azureDevOps.stats();
	return Object.fromEntries(
		stats.workItems
			.map((p) => ({ ...p, name: p.project.slice(p.project.indexOf('/') + 1) }))
			.filter((p) => names.has(p.name))
			.map((p) => [p.name, { workItems: p.workItems, transitions: p.stateTransitions, byState: Object.fromEntries(Object.entries(p.byState).filter(([, n]) => n > 0)) }])
	);
}

async function rowVersions(): Promise<string> {
	const { rows } = await sql<{ v: string }>`
		select (select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by project_id, provider_id), '') from tickets where integration_id = ${integrationId})
			|| '|' || (select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by project_id, ticket_provider_id, provider_id), '') from ticket_status_changes where integration_id = ${integrationId}) as v`.execute(db());
	return rows[0]!.v;
}

describe('Azure Boards', () => {
	it('off until turned on: then the next update lists the projects with their work item types and states by category', async () => {
		const added = await submitAction(
			web.url,
			'/integrations/new/azure-devops',
			{ name: 'Acme Boards', authMethod: 'personal-access-token', baseUrl: orgUrl, caCertificate: readFileSync(simulator.caFile, 'utf8'), token: simulator.azureDevOps.tokens.full },
			manager
		);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		integrationId = (await db().selectFrom('integrations').select('id').where('name', '=', 'Acme Boards').executeTakeFirstOrThrow()).id;
		await latestOperationEnd(system, integrationId, 'integration.update');
		expect(await db().selectFrom('ticket_projects').select('id').where('integration_id', '=', integrationId).execute()).toEqual([]);

		const turned = await submitAction(web.url, `/integrations/${integrationId}?/setService`, { service: 'tickets', on: 'yes' }, manager);
		expect(turned.type, JSON.stringify(turned)).toBe('success');
		await update(system, web.url, integrationId, manager);
		const projects = await db().selectFrom('ticket_projects').selectAll().where('integration_id', '=', integrationId).orderBy('name').execute();
		const stats = await simulator.control.azureDevOps.stats();
		expect(projects.map((p) => p.name)).toEqual(stats.workItems.map((p) => p.project.slice(p.project.indexOf('/') + 1)).sort());
		const scrum = projects.find((p) => p.name === 'Platform')!;
		expect(scrum.workflow.statuses).toContainEqual({ name: 'Committed', category: 'in-progress' });
		expect(scrum.workflow.statuses).toContainEqual({ name: 'Done', category: 'done' });
		expect(scrum.workflow.types.map((t) => t.name)).toContain('Product Backlog Item');
		const agile = projects.find((p) => p.name !== 'Platform')!;
		expect(agile.workflow.statuses).toContainEqual({ name: 'Resolved', category: 'in-progress' });
		expect(agile.url).toBe(`${orgUrl}/${encodeURIComponent(agile.name)}/_workitems`);
	}, 240_000);

	it('imported projects bring every work item and its state history, also when WIQL refuses a query that finds too many', async () => {
		const { organization_id } = await db().selectFrom('integrations').select('organization_id').where('id', '=', integrationId).executeTakeFirstOrThrow();
		const ids = (await db().selectFrom('ticket_projects').select('id').where('integration_id', '=', integrationId).execute()).map((p) => p.id);
		await db().transaction().execute((trx) => setTicketProjectsImported(trx, organization_id, integrationId, ids, true));
		// Fewer than a project holds: the queries must ask for narrower id ranges.
		await simulator.control.azureDevOps.setWiqlLimit(100);
		try {
			const operation = await waitForOperationEnd(system, await startUpdate(system, web.url, integrationId, manager), 180_000);
			expect(operation.state, operation.error ?? '').toBe('succeeded');
			expect(operation.result).toMatchObject({ ticketProjects: ids.length });
		} finally {
			await simulator.control.azureDevOps.setWiqlLimit(null);
		}
		expect(await storedCounts()).toEqual(await simulatorCounts());
		const sample = await db().selectFrom('tickets').selectAll().where('integration_id', '=', integrationId).where('story_points', 'is not', null).executeTakeFirstOrThrow();
		expect(sample.key).toBe(`#${sample.provider_id}`);
		expect(sample.url).toMatch(new RegExp(`^${orgUrl}/.+/_workitems/edit/${sample.provider_id}$`));
		const done = await db().selectFrom('tickets').select(['resolved_at', 'status']).where('integration_id', '=', integrationId).where('status', 'in', ['Closed', 'Done']).execute();
		expect(done.length).toBeGreaterThan(0);
		expect(done.every((t) => t.resolved_at !== null)).toBe(true);
	}, 240_000);

	it('writes nothing on a second update', async () => {
		const before = await rowVersions();
		await update(system, web.url, integrationId, manager);
		expect(await rowVersions()).toBe(before);
	}, 240_000);

	it('service hooks: a changed work item updates its project, a deleted one is removed at once', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, integrationId))!;
		const project = (await simulator.control.azureDevOps.stats()).workItems.find((p) => !p.project.endsWith('/Platform'))!.project;
		const url = `${web.url}/webhooks/${endpoint}`;
		for (const eventType of ['workitem.updated', 'workitem.deleted'] as const) await simulator.control.azureDevOps.subscribe({ project, url, eventType, username: 'tributary', password: secret });
		const item = await db()
			.selectFrom('tickets')
			.innerJoin('ticket_projects', 'ticket_projects.id', 'tickets.project_id')
			.select(['tickets.provider_id', 'tickets.status', 'tickets.project_id'])
			.where('tickets.integration_id', '=', integrationId)
			.where('ticket_projects.name', '=', project.slice(project.indexOf('/') + 1))
			.where('tickets.status', '=', 'New')
			.where('tickets.type', '=', 'User Story')
			.executeTakeFirstOrThrow();
		const changed = await simulator.control.azureDevOps.updateWorkItem(organization, Number(item.provider_id), { state: 'Active' });
		expect(changed.deliveries[0]).toMatchObject({ statusCode: 202 });
		await waitFor(
			'the new state stored',
			async () => ((await db().selectFrom('tickets').select('status').where('project_id', '=', item.project_id).where('provider_id', '=', item.provider_id).executeTakeFirstOrThrow()).status === 'Active' ? true : undefined),
			120_000
		);
		const move = await db().selectFrom('ticket_status_changes').select(['from_status']).where('project_id', '=', item.project_id).where('ticket_provider_id', '=', item.provider_id).where('to_status', '=', 'Active').orderBy('changed_at', 'desc').executeTakeFirstOrThrow();
		expect(move.from_status).toBe('New');

		const deleted = await simulator.control.azureDevOps.deleteWorkItem(organization, Number(item.provider_id));
		expect(deleted.deliveries[0]).toMatchObject({ statusCode: 200 });
		expect(await db().selectFrom('tickets').select('key').where('project_id', '=', item.project_id).where('provider_id', '=', item.provider_id).execute()).toEqual([]);
		await waitFor('the update to end', async () => ((await db().selectFrom('operations').select('id').where('scope', '=', `integration:${integrationId}`).where('state', '=', 'running').execute()).length === 0 ? true : undefined), 120_000);
		expect(await storedCounts()).toEqual(await simulatorCounts());
	}, 240_000);

	/** Forgets the integration's work items and cursors: the next update reads everything again. */
	async function forgetWorkItems(): Promise<void> {
		await db().deleteFrom('ticket_status_changes').where('integration_id', '=', integrationId).execute();
		await db().deleteFrom('tickets').where('integration_id', '=', integrationId).execute();
		await db().updateTable('ticket_projects').set({ cursor: null, tickets_count: 0 }).where('integration_id', '=', integrationId).execute();
	}

	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates', async () => {
		await forgetWorkItems();
		// Slow updates make the kill land between batches of the first project.
		await simulator.control.addFault({ provider: 'azure-devops', kind: 'slow', path: '/*/*/_apis/wit/workItems/*/updates', method: 'GET', delayMs: 30 });
		const operationId = await startUpdate(system, web.url, integrationId, manager);
		const total = (await simulatorCounts()) as Record<string, { workItems: number }>;
		const all = Object.values(total).reduce((n, p) => n + p.workItems, 0);
		const storedAtKill = await waitFor(
			'part of the work items stored',
			async () => {
				const { n } = await db().selectFrom('tickets').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow();
				return n >= 200 ? n : undefined;
			},
			120_000
		);
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		expect(storedAtKill).toBeLessThan(all);
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		await simulator.control.clearFaults();
		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts()).toEqual(await simulatorCounts());
		const { rows } = await sql<{ all: number; distinct: number }>`select count(*)::int as all, count(distinct (project_id, ticket_provider_id, provider_id))::int as distinct from ticket_status_changes where integration_id = ${integrationId}`.execute(db());
		expect(rows[0]!.all).toBe(rows[0]!.distinct);
	}, 300_000);

	it('pauses at a spent quota, says until when, and resumes by itself', async () => {
		await forgetWorkItems();
		await simulator.control.setRateLimit({ token: simulator.azureDevOps.tokens.full, limit: 60, remaining: 60, resetInSeconds: 40 });
		const operationId = await startUpdate(system, web.url, integrationId, manager);
		const limited = await waitFor(
			'the integration to be rate limited',
			async () => {
				const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', integrationId).executeTakeFirstOrThrow();
				return row.data_status === 'rate-limited' ? row : undefined;
			},
			90_000
		);
		expect(limited.status_detail).toMatch(/Rate limited until \d\d:\d\d UTC/);
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts()).toEqual(await simulatorCounts());
	}, 300_000);

	it('a token without Work Items: Read is told at the connection test, naming the scope', async () => {
		// The add form tests what a new integration starts with (repos, pull requests): this token passes it.
		const added = await submitAction(
			web.url,
			'/integrations/new/azure-devops',
			{ name: 'Acme Boards without work items', authMethod: 'personal-access-token', baseUrl: orgUrl, caCertificate: readFileSync(simulator.caFile, 'utf8'), token: simulator.azureDevOps.tokens.noWork },
			manager
		);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const other = (await db().selectFrom('integrations').select('id').where('name', '=', 'Acme Boards without work items').executeTakeFirstOrThrow()).id;
		await latestOperationEnd(system, other, 'integration.update');
		expect((await submitAction(web.url, `/integrations/${other}?/setService`, { service: 'tickets', on: 'yes' }, manager)).type).toBe('success');
		// The saved integration's test checks its own services, work items among them.
		const tested = await submitAction(web.url, `/integrations/${other}?/test`, {}, manager);
		expect(tested.type, JSON.stringify(tested)).toBe('success');
		const test = await latestOperationEnd(system, other, 'integration.test');
		expect(JSON.stringify(test.result) + (test.error ?? '')).toMatch(/Work Items: Read \(vso\.work\)/);
	}, 120_000);
});
