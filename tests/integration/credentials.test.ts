// Credentials: tested against a real git server that demands them, encrypted at rest, and found
// in no page, response, socket event, log line or Temporal workflow history.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	readPage,
	signIn,
	submitAction,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

const token = `tok-${crypto.randomUUID()}`;
const username = 'ci-reader';
let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let server: GitHttpServer;
let manager: string;
const events: unknown[] = [];

beforeAll(async () => {
	// Plain http here only because the test server has no certificate; production allows https and ssh.
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'http,https,ssh,file', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1', LOG_LEVEL: 'trace' });
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-served-'));
	await generateRepository(path.join(root, 'private.git'), { commits: 200, branches: 2, tags: 3, seed: 9, bare: true });
	server = await startGitHttpServer(root, { username, token });
	const socket = await connectSocket(web.url, manager);
	socket.onAny((name: string, payload: unknown) => events.push({ name, payload }));
});
afterAll(async () => {
	await server?.stop();
	await system?.stop();
});

describe('credentials', () => {
	it('refuses wrong credentials with a clear message and stores nothing', async () => {
		const refused = await submitAction(
			web.url,
			'/integrations/new/generic-git',
			{ name: 'Private', urls: `${server.url}/private.git`, authMethod: 'https-token', username, token: 'wrong-token' },
			manager
		);
		expect(refused.status).toBe(400);
		expect(JSON.stringify(refused.data)).toMatch(/credentials|authentication/i);
		expect(await system.database.db.selectFrom('integrations').select('id').execute()).toEqual([]);
	});

	it('works with the right ones, which then appear nowhere but encrypted in the database', async () => {
		const added = await submitAction(
			web.url,
			'/integrations/new/generic-git',
			{ name: 'Private', urls: `${server.url}/private.git`, authMethod: 'https-token', username, token },
			manager
		);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const integration = await system.database.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow();
		const operation = await system.database.db.selectFrom('operations').select('id').where('scope', '=', `integration:${integration.id}`).executeTakeFirstOrThrow();
		const ended = await waitForOperationEnd(system, operation.id, 60_000);
		expect(ended.state, ended.error ?? '').toBe('succeeded');
		expect(integration.credential_summary).toContain(username);

		// At rest: the sealed bytes do not contain the token.
		expect(Buffer.from(integration.credentials!).includes(Buffer.from(token))).toBe(false);

		// Pages and responses.
		const pages = await Promise.all([
			readPage(web.url, '/integrations', manager, 'Integrations · Tributary'),
			readPage(web.url, `/integrations/${integration.id}`, manager, 'Private · Integrations · Tributary'),
			readPage(web.url, `/integrations/${integration.id}/edit`, manager, 'Edit Private · Tributary')
		]);
		// The pages are the ones that show this integration and its credentials' summary.
		for (const page of pages) expect(page).toContain('Private');
		expect(pages[2]).toContain(username);
		const test = await submitAction(web.url, `/integrations/${integration.id}?/test`, {}, manager);
		const everything = [...pages, JSON.stringify(added), JSON.stringify(test), JSON.stringify(events), web.output(), worker.output()];

		// Temporal: every workflow history of this run's task queue.
		const connection = await Connection.connect({ address: inject('temporalAddress') });
		const client = new Client({ connection });
		let histories = 0;
		for await (const execution of client.workflow.list({ query: `TaskQueue = '${system.env.TEMPORAL_TASK_QUEUE}'` })) {
			const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
			everything.push(JSON.stringify(history));
			histories++;
		}
		await connection.close();
		// The update, its child per repository, and the connection test at least.
		expect(histories).toBeGreaterThanOrEqual(3);
		for (const text of everything) {
			expect(text).not.toContain(token);
			expect(text).not.toContain(Buffer.from(`${username}:${token}`).toString('base64'));
		}
	});
});
