// SPEC B8: two web processes and one worker share Postgres and Temporal. A browser connected to
// web server 2 sees the progress of a self-check started through web server 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation, OperationProgress } from '#core/domain/operations/operation.ts';
import { connectSocket, createTestSystem, demoUser, signIn, submitAction, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web1: RunningWeb;
let web2: RunningWeb;
let manager: string;

beforeAll(async () => {
	system = await createTestSystem();
	const demo = await system.seedDemo();
	[web1, web2] = await Promise.all([system.startWeb(), system.startWeb(), system.startWorker()]);
	const { email, password } = demoUser(demo, 'manager@acme.example');
	// A session made through one web process is good on every other.
	manager = await signIn(web1.url, email, password);
});
afterAll(() => system?.stop());

describe('several web processes', () => {
	it('relays the worker’s progress to a client of the other web server', async () => {
		const [client1, client2] = await Promise.all([connectSocket(web1.url, manager), connectSocket(web2.url, manager)]);
		const progressed: OperationProgress[] = [];
		client2.on('operation.progressed', (p) => progressed.push(p));
		const started = new Promise<Operation>((resolve) => client2.once('operation.started', resolve));
		const finished = new Promise<Operation>((resolve) => client2.once('operation.finished', resolve));
		const finishedOn1 = new Promise<Operation>((resolve) => client1.once('operation.finished', resolve));

		const response = await submitAction(web1.url, '/system?/runSelfCheck', {}, manager);
		const id = response.data?.operationId as string;

		expect((await started).id).toBe(id);
		const operation = await finished;
		expect(operation).toMatchObject({ id, state: 'succeeded' });
		expect((await finishedOn1).id).toBe(id);
		// 41 reports about 100 ms apart, but for the worker's, right after the last round trip's: at
		// most one event per operation per 100 ms, so a few may be merged into the next one.
		const relayed = progressed.filter((p) => p.id === id);
		expect(relayed.length).toBeGreaterThanOrEqual(30);
		expect(relayed.at(-1)!.stages.map((stage) => stage.done)).toEqual(operation.stages.map((stage) => stage.total));
		// The realtime check reached both web processes.
		expect(operation.result).toMatchObject({ realtime: { webProcesses: 2 } });
		client1.close();
		client2.close();
	});
});
