// SPEC F1.3: every route, action, endpoint and socket, read from the route files, tried as every
// level and as a user of the other organisation. Zero unauthorised successes; the allowed succeed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSignIn } from '../../scripts/demo-data.ts';
import { can, type Permission } from '#core/domain/accounts/permissions.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { PresenceList } from '#core/domain/realtime/events.ts';
import { createUser } from '../../src/lib/server/accounts/users.ts';
import { createGenericGitIntegration, parseUrls } from '#core/providers/generic-git/create.ts';
import { createIntegration } from '#core/integrations/create.ts';
import { rotateWebhookSecret } from '#core/integrations/webhooks.ts';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { broadcastStarted } from '#core/operations/broadcast.ts';
import { finishOperation, insertOperation } from '#core/operations/queries.ts';
import { closeRealtime, createRealtimeServer } from '#core/realtime/server.ts';
import { pageComponents, serverEntries, socketRequests, type Entry } from '../support/routes.ts';
import {
	connectSocket,
	createTestSystem,
	signIn,
	submitAction,
	runningOperation,
	waitFor,
	type ActionResult,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let demo: DemoSignIn[];
let entries: Entry[];
const ids: Record<string, string> = {};

interface Actor {
	label: string;
	signIn: DemoSignIn | null;
	level: 'none' | 'view' | 'manage' | 'delete';
	isAdmin: boolean;
	organization: 'Acme' | 'Globex' | null;
}

function actors(): Actor[] {
	return [
		{ label: 'anonymous', signIn: null, level: 'none', isAdmin: false, organization: null },
		...demo.map((d) => ({
			label: `${d.email}`,
			signIn: d,
			level: d.level === 'admin' ? ('delete' as const) : d.level,
			isAdmin: d.level === 'admin',
			organization: d.organization as 'Acme' | 'Globex'
		}))
	];
}

async function cookieFor(actor: Actor): Promise<string | undefined> {
	return actor.signIn ? signIn(web.url, actor.signIn.email, actor.signIn.password) : undefined;
}

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	demo = await system.seedDemo();
	web = await system.startWeb();
	entries = await serverEntries();
	const { db } = system.database;
	const acme = await db.selectFrom('organizations').select('id').where('name', '=', 'Acme').executeTakeFirstOrThrow();
	ids.acme = acme.id;
	// Accounts the fixtures act on, so no actor's own session is touched.
	for (const name of ['level-target', 'deactivate-target', 'sign-in-target']) {
		const user = await createUser(db, null, {
			organizationId: acme.id,
			email: `${name}@acme.example`,
			name,
			password: 'a long enough password',
			level: 'view'
		});
		ids[name] = user.id;
	}
	const repoRoot = mkdtempSync(path.join(os.tmpdir(), 'tributary-matrix-'));
	for (const name of ['existing', 'new']) {
		await generateRepository(path.join(repoRoot, name), { commits: 20, branches: 1, tags: 1, seed: 5 });
	}
	ids.newRepoUrl = `file://${path.join(repoRoot, 'new')}`;
	const admin = await db.selectFrom('users').selectAll().where('email', '=', 'admin@acme.example').executeTakeFirstOrThrow();
	const repositories = parseUrls(`file://${path.join(repoRoot, 'existing')}`);
	if (!repositories.ok) throw new Error('fixture repository refused');
	const integration = await createGenericGitIntegration(
		db,
		{ id: admin.id, organizationId: acme.id, organizationName: 'Acme', email: admin.email, name: admin.name, level: 'delete', isAdmin: true },
		{ name: 'Matrix fixture', repositories: repositories.value, credentials: { method: 'none' }, deploymentsFromTags: false }
	);
	ids.integration = integration.id;
	ids.repo = (await db.selectFrom('repos').select('id').where('integration_id', '=', integration.id).executeTakeFirstOrThrow()).id;
	// A GitHub integration, for what only hosted kinds have (webhooks), with a webhook endpoint.
	const github = await createIntegration(
		db,
		{ id: admin.id, organizationId: acme.id, organizationName: 'Acme', email: admin.email, name: admin.name, level: 'delete', isAdmin: true },
		'github',
		{ name: 'GitHub fixture', authMethod: 'personal-access-token', credentials: { method: 'personal-access-token', token: 'ghp_matrix' }, baseUrl: null, settings: {}, repositories: [], deploymentsFromTags: false },
		'Matrix token'
	);
	ids.githubIntegration = github.id;
	ids.webhookEndpoint = (await rotateWebhookSecret(db, acme.id, github.id))!.endpoint;
	ids.runningOperation = (
		await insertOperation(db, {
			organizationId: acme.id,
			kind: 'integration.test',
			scope: `integration:${github.id}`,
			stages: [],
			startedBy: 'manager@acme.example',
			workflowId: (id) => `matrix-cancel-${id}`
		})
	).id;
	ids.githubGroup = (
		await db.insertInto('groups').values({ organization_id: acme.id, integration_id: github.id, provider_id: '1', name: 'matrix-org', url: null }).returning('id').executeTakeFirstOrThrow()
	).id;
	// A Jira integration with an imported project, for the Tickets tab and the Ticket projects pages.
	ids.jiraIntegration = (
		await db
			.insertInto('integrations')
			.values({
				organization_id: acme.id,
				kind: 'jira-cloud',
				name: 'Jira fixture',
				auth_method: 'basic',
				credential_summary: 'Matrix account',
				services: JSON.stringify(['tickets']),
				data_status: 'healthy',
				status_detail: null,
				last_updated_at: null,
				added_by_email: admin.email
			})
			.returning('id')
			.executeTakeFirstOrThrow()
	).id;
	ids.ticketProject = (
		await db
			.insertInto('ticket_projects')
			.values({
				organization_id: acme.id,
				integration_id: ids.jiraIntegration,
				provider_id: '10000',
				key: 'MTX',
				name: 'Matrix project',
				url: null,
				imported: true,
				data_status: 'healthy',
				status_detail: null,
				last_updated_at: null,
				workflow: JSON.stringify({ statuses: [{ name: 'To Do', category: 'to-do' }, { name: 'Done', category: 'done' }], types: [{ name: 'Bug', subtask: false }] }),
				update_operation_id: null
			})
			.returning('id')
			.executeTakeFirstOrThrow()
	).id;
});
afterAll(() => system?.stop());

/** Counts that any successful mutation changes. */
async function snapshot() {
	const { db } = system.database;
	const count = async (table: 'users' | 'audit_events' | 'operations' | 'sessions' | 'integrations' | 'repos') =>
		(await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
	const targets = await db
		.selectFrom('users')
		.select(['email', 'integrations_level', 'deactivated_at'])
		.where('id', 'in', [ids['level-target']!, ids['deactivate-target']!])
		.orderBy('email')
		.execute();
	const integration = await db
		.selectFrom('integrations')
		.select(['name', 'version', 'deployments_from_tags'])
		.where('id', '=', ids.integration!)
		.executeTakeFirst();
	const repo = await db.selectFrom('repos').select(['imported']).where('id', '=', ids.repo!).executeTakeFirst();
	const ticketProject = await db.selectFrom('ticket_projects').select(['imported', 'version', 'settings']).where('id', '=', ids.ticketProject!).executeTakeFirst();
	const jira = await db.selectFrom('integrations').select(['settings']).where('id', '=', ids.jiraIntegration!).executeTakeFirst();
	return {
		ticketProject: JSON.stringify(ticketProject),
		jira: JSON.stringify(jira),
		integrations: await count('integrations'),
		repos: await count('repos'),
		integration: JSON.stringify(integration),
		repo: JSON.stringify(repo),
		users: await count('users'),
		audit: await count('audit_events'),
		operations: await count('operations'),
		sessions: await count('sessions'),
		targets: JSON.stringify(targets)
	};
}

interface Fixture {
	/** The permission the product's policy (SPEC F1.1) gives this entry; the route must declare it. */
	policy: Permission;
	fields(attempt: number): Record<string, string> | Promise<Record<string, string>>;
	/** Values for the route's parameters, e.g. { id } for /integrations/[id]. */
	params?: () => Record<string, string>;
	/** The target belongs to Acme: a user of another organisation must never succeed, whatever their level. */
	targetsAcme: boolean;
	succeeded(result: ActionResult): boolean;
	/** Puts things back after an allowed success, so every actor starts from the same state. */
	reset?(): Promise<void>;
	/** The attempt ends the session it uses: give it a session of its own. */
	ownSession?: boolean;
}

const success = (result: ActionResult) => result.type === 'success';
const redirected = (result: ActionResult) => result.type === 'redirect';
let counter = 0;

/** No worker runs in this test: started work is ended by hand so the next actor may start it again. */
async function endStartedWork(): Promise<void> {
	await system.database.db.updateTable('operations').set({ state: 'cancelled' }).where('state', '=', 'running').execute();
}

const onIntegration = () => ({ id: ids.integration! });

async function importTicketProjectAgain(): Promise<void> {
	await system.database.db.updateTable('ticket_projects').set({ imported: true, data_status: 'healthy' }).where('id', '=', ids.ticketProject!).execute();
}

const fixtures: Record<string, Fixture> = {
	'POST /sign-in?/default': {
		policy: 'public',
		fields: () => ({ email: 'sign-in-target@acme.example', password: 'a long enough password' }),
		targetsAcme: false,
		succeeded: (result) => result.type === 'redirect' || result.status === 303
	},
	'POST /sign-out': {
		policy: 'signed-in',
		fields: () => ({}),
		targetsAcme: false,
		ownSession: true,
		succeeded: (result) => result.status === 303
	},
	'POST /system?/runSelfCheck': {
		policy: 'system.run',
		fields: () => ({}),
		targetsAcme: false,
		succeeded: success,
		reset: endStartedWork
	},
	'POST /integrations?/update': { policy: 'integrations.manage', fields: () => ({ id: ids.integration! }), targetsAcme: true, succeeded: success, reset: endStartedWork },
	'POST /integrations?/deploymentSource': {
		policy: 'integrations.manage',
		fields: () => ({ id: ids.integration!, gitTags: 'on' }),
		targetsAcme: true,
		succeeded: success,
		reset: endStartedWork
	},
	'POST /integrations?/remove': {
		policy: 'integrations.delete',
		fields: () => ({ id: ids.integration!, confirm: 'yes' }),
		targetsAcme: true,
		succeeded: success,
		reset: endStartedWork
	},
	'POST /integrations?/updateAll': { policy: 'integrations.delete', fields: () => ({}), targetsAcme: false, succeeded: success, reset: endStartedWork },
	'POST /integrations?/updateMetrics': { policy: 'integrations.delete', fields: () => ({}), targetsAcme: false, succeeded: success, reset: endStartedWork },
	'POST /integrations?/deploymentSourceAll': {
		policy: 'integrations.delete',
		fields: () => ({ gitTags: 'off' }),
		targetsAcme: false,
		succeeded: success,
		reset: endStartedWork
	},
	'POST /integrations/new/[kind]?/default': {
		policy: 'integrations.manage',
		params: () => ({ kind: 'generic-git' }),
		fields: () => ({ name: `Matrix ${++counter}`, urls: ids.newRepoUrl!, authMethod: 'none' }),
		targetsAcme: false,
		succeeded: redirected,
		async reset() {
			await endStartedWork();
			const made = system.database.db.selectFrom('integrations').select('id').where('name', 'like', 'Matrix %').where('name', '!=', 'Matrix fixture');
			await system.database.db.deleteFrom('repos').where('integration_id', 'in', made).execute();
			await system.database.db.deleteFrom('integrations').where('name', 'like', 'Matrix %').where('name', '!=', 'Matrix fixture').execute();
		}
	},
	'POST /integrations/[id]/webhooks?/rotate': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.githubIntegration! }),
		fields: () => ({}),
		targetsAcme: true,
		succeeded: success
	},
	// Signature-authenticated: a session gives nothing more, and an unsigned delivery to a real
	// endpoint is refused for everyone (github-webhooks.test.ts sends signed ones).
	'POST /webhooks/[endpoint]': {
		policy: 'public',
		params: () => ({ endpoint: ids.webhookEndpoint! }),
		fields: () => ({ payload: '{}' }),
		targetsAcme: false,
		succeeded: (result) => result.status === 401
	},
	'POST /integrations/[id]?/test': { policy: 'integrations.manage', params: onIntegration, fields: () => ({}), targetsAcme: true, succeeded: success, reset: endStartedWork },
	'POST /integrations/[id]?/update': { policy: 'integrations.manage', params: onIntegration, fields: () => ({}), targetsAcme: true, succeeded: success, reset: endStartedWork },
	'POST /integrations/[id]?/refresh': { policy: 'integrations.manage', params: onIntegration, fields: () => ({}), targetsAcme: true, succeeded: success, reset: endStartedWork },
	// The Repos and Services tabs of a hosted integration: each change is audited.
	'POST /integrations/[id]?/autoImportAll': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.githubIntegration! }),
		fields: (attempt) => ({ on: attempt % 2 ? 'yes' : 'no' }),
		targetsAcme: true,
		succeeded: success
	},
	'POST /integrations/[id]?/setGroup': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.githubIntegration! }),
		fields: (attempt) => ({ groupId: ids.githubGroup!, toggle: 'autoImport', on: attempt % 2 ? 'yes' : 'no' }),
		targetsAcme: true,
		succeeded: success
	},
	'POST /integrations/[id]?/setService': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.githubIntegration! }),
		fields: (attempt) => ({ service: 'pull-requests', on: attempt % 2 ? 'yes' : 'no' }),
		targetsAcme: true,
		succeeded: success
	},
	'POST /integrations/[id]?/deploymentSource': {
		policy: 'integrations.manage',
		params: onIntegration,
		fields: () => ({ gitTags: 'on' }),
		targetsAcme: true,
		succeeded: success,
		reset: endStartedWork
	},
	'POST /integrations/[id]?/setImported': {
		policy: 'integrations.manage',
		params: onIntegration,
		fields: () => ({ repoId: ids.repo!, imported: 'no' }),
		targetsAcme: true,
		succeeded: success,
		async reset() {
			await system.database.db.updateTable('repos').set({ imported: true, data_status: 'queued' }).where('id', '=', ids.repo!).execute();
		}
	},
	// The Tickets tab of a ticket system: each change is audited.
	'POST /integrations/[id]?/autoImportTicketProjects': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.jiraIntegration! }),
		fields: (attempt) => ({ on: attempt % 2 ? 'yes' : 'no' }),
		targetsAcme: true,
		succeeded: success
	},
	'POST /integrations/[id]?/setTicketProjectImported': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.jiraIntegration! }),
		fields: () => ({ projectId: ids.ticketProject!, imported: 'no', confirm: 'yes' }),
		targetsAcme: true,
		succeeded: success,
		reset: importTicketProjectAgain
	},
	'POST /integrations/[id]?/configureTicketProject': {
		policy: 'integrations.manage',
		params: () => ({ id: ids.jiraIntegration! }),
		async fields(attempt) {
			const { version } = await system.database.db.selectFrom('ticket_projects').select('version').where('id', '=', ids.ticketProject!).executeTakeFirstOrThrow();
			return { projectId: ids.ticketProject!, version: String(version), 'status:To Do': attempt % 2 ? 'to-do' : 'done', 'status:Done': 'done', type: 'Bug' };
		},
		targetsAcme: true,
		succeeded: success
	},
	// The Repos and Ticket projects pages.
	'POST /repos?/setImported': {
		policy: 'integrations.manage',
		fields: () => ({ repoId: ids.repo!, imported: 'no', confirm: 'yes' }),
		targetsAcme: true,
		succeeded: success,
		async reset() {
			await system.database.db.updateTable('repos').set({ imported: true, data_status: 'queued' }).where('id', '=', ids.repo!).execute();
		}
	},
	'POST /ticket-projects?/setImported': {
		policy: 'integrations.manage',
		fields: () => ({ projectId: ids.ticketProject!, imported: 'no', confirm: 'yes' }),
		targetsAcme: true,
		succeeded: success,
		reset: importTicketProjectAgain
	},
	'POST /integrations/[id]?/delete': {
		policy: 'integrations.delete',
		params: onIntegration,
		fields: () => ({ confirm: 'yes' }),
		targetsAcme: true,
		succeeded: redirected,
		reset: endStartedWork
	},
	'POST /integrations/[id]/edit?/default': {
		policy: 'integrations.manage',
		params: onIntegration,
		async fields(attempt) {
			const { version } = await system.database.db.selectFrom('integrations').select('version').where('id', '=', ids.integration!).executeTakeFirstOrThrow();
			return { name: `Matrix fixture`, authMethod: 'none', version: String(version), attempt: String(attempt) };
		},
		targetsAcme: true,
		succeeded: redirected,
		async reset() {
			await system.database.db.updateTable('integrations').set({ version: 1 }).where('id', '=', ids.integration!).execute();
		}
	},
	// A running connection test of Acme's: cancelling it is for the level that starts it.
	'POST /operations/[operationId]?/cancel': {
		policy: 'integrations.manage',
		params: () => ({ operationId: ids.runningOperation! }),
		async fields() {
			// Running again, uncancelled: endStartedWork of the fixtures before ends every running operation.
			await system.database.db.updateTable('operations').set({ state: 'running', cancelled_by: null, ended_at: null }).where('id', '=', ids.runningOperation!).execute();
			return { confirm: 'yes' };
		},
		targetsAcme: true,
		succeeded: success
	},
	'POST /users?/createUser': {
		policy: 'users.manage',
		fields: () => ({ email: `created-${++counter}@example.com`, name: 'Created', password: 'a long enough password', level: 'view' }),
		targetsAcme: false,
		succeeded: success
	},
	'POST /users?/changeLevel': {
		policy: 'users.manage',
		fields: (attempt) => ({ userId: ids['level-target']!, level: attempt % 2 ? 'manage' : 'view' }),
		targetsAcme: true,
		succeeded: success,
		async reset() {
			await system.database.db.updateTable('users').set({ integrations_level: 'view' }).where('id', '=', ids['level-target']!).execute();
		}
	},
	'POST /users?/deactivate': {
		policy: 'users.manage',
		fields: () => ({ userId: ids['deactivate-target']!, confirm: 'yes' }),
		targetsAcme: true,
		succeeded: success,
		async reset() {
			await system.database.db.updateTable('users').set({ deactivated_at: null }).where('id', '=', ids['deactivate-target']!).execute();
		}
	}
};

async function attempt(entry: Entry, fixture: Fixture, fields: Record<string, string>, cookie: string | undefined): Promise<ActionResult> {
	let path = entry.path;
	for (const [name, value] of Object.entries(fixture.params?.() ?? {})) path = path.replace(`[${name}]`, value);
	const target = entry.kind === 'action' && entry.action !== 'default' ? `${path}?/${entry.action}` : path;
	return submitAction(web.url, target, fields, cookie);
}

describe('every route declares its permission', () => {
	it('finds the routes in the route files', () => {
		expect(entries.map((e) => e.id)).toEqual(expect.arrayContaining(['GET /health', 'POST /users?/createUser', 'load /system']));
	});

	it('has a guard on every load, action and endpoint', () => {
		const undeclared = entries.filter((e) => !e.permission).map((e) => `${e.id} (${e.file})`);
		expect(undeclared).toEqual([]);
	});

	it('gives every page a server load, so no page renders without its guard', () => {
		const withLoad = new Set(entries.filter((e) => e.kind === 'load' && !e.id.includes('(layout)')).map((e) => e.path));
		const pages = pageComponents.map((file) => file.replace('../../src/routes', '').replace(/\/\+page\.svelte$/, '') || '/');
		expect(pages.filter((page) => !withLoad.has(page))).toEqual([]);
	});

	it('has a fixture for every mutating entry, so the matrix below cannot skip one', () => {
		const mutating = entries.filter((e) => e.mutating).map((e) => e.id);
		expect(mutating.filter((id) => !fixtures[id])).toEqual([]);
	});

	it('declares, on every mutating entry, the permission the policy gives it', () => {
		const declared = Object.fromEntries(entries.filter((e) => e.mutating).map((e) => [e.id, e.permission]));
		const policy = Object.fromEntries(Object.entries(fixtures).map(([id, f]) => [id, f.policy]));
		expect(declared).toEqual(policy);
	});
});

describe('the permission matrix', () => {
	it('refuses every unauthorised attempt without effect, and lets every authorised one succeed', async () => {
		const outcomes: string[] = [];
		for (const entry of entries.filter((e) => e.mutating)) {
			const fixture = fixtures[entry.id]!;
			let n = 0;
			for (const actor of actors()) {
				const cookie = await cookieFor(actor);
				const sessionCookie = fixture.ownSession && actor.signIn ? await cookieFor(actor) : cookie;
				const before = await snapshot();
				const result = await attempt(entry, fixture, await fixture.fields(n++), sessionCookie);
				const after = await snapshot();
				const allowed = can(actor.signIn ? actor : null, entry.permission!);
				const crossOrganisation = fixture.targetsAcme && actor.organization !== 'Acme';
				const line = `${entry.id} as ${actor.label}: ${result.status} ${result.type}`;
				if (!allowed) {
					outcomes.push(`${line} → ${[401, 403].includes(result.status) && JSON.stringify(before) === JSON.stringify(after) ? 'refused' : 'UNAUTHORISED SUCCESS'}`);
				} else if (crossOrganisation) {
					outcomes.push(`${line} → ${!fixture.succeeded(result) && JSON.stringify(before) === JSON.stringify(after) ? 'refused' : 'CROSSED ORGANISATIONS'}`);
				} else {
					outcomes.push(`${line} → ${fixture.succeeded(result) ? 'allowed' : `ALLOWED BUT FAILED: ${result.error ?? JSON.stringify(result.data)}`}`);
					await fixture.reset?.();
				}
			}
		}
		const wrong = outcomes.filter((o) => /[A-Z]{4,}/.test(o.split('→')[1] ?? ''));
		expect(wrong, outcomes.join('\n')).toEqual([]);
		// The matrix really ran: every mutating entry as all seven actors.
		expect(outcomes.length).toBe(entries.filter((e) => e.mutating).length * 7);
	});

	it('serves no page to a signed-out visitor but the sign-in page and /health', async () => {
		for (const entry of entries.filter((e) => e.kind === 'load' && !e.id.includes('(layout)'))) {
			const response = await fetch(web.url + entry.path, { redirect: 'manual' });
			if (entry.permission === 'public') {
				expect(response.status, entry.id).toBeLessThan(400);
			} else {
				expect([303, 401], entry.id).toContain(response.status);
				if (response.status === 303) expect(response.headers.get('location')).toMatch(/^\/sign-in\?next=/);
			}
		}
	});
});

describe('live updates and permissions', () => {
	it('refuses a socket without a valid session', async () => {
		await expect(connectSocket(web.url)).rejects.toThrow(/Sign in/);
		await expect(connectSocket(web.url, 'tributary_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toThrow(/Sign in/);
	});

	it('delivers an organisation’s events to its own people only', async () => {
		const { db } = system.database;
		const globex = await db.selectFrom('organizations').select('id').where('name', '=', 'Globex').executeTakeFirstOrThrow();
		const broadcaster = createRealtimeServer(system.database.pool, { role: 'worker', onError: () => {} });
		const received = new Map<string, string[]>();
		const sockets = [];
		for (const actor of actors().filter((a) => a.signIn)) {
			const socket = await connectSocket(web.url, await cookieFor(actor));
			received.set(actor.label, []);
			socket.on('operation.started', (op) => received.get(actor.label)!.push(op.id));
			sockets.push(socket);
		}
		const operation = (organizationId: string) => runningOperation({ organizationId, kind: 'test.visibility' });
		const forAcme = operation(ids.acme!);
		broadcastStarted(broadcaster, forAcme);
		// Then one for Globex, through the same channel: once Globex's people have it, anything sent
		// before it has arrived wherever it was going to.
		const forGlobex = operation(globex.id);
		broadcastStarted(broadcaster, forGlobex);
		await waitFor('every socket to hear of its own organisation’s operation', async () =>
			actors()
				.filter((a) => a.signIn)
				.every((a) => received.get(a.label)!.includes(a.organization === 'Acme' ? forAcme.id : forGlobex.id))
		);
		for (const actor of actors().filter((a) => a.signIn)) {
			expect(received.get(actor.label), actor.label).toEqual([actor.organization === 'Acme' ? forAcme.id : forGlobex.id]);
		}
		for (const socket of sockets) socket.close();
		await closeRealtime(broadcaster);
	});

	it('tells a reconnected page how operations ended only where it may watch them', async () => {
		const { db } = system.database;
		const globex = await db.selectFrom('organizations').select('id').where('name', '=', 'Globex').executeTakeFirstOrThrow();
		const finished = async (organizationId: string, scope: string) => {
			const operation = await insertOperation(db, {
				organizationId,
				kind: 'test.catch-up',
				scope,
				stages: [],
				startedBy: null,
				workflowId: (id) => `catch-up-${id}`
			});
			return (await finishOperation(db, operation.id, { state: 'succeeded' }))!;
		};
		const acmeSystem = await finished(ids.acme!, 'system');
		const acmeIntegration = await finished(ids.acme!, `integration:${crypto.randomUUID()}`);
		const globexSystem = await finished(globex.id, 'system');
		const asked = [acmeSystem.id, acmeIntegration.id, globexSystem.id, 'not-an-id', crypto.randomUUID()];
		for (const actor of actors().filter((a) => a.signIn)) {
			const socket = await connectSocket(web.url, await cookieFor(actor));
			const answer: Operation[] = await socket.timeout(5_000).emitWithAck('operations.requested', asked);
			const expected =
				actor.organization === 'Globex'
					? [globexSystem.id]
					: can(actor, 'integrations.view')
						? [acmeSystem.id, acmeIntegration.id]
						: [acmeSystem.id];
			expect(answer.map((op) => op.id).sort(), actor.label).toEqual(expected.sort());
			expect(answer.every((op) => op.state === 'succeeded')).toBe(true);
			socket.close();
		}
	});
});

describe('reads across organisations', () => {
	/** A value for every route parameter: an Acme record's id. A new parameter needs one here. */
	const acmeParams: Record<string, () => string> = { id: () => ids.integration!, operationId: () => ids.runningOperation!, projectId: () => ids.ticketProject! };
	/** What each Acme page shows of its record, to prove it is that page. */
	const shows = (routePath: string) => (routePath.includes('[operationId]') ? 'GitHub fixture' : routePath.includes('[projectId]') ? 'Jira fixture' : 'Matrix fixture');
	const withParams = (routePath: string, values: Record<string, () => string>) =>
		routePath.replace(/\[([^\]]+)\]/g, (_, name: string) => {
			const value = values[name];
			if (!value) throw new Error(`No Acme value for the route parameter [${name}] of ${routePath}: add one to acmeParams.`);
			return value();
		});
	/** Route parameters that name no record of an organisation (a kind of provider): the same for everyone. */
	const notRecords = new Set(['kind', 'endpoint']);
	const takesId = () => entries.filter((e) => [...e.path.matchAll(/\[([^\]]+)\]/g)].some((m) => !notRecords.has(m[1]!)));

	async function request(entry: Entry, target: string, cookie: string): Promise<number> {
		if (entry.kind === 'action') return (await submitAction(web.url, entry.action === 'default' ? target : `${target}?/${entry.action}`, {}, cookie)).status;
		const response = await fetch(web.url + target, {
			method: entry.method === 'fallback' ? 'GET' : entry.method,
			headers: { cookie, origin: web.url },
			redirect: 'manual'
		});
		await response.body?.cancel();
		return response.status;
	}

	it('finds the pages and actions that take an id in the route files', () => {
		expect(takesId().map((e) => e.id)).toEqual(expect.arrayContaining(['load /integrations/[id]', 'load /integrations/[id]/edit', 'POST /integrations/[id]?/update', 'load /ticket-projects/[projectId]']));
	});

	it('answers 404 to the other organisation’s admin on every one of them, and changes nothing', async () => {
		const globex = await cookieFor(actors().find((a) => a.label === 'admin@globex.example')!);
		const acme = await cookieFor(actors().find((a) => a.label === 'admin@acme.example')!);
		const answers: string[] = [];
		for (const entry of takesId()) {
			const target = withParams(entry.path, acmeParams);
			const before = await snapshot();
			answers.push(`${entry.id} as Globex: ${await request(entry, target, globex!)}`);
			// Nor for an id that is no one's, or is no id at all.
			const unknown = crypto.randomUUID();
			answers.push(`${entry.id}, unknown id: ${await request(entry, withParams(entry.path, { id: () => unknown, operationId: () => unknown, projectId: () => unknown }), globex!)}`);
			answers.push(
				`${entry.id}, malformed id: ${await request(entry, withParams(entry.path, { id: () => 'not-an-id', operationId: () => 'not-an-id', projectId: () => 'not-an-id' }), globex!)}`
			);
			expect(await snapshot(), entry.id).toEqual(before);
		}
		expect(answers.filter((a) => !a.endsWith(': 404')), answers.join('\n')).toEqual([]);

		// The same pages exist for Acme: the 404s above are about the organisation, not the address.
		for (const entry of takesId().filter((e) => e.kind === 'load')) {
			const response = await fetch(web.url + withParams(entry.path, acmeParams), { headers: { cookie: acme! }, redirect: 'manual' });
			expect(response.status, entry.id).toBe(200);
			expect(await response.text()).toContain(shows(entry.path));
		}
	});

	/** Per socket request: what the Globex admin's socket gets when it asks about Acme's records. */
	type TestSocket = Awaited<ReturnType<typeof connectSocket>>;
	/** The presence lists of Acme's integration's places this socket hears while `work` runs. */
	async function acmePresenceHeard(socket: TestSocket, work: (heard: PresenceList[]) => Promise<void>): Promise<PresenceList[]> {
		const heard: PresenceList[] = [];
		const listener = (list: PresenceList) => list.place.includes(ids.integration!) && heard.push(list);
		socket.on('presence.changed', listener);
		try {
			await work(heard);
		} finally {
			socket.off('presence.changed', listener);
		}
		return heard;
	}
	const socketFixtures: Record<string, (socket: TestSocket, acmeOperationId: string) => Promise<unknown[]>> = {
		'operations.requested': (socket, id) => socket.timeout(5_000).emitWithAck('operations.requested', [id]),
		// Being among the people on Acme's integration's page: refused, and nothing heard of who is there.
		'presence.entered': async (socket) => {
			let entered = false;
			const heard = await acmePresenceHeard(socket, async () => {
				entered = await socket.timeout(5_000).emitWithAck('presence.entered', `integration:${ids.integration}`);
			});
			return entered ? [heard.length > 0 ? 'entered and heard' : 'entered'] : heard;
		},
		// Saying which field one edits: only once in a place, so never on Acme's edit page.
		'presence.focused': async (socket) => {
			const place = `integration:${ids.integration}:edit`;
			const heard = await acmePresenceHeard(socket, async (lists) => {
				const entered = await socket.timeout(5_000).emitWithAck('presence.entered', place);
				socket.emit('presence.focused', 'name');
				if (entered) await waitFor('the edit page to hear who edits the name', async () => lists.some((list) => list.people.some((p) => p.editing === 'name')));
				// Handled in order: once the socket is back on its own table, the field went wherever it was going.
				await socket.timeout(5_000).emitWithAck('presence.entered', 'integrations');
			});
			return heard.filter((list) => list.people.some((p) => p.editing === 'name')).slice(0, 1);
		}
	};

	it('answers nothing about Acme to the other organisation’s sockets, on every socket request', async () => {
		const requests = socketRequests();
		expect(requests).toContain('operations.requested');
		expect(requests.filter((name) => !socketFixtures[name])).toEqual([]);
		const operation = await insertOperation(system.database.db, {
			organizationId: ids.acme!,
			kind: 'test.cross-organisation',
			scope: `integration:${ids.integration}`,
			stages: [],
			startedBy: null,
			workflowId: (id) => `cross-organisation-${id}`
		});
		const globex = await connectSocket(web.url, await cookieFor(actors().find((a) => a.label === 'admin@globex.example')!));
		const acme = await connectSocket(web.url, await cookieFor(actors().find((a) => a.label === 'admin@acme.example')!));
		for (const name of requests) {
			expect(await socketFixtures[name]!(globex, operation.id), name).toEqual([]);
			// Acme's own admin gets it: the request works, and the answer above is about the organisation.
			expect(await socketFixtures[name]!(acme, operation.id), name).toHaveLength(1);
		}
		globex.close();
		acme.close();
	});
});
