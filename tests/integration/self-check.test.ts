// The self-check end to end: a form post to a real web process starts a Temporal workflow, a real
// worker runs it, its progress reaches a Socket.IO client and lands in Postgres.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation, OperationProgress } from '#core/domain/operations/operation.ts';
import type { ServerToClientEvents } from '#core/domain/realtime/events.ts';
import { getOperation } from '#core/operations/queries.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	signIn,
	submitAction,
	waitFor,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let client: Socket<ServerToClientEvents>;
let manager: string;

beforeAll(async () => {
	system = await createTestSystem();
	const demo = await system.seedDemo();
	[web, worker] = await Promise.all([system.startWeb(), system.startWorker()]);
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
	client = await connectSocket(web.url, manager);
});
afterAll(async () => {
	client?.close();
	await system?.stop();
});

async function health(cookie?: string): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await fetch(`${web.url}/health`, { headers: cookie ? { cookie } : {} });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('system self-check', () => {
	it('reports every component ok on /health', async () => {
		expect(await health()).toEqual({
			status: 200,
			body: { postgres: 'ok', temporal: 'ok', worker: 'ok', realtime: 'ok' }
		});
	});

	it('runs from a form post, streams progress live and ends succeeded in Postgres', async () => {
		const started: Operation[] = [];
		const progressed: OperationProgress[] = [];
		const finished = new Promise<Operation>((resolve) => client.on('operation.finished', resolve));
		client.on('operation.started', (op) => started.push(op));
		client.on('operation.progressed', (p) => progressed.push(p));

		const response = await submitAction(web.url, '/system?/runSelfCheck', {}, manager);
		expect(response.type).toBe('success');
		const operationId = response.data?.operationId as string;

		const operation = await finished;
		expect(operation.id).toBe(operationId);
		expect(operation.state).toBe('succeeded');
		expect(started.map((op) => op.id)).toContain(operationId);

		// Live progress arrived stage by stage, with growing counts.
		const postgresCounts = progressed.filter((p) => p.id === operationId).map((p) => p.stages[0]!.done);
		expect(postgresCounts.length).toBeGreaterThanOrEqual(10);
		expect(Math.max(...postgresCounts)).toBe(20);

		const stored = await getOperation(system.database.db, operationId);
		expect(stored?.state).toBe('succeeded');
		expect(stored?.stages.every((s) => s.done === s.total)).toBe(true);
		expect(stored?.result).toMatchObject({ realtime: { webProcesses: 1 }, worker: { pid: worker.pid } });
	});

	it('refuses a second self-check while one runs, with a message', async () => {
		const first = await submitAction(web.url, '/system?/runSelfCheck', {}, manager);
		const second = await submitAction(web.url, '/system?/runSelfCheck', {}, manager);
		expect(first.type).toBe('success');
		expect(second).toMatchObject({ type: 'failure', status: 409, data: { message: expect.stringContaining('already running') } });
		const id = first.data?.operationId as string;
		await waitFor('the first self-check to end', async () => (await getOperation(system.database.db, id))?.state === 'succeeded');
	});

	it('says the worker is down with status 503, and why only to those signed in', async () => {
		await worker.stop();
		const anonymous = await health();
		expect(anonymous.status).toBe(503);
		// States only: error text can name hosts, ports and versions.
		expect(anonymous.body).toEqual({ postgres: 'ok', temporal: 'ok', worker: 'down', realtime: 'ok' });
		const signedIn = await health(manager);
		expect(signedIn.status).toBe(503);
		expect(signedIn.body).toMatchObject({ postgres: 'ok', temporal: 'ok', worker: 'down', realtime: 'ok' });
		expect((signedIn.body.reasons as Record<string, string>).worker).toMatch(/No worker/);
	});
});
