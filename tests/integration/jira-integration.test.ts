// Jira Cloud and Jira Data Center end to end, through the real web and worker processes, Temporal
// and Postgres, against the simulator's Jira (a real process serving both editions' REST APIs:
// Cloud over HTTP as a hosted site, Data Center over HTTPS with its own CA). Added through the
// form, the first update lists the projects with their workflows; imported projects bring every
// ticket with its status history (counts equal the simulator's); a second update writes nothing;
// changes made on Jira arrive through signed, deduplicated webhooks; a worker killed mid-ingest
// resumes from its checkpoint; a spent quota pauses and resumes; the token appears nowhere; and
// refused credentials, a missing permission or an untrusted certificate say so before saving.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { getOperation } from '#core/operations/queries.ts';
import { setTicketProjectsImported } from '#core/tickets/projects.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import type { JiraSiteControl } from '../../simulator/jira/control-client.ts';
import { startTestSimulator } from '../simulator/support.ts';
import {
	createTestSystem,
	demoUser,
	latestOperationEnd,
	signedInUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';
import { startUpdate, update } from '../support/provider-ingest.ts';

/** Three pages a project: a kill lands between pages. */
const ticketsPerProject = 300;

let system: TestSystem;
let simulator: RunningSimulator;
let web: RunningWeb;
let worker: RunningProcess;
let manager: string;
let globex: string;
let deleter: string;
let ca: string;

beforeAll(async () => {
	simulator = await startTestSimulator('jira-integration', { orgs: 1, reposPerOrg: 1, pullRequests: 0, commits: 5, jiraProjects: 3, tickets: ticketsPerProject });
	ca = readFileSync(simulator.caFile, 'utf8');
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'http,https,ssh', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8', TRIBUTARY_INGEST_HEARTBEAT_SECONDS: '3' });
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	globex = await signIn(web.url, 'admin@globex.example', demoUser(demo, 'admin@globex.example').password);
	deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
}, 180_000);
afterAll(async () => {
	await system?.stop();
	await simulator?.stop();
});

const db = () => system.database.db;

interface Edition {
	kind: 'jira-cloud' | 'jira-data-center';
	label: string;
	fields(): Record<string, string>;
	token(): string;
	control(): JiraSiteControl;
}

const editions: Edition[] = [
	{
		kind: 'jira-cloud',
		label: 'Jira Cloud',
		fields: () => ({ authMethod: 'api-token', baseUrl: simulator.jiraCloud.http, email: simulator.jiraCloud.email, token: simulator.jiraCloud.tokens.full }),
		token: () => simulator.jiraCloud.tokens.full,
		control: () => simulator.control.jira.cloud
	},
	{
		kind: 'jira-data-center',
		label: 'Jira Data Center',
		fields: () => ({ authMethod: 'personal-access-token', baseUrl: simulator.jiraDataCenter.https, caCertificate: ca, token: simulator.jiraDataCenter.tokens.full }),
		token: () => simulator.jiraDataCenter.tokens.full,
		control: () => simulator.control.jira.dataCenter
	}
];

async function add(edition: Edition, name: string, as = manager, fields = edition.fields()): Promise<string> {
	const result = await submitAction(web.url, `/integrations/new/${edition.kind}`, { name, ...fields }, as);
	expect(result.type, JSON.stringify(result)).toBe('redirect');
	return (await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

async function importProjects(integrationId: string, keys: string[]): Promise<void> {
	const { organization_id } = await db().selectFrom('integrations').select('organization_id').where('id', '=', integrationId).executeTakeFirstOrThrow();
	const projects = await db().selectFrom('ticket_projects').select('id').where('integration_id', '=', integrationId).where('key', 'in', keys).execute();
	expect(projects).toHaveLength(keys.length);
	await db().transaction().execute((trx) => setTicketProjectsImported(trx, organization_id, integrationId, projects.map((p) => p.id), true));
}

/** Per imported project (by key): tickets, status changes, tickets by status. */
async function storedCounts(integrationId: string) {
	const projects = await db().selectFrom('ticket_projects').select(['id', 'key', 'tickets_count']).where('integration_id', '=', integrationId).where('imported', '=', true).execute();
	const result: Record<string, { tickets: number; statusChanges: number; byStatus: Record<string, number> }> = {};
	for (const project of projects) {
		const byStatus = await db().selectFrom('tickets').select(['status', sql<number>`count(*)::int`.as('n')]).where('project_id', '=', project.id).groupBy('status').execute();
		const changes = await db().selectFrom('ticket_status_changes').select(sql<number>`count(*)::int`.as('n')).where('project_id', '=', project.id).executeTakeFirstOrThrow();
		const tickets = byStatus.reduce((n, s) => n + s.n, 0);
		expect(project.tickets_count, project.key).toBe(tickets);
		result[project.key] = { tickets, statusChanges: changes.n, byStatus: Object.fromEntries(byStatus.map((s) => [s.status, s.n])) };
	}
	return result;
}

/** The simulator's, in the same shape, for the projects `integrationId` imports. */
async function simulatorCounts(edition: Edition, integrationId: string) {
	const keys = new Set((await db().selectFrom('ticket_projects').select('key').where('integration_id', '=', integrationId).where('imported', '=', true).execute()).map((p) => p.key));
	const stats = await edition.control().stats();
	return Object.fromEntries(
		stats.projects.filter((p) => keys.has(p.project)).map((p) => [p.project, { tickets: p.tickets, statusChanges: p.statusHistories, byStatus: Object.fromEntries(Object.entries(p.byStatus).filter(([, n]) => n > 0)) }])
	);
}

/** Every ticket row's and status change's version: equal means nothing was written. */
async function rowVersions(integrationId: string): Promise<string> {
	const tickets = await sql<{ v: string }>`select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by project_id, provider_id), '') as v from tickets where integration_id = ${integrationId}`.execute(db());
	const changes = await sql<{ v: string }>`select coalesce(string_agg(provider_id || ':' || xmin::text, ',' order by project_id, ticket_provider_id, provider_id), '') as v from ticket_status_changes where integration_id = ${integrationId}`.execute(db());
	return `${tickets.rows[0]!.v}|${changes.rows[0]!.v}`;
}

async function expectNoDuplicates(integrationId: string): Promise<void> {
	const { rows } = await sql<{ all: number; distinct: number }>`select count(*)::int as all, count(distinct (project_id, ticket_provider_id, provider_id))::int as distinct from ticket_status_changes where integration_id = ${integrationId}`.execute(db());
	expect(rows[0]!.all).toBe(rows[0]!.distinct);
}

describe.each(editions)('$label', (edition) => {
	let acme: string;

	it('added with a token, its first update lists the projects with their workflows; imported projects bring every ticket and its status history', async () => {
		acme = await add(edition, `Acme ${edition.label}`);
		const first = await latestOperationEnd(system, acme, 'integration.update');
		expect(first.state, first.error ?? '').toBe('succeeded');
		const stats = await edition.control().stats();
		const projects = await db().selectFrom('ticket_projects').selectAll().where('integration_id', '=', acme).orderBy('key').execute();
		expect(projects.map((p) => p.key)).toEqual(stats.projects.map((p) => p.project).sort());
		// Found, not imported: the integration's “auto-import all projects” is off until turned on.
		expect(projects.every((p) => !p.imported && p.data_status === 'excluded')).toBe(true);
		const ops = projects.find((p) => p.key === 'OPS')!;
		expect(ops.workflow.statuses).toContainEqual({ name: 'Blocked', category: 'in-progress' });
		expect(ops.workflow.statuses).toContainEqual({ name: 'Released', category: 'done' });
		expect(ops.workflow.types).toContainEqual({ name: 'Sub-task', subtask: true });
		expect(ops.url).toBe(`${edition.fields().baseUrl}/browse/OPS`);

		await importProjects(acme, ['CORE', 'OPS']);
		const operation = await update(system, web.url, acme, manager);
		const stages = Object.fromEntries(operation.stages.map((s) => [s.key, s]));
		const expected = await simulatorCounts(edition, acme);
		const tickets = Object.values(expected).reduce((n, p) => n + p.tickets, 0);
		expect(stages['ticket-projects']).toMatchObject({ done: 2, total: 2 });
		expect(stages.tickets).toMatchObject({ done: tickets, total: tickets });
		expect(operation.result).toMatchObject({ ticketProjects: 2, tickets });
		expect(await storedCounts(acme)).toEqual(expected);
		const imported = await db().selectFrom('ticket_projects').select(['key', 'data_status', 'last_updated_at']).where('integration_id', '=', acme).where('imported', '=', true).execute();
		for (const project of imported) {
			expect(project.data_status, project.key).toBe('healthy');
			expect(project.last_updated_at).not.toBeNull();
		}
		// Story points where the ticket has an estimate; links to Jira; times Jira gave.
		const sample = await db().selectFrom('tickets').selectAll().where('integration_id', '=', acme).where('story_points', 'is not', null).executeTakeFirstOrThrow();
		expect(sample.url).toBe(`${edition.fields().baseUrl}/browse/${sample.key}`);
		expect(sample.updated_at.getTime()).toBeGreaterThanOrEqual(sample.created_at.getTime());
		const done = await db().selectFrom('tickets').select(['resolved_at', 'status_category']).where('integration_id', '=', acme).where('status_category', '=', 'done').execute();
		expect(done.length).toBeGreaterThan(0);
		expect(done.every((t) => t.resolved_at !== null)).toBe(true);
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
	}, 240_000);

	it('writes nothing on a second update', async () => {
		const before = await rowVersions(acme);
		await update(system, web.url, acme, manager);
		expect(await rowVersions(acme)).toBe(before);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(edition, acme));
	}, 240_000);

	it('webhooks: a signed delivery updates its project, a retry of it changes nothing, a deleted ticket goes at once, a forged one gets 401', async () => {
		const admin = await signedInUser(system, 'admin@acme.example');
		const { endpoint, secret } = (await rotateWebhookSecret(db(), admin.organizationId, acme))!;
		const url = `${web.url}/webhooks/${endpoint}`;
		const hook = await edition.control().registerWebhook({ url, secret });
		const updates = async () => (await db().selectFrom('operations').select('id').where('scope', '=', `integration:${acme}`).where('kind', '=', 'integration.update').execute()).length;
		const before = await updates();

		const ticket = await db().selectFrom('tickets').select(['key', 'status', 'provider_id', 'project_id']).where('integration_id', '=', acme).where('key', 'like', 'CORE-%').where('status', '=', 'To Do').executeTakeFirstOrThrow();
		const moved = await edition.control().transition(ticket.key, { status: 'In Progress' });
		const ours = moved.deliveries.find((d) => d.webhookId === hook.id)!;
		expect(ours).toMatchObject({ statusCode: 202 });
		await waitFor(
			'the transition stored',
			async () => {
				const row = await db().selectFrom('tickets').select('status').where('project_id', '=', ticket.project_id).where('provider_id', '=', ticket.provider_id).executeTakeFirstOrThrow();
				return row.status === 'In Progress' ? true : undefined;
			},
			120_000
		);
		const change = await db().selectFrom('ticket_status_changes').selectAll().where('project_id', '=', ticket.project_id).where('ticket_provider_id', '=', ticket.provider_id).where('to_status', '=', 'In Progress').orderBy('changed_at', 'desc').executeTakeFirstOrThrow();
		expect(change.from_status).toBe('To Do');
		expect(await updates()).toBe(before + 1);

		const again = await edition.control().redeliver(ours.id);
		expect(again.statusCode).toBe(200);
		expect(await updates()).toBe(before + 1);

		// A change to a project not imported: logged, nothing started.
		const elsewhere = await edition.control().createIssue('WEB', { summary: 'Not imported here' });
		expect(elsewhere.deliveries.find((d) => d.webhookId === hook.id)?.statusCode).toBeLessThan(300);
		expect(await updates()).toBe(before + 1);

		const gone = await db().selectFrom('tickets').select(['key', 'provider_id']).where('integration_id', '=', acme).where('key', 'like', 'OPS-%').executeTakeFirstOrThrow();
		// Jira deletes a ticket's sub-tasks with it, and tells of each.
		const deleted = await edition.control().deleteIssue(gone.key);
		const told = deleted.deliveries.filter((d) => d.webhookId === hook.id);
		expect(told).toHaveLength(deleted.deleted.length);
		for (const delivery of told) expect(delivery.statusCode).toBe(200);
		expect(await db().selectFrom('tickets').select('key').where('integration_id', '=', acme).where('provider_id', '=', gone.provider_id).execute()).toEqual([]);
		expect(await db().selectFrom('ticket_status_changes').select('provider_id').where('integration_id', '=', acme).where('ticket_provider_id', '=', gone.provider_id).execute()).toEqual([]);

		const logged = await db().selectFrom('webhook_deliveries').select(['delivery_id', 'result']).where('integration_id', '=', acme).execute();
		expect(logged.map((d) => d.result)).toEqual(expect.arrayContaining([expect.stringContaining('update of CORE started'), expect.stringContaining('does not import'), expect.stringContaining('removed')]));

		const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: ticket.provider_id, key: ticket.key, fields: { project: { id: '10000' } } } });
		const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': `sha256=${'0'.repeat(64)}` }, body });
		expect(forged.status).toBe(401);
		const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		expect(unsigned.status).toBe(401);
		// Every change made above is stored as the simulator holds it, once the update it started ends.
		await waitFor('the webhook’s update to end', async () => ((await db().selectFrom('operations').select('id').where('scope', '=', `integration:${acme}`).where('state', '=', 'running').execute()).length === 0 ? true : undefined), 120_000);
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(edition, acme));
	}, 240_000);

	it('shows the token on no page, and keeps it out of every operation and the stored row', async () => {
		const token = edition.token();
		for (const page of [`/integrations/${acme}`, `/integrations/${acme}/edit`, `/integrations/${acme}/webhooks`, '/integrations', '/operations', '/audit']) {
			const html = await (await fetch(`${web.url}${page}`, { headers: { cookie: manager } })).text();
			expect(html, page).not.toContain(token);
		}
		const operations = await db().selectFrom('operations').selectAll().where('scope', '=', `integration:${acme}`).execute();
		expect(JSON.stringify(operations)).not.toContain(token);
		const row = await db().selectFrom('integrations').selectAll().where('id', '=', acme).executeTakeFirstOrThrow();
		expect(JSON.stringify(row)).not.toContain(token);
	});
});

describe('faults', () => {
	it('resumes from its checkpoint when the worker is killed mid-ingest: exact counts, no duplicates', async () => {
		const cloud = editions[0]!;
		// Slow searches make the kill land in the middle of the first update, between pages.
		await simulator.control.addFault({ provider: 'jira-cloud', kind: 'slow', path: '/search/jql', delayMs: 300 });
		const admin = await signedInUser(system, 'admin@globex.example');
		const other = await add(cloud, 'Globex Jira', globex);
		await latestOperationEnd(system, other, 'integration.update');
		await importProjects(other, ['CORE', 'WEB', 'OPS']);
		const operationId = await startUpdate(system, web.url, other, globex);
		const total = 3 * ticketsPerProject;
		const storedAtKill = await waitFor(
			'part of the tickets stored',
			async () => {
				const { n } = await db().selectFrom('tickets').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', other).executeTakeFirstOrThrow();
				return n >= total / 4 ? n : undefined;
			},
			120_000
		);
		worker.child.kill('SIGKILL');
		await new Promise((resolve) => worker.child.once('exit', resolve));
		expect(storedAtKill).toBeLessThan(total);
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		await simulator.control.clearFaults();
		worker = await system.startWorker();
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts(other)).toEqual(await simulatorCounts(cloud, other));
		await expectNoDuplicates(other);
		expect(admin.organizationId).not.toBe((await signedInUser(system, 'admin@acme.example')).organizationId);
	}, 300_000);

	it('pauses at a spent quota (Data Center’s token bucket), says until when, and resumes by itself', async () => {
		const dataCenter = editions[1]!;
		const acme = (await db().selectFrom('integrations').select('id').where('name', '=', `Acme ${dataCenter.label}`).executeTakeFirstOrThrow()).id;
		// Read everything again, so the quota runs out part way.
		await db().deleteFrom('ticket_status_changes').where('integration_id', '=', acme).execute();
		await db().deleteFrom('tickets').where('integration_id', '=', acme).execute();
		await db().updateTable('ticket_projects').set({ cursor: null, tickets_count: 0 }).where('integration_id', '=', acme).execute();
		await simulator.control.setRateLimit({ token: dataCenter.token(), limit: 5, remaining: 5, resetInSeconds: 40 });
		const operationId = await startUpdate(system, web.url, acme, manager);
		const limited = await waitFor(
			'the integration to be rate limited',
			async () => {
				const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', acme).executeTakeFirstOrThrow();
				return row.data_status === 'rate-limited' ? row : undefined;
			},
			90_000
		);
		expect(limited.status_detail).toMatch(/Rate limited until \d\d:\d\d UTC/);
		expect((await getOperation(db(), operationId))!.state).toBe('running');
		const operation = await waitForOperationEnd(system, operationId, 180_000);
		expect(operation.state, operation.error ?? '').toBe('succeeded');
		expect(await storedCounts(acme)).toEqual(await simulatorCounts(dataCenter, acme));
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', acme).executeTakeFirstOrThrow()).data_status).toBe('healthy');
	}, 300_000);

	it('refused credentials, a missing permission and an untrusted certificate are said before saving; a token revoked later becomes the status', async () => {
		const [cloud, dataCenter] = editions as [Edition, Edition];
		const refusals = async (edition: Edition, fields: Record<string, string>) => {
			const result = await submitAction(web.url, `/integrations/new/${edition.kind}`, { name: `Refused ${Math.random()}`, ...fields }, manager);
			expect(result.type).toBe('failure');
			return JSON.stringify(result);
		};
		expect(await refusals(cloud, { ...cloud.fields(), token: 'ATATT3xWRONG' })).toMatch(/refused the credentials/);
		expect(await refusals(cloud, { ...cloud.fields(), email: simulator.jiraCloud.noBrowseEmail, token: simulator.jiraCloud.tokens.noBrowse })).toMatch(/Browse projects permission/);
		expect(await refusals(dataCenter, { ...dataCenter.fields(), caCertificate: '' })).toMatch(/certificate this server does not trust/);

		const acme = (await db().selectFrom('integrations').select('id').where('name', '=', `Acme ${cloud.label}`).executeTakeFirstOrThrow()).id;
		const tested = await submitAction(web.url, `/integrations/${acme}?/test`, {}, manager);
		expect(tested.type, JSON.stringify(tested)).toBe('success');
		const test = await latestOperationEnd(system, acme, 'integration.test');
		expect(test.state, test.error ?? '').toBe('succeeded');
		expect(test.result).toMatchObject({ account: simulator.jiraCloud.email, failed: 0 });

		await simulator.control.revokeToken(cloud.token());
		const operation = await waitForOperationEnd(system, await startUpdate(system, web.url, acme, manager), 120_000);
		expect(operation.state).toBe('failed');
		const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', acme).executeTakeFirstOrThrow();
		expect(row.data_status).toBe('failed-integration');
		expect(row.status_detail).toMatch(/refused the credentials.*Create a new API token/);
	}, 240_000);

	it('deleting an integration counts its ticket projects, tickets and status changes first, then removes them and nothing else', async () => {
		const acme = (await db().selectFrom('integrations').select('id').where('name', '=', 'Acme Jira Data Center').executeTakeFirstOrThrow()).id;
		const other = (await db().selectFrom('integrations').select('id').where('name', '=', 'Acme Jira Cloud').executeTakeFirstOrThrow()).id;
		const count = async (table: 'ticket_projects' | 'tickets' | 'ticket_status_changes', integrationId: string) =>
			(await db().selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow()).n;
		const before = { projects: await count('ticket_projects', acme), tickets: await count('tickets', acme), changes: await count('ticket_status_changes', acme) };
		const untouched = { projects: await count('ticket_projects', other), tickets: await count('tickets', other), changes: await count('ticket_status_changes', other) };
		expect(before.tickets).toBeGreaterThan(0);
		const asked = await submitAction(web.url, `/integrations/${acme}?/delete`, {}, deleter);
		expect(asked.type).toBe('failure');
		expect(JSON.stringify(asked)).toContain(`"ticket_projects":${before.projects}`);
		expect(JSON.stringify(asked)).toContain(`"tickets":${before.tickets}`);
		expect(JSON.stringify(asked)).toContain(`"ticket_status_changes":${before.changes}`);
		const confirmed = await submitAction(web.url, `/integrations/${acme}?/delete`, { confirm: 'yes' }, deleter);
		expect(confirmed.type, JSON.stringify(confirmed)).toBe('redirect');
		const deletion = await latestOperationEnd(system, acme, 'integration.delete');
		expect(deletion.state, deletion.error ?? '').toBe('succeeded');
		expect({ projects: await count('ticket_projects', acme), tickets: await count('tickets', acme), changes: await count('ticket_status_changes', acme) }).toEqual({ projects: 0, tickets: 0, changes: 0 });
		expect({ projects: await count('ticket_projects', other), tickets: await count('tickets', other), changes: await count('ticket_status_changes', other) }).toEqual(untouched);
	}, 240_000);
});
