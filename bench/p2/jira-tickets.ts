// P2 for Jira: ticket ingest end to end against a bare fetch of the same data with the same client
// and ingest code (provider-ingest.ts's measureBothWays). The simulator's Jira Cloud holds 3
// projects × 1,700 tickets with their status histories, reached over HTTP through jira.js: the
// enhanced search by pages of 100 with the changelog, and the bulk changelog fetch for the
// tickets whose history the search cut short. Product side: an Update of a Jira Cloud
// integration with every project imported (startUpdate → Temporal → a real worker → Postgres),
// its tickets and cursors forgotten before each run so every run reads everything.
import os from 'node:os';
import path from 'node:path';
import { readSettings } from '#core/config.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { cloudApi } from '#core/providers/jira/cloud-api.ts';
import { openJiraSession } from '#core/providers/jira/session.ts';
import { ingestJiraTickets } from '#core/providers/jira/tickets.ts';
import { startUpdate } from '../../src/lib/server/integrations/operations.ts';
import { startSimulator } from '../../simulator/launch.ts';
import { createSystem, signedInUser, type EngineAddresses } from '../../tests/support/system.ts';
import { useSystemRuntime, waitForSuccess } from '../support/system.ts';
import { measureBothWays } from './provider-ingest.ts';

export interface JiraBenchOptions {
	projects: number;
	ticketsPerProject: number;
	runs: number;
}

const defaults: JiraBenchOptions = { projects: 3, ticketsPerProject: 1_700, runs: 3 };

export async function benchJiraTickets(engines: EngineAddresses, overrides: Partial<JiraBenchOptions> = {}): Promise<string[]> {
	const options = { ...defaults, ...overrides };
	const simulator = await startSimulator({
		dataDir: path.join(os.tmpdir(), 'tributary-bench-simulator', `p2-jira-${options.projects}x${options.ticketsPerProject}`),
		orgs: 1,
		reposPerOrg: 1,
		pullRequests: 0,
		commits: 5,
		jiraProjects: options.projects,
		tickets: options.ticketsPerProject
	});
	const system = await createSystem(engines, { TRIBUTARY_GIT_SCHEMES: 'http,https,ssh', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.0/8', TRIBUTARY_UPDATE_CONCURRENCY: '8' });
	const site = simulator.jiraCloud;
	const credentials = { method: 'api-token' as const, email: site.email, token: site.tokens.full };
	try {
		// The benchmark measures ingest, not waiting for a quota.
		await simulator.control.setRateLimit({ token: site.tokens.full, limit: 10_000_000, remaining: 10_000_000, resetInSeconds: 3600 });
		await system.seedDemo();
		// P2_PROFILE=<dir>: the worker writes its CPU profile there when it stops (where its time goes).
		const worker = await system.startWorker(process.env.P2_PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.P2_PROFILE}` } : {});
		await useSystemRuntime(system);
		process.env.TRIBUTARY_UPDATE_CONCURRENCY = '8';
		const manager = await signedInUser(system, 'manager@acme.example');
		const { db, pool } = system.database;
		const integration = await createIntegration(
			db,
			manager,
			'jira-cloud',
			{ name: 'P2 Jira', authMethod: 'api-token', credentials, baseUrl: site.http, settings: { autoImportTicketProjects: true }, repositories: [], deploymentsFromTags: false },
			'P2 token'
		);
		const run = async () => {
			await db.deleteFrom('ticket_status_changes').where('integration_id', '=', integration.id).execute();
			await db.deleteFrom('tickets').where('integration_id', '=', integration.id).execute();
			await db.updateTable('ticket_projects').set({ cursor: null, tickets_count: 0 }).where('integration_id', '=', integration.id).execute();
			for (const table of ['tickets', 'ticket_status_changes']) await pool.query(`vacuum analyze ${table}`);
			const ended = await waitForSuccess(system, (await startUpdate(manager, integration.id)).id, 600_000);
			return { seconds: ended.seconds, stored: (ended.result as { tickets?: number }).tickets ?? 0 };
		};
		// The first run discovers the projects and warms the worker: not counted.
		const total = (await run()).stored;
		const expected = (await simulator.control.jira.cloud.stats()).projects.reduce((n, p) => n + p.tickets, 0);
		if (total !== expected) throw new Error(`The update stored ${total} tickets; the simulator has ${expected}.`);
		const projects = await db.selectFrom('ticket_projects').select(['id', 'provider_id', 'key', 'name', 'workflow']).where('integration_id', '=', integration.id).execute();
		const settings = { ...readSettings(), gitPrivateNetworks: ['127.0.0.0/8'] };
		const bare = () =>
			Promise.all(
				projects.map((project) => {
					const session = openJiraSession('cloud', { baseUrl: site.http, settings: {}, credentials }, settings);
					return ingestJiraTickets(cloudApi(session), session.baseUrl, {
						project: { id: project.id, providerId: project.provider_id, key: project.key, name: project.name, workflow: project.workflow },
						cursor: null,
						store: async () => 0,
						progress: async () => {},
						quota: () => {}
					});
				})
			);
		const lines = await measureBothWays({
			simulator,
			provider: 'jira-cloud',
			workerPid: worker.pid,
			runs: options.runs,
			total,
			what: `tickets in ${projects.length} projects`,
			line: 'jira-tickets-vs-raw-fetch',
			unit: 'tickets/s',
			product: async () => {
				const { seconds, stored } = await run();
				if (stored !== total) throw new Error(`The update stored ${stored} tickets of ${total}.`);
				return seconds;
			},
			bare
		});
		await worker.stop();
		return lines;
	} finally {
		await system.stop().catch(() => {});
		await simulator.stop();
	}
}
