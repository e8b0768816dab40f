// Events over NOTIFY's 8,000-byte limit travel through socket_io_attachments (created by a
// migration). Without that table they were lost and the database error reached browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '#core/domain/operations/operation.ts';
import { broadcastStarted } from '#core/operations/broadcast.ts';
import { closeRealtime, createRealtimeServer, type RealtimeServer } from '#core/realtime/server.ts';
import { connectSocket, createTestSystem, demoUser, runningOperation, signIn, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let broadcaster: RealtimeServer;
let viewer: string;
let organizationId: string;
const adapterErrors: Error[] = [];

beforeAll(async () => {
	system = await createTestSystem();
	const demo = await system.seedDemo();
	web = await system.startWeb();
	const { email, password } = demoUser(demo, 'viewer@acme.example');
	viewer = await signIn(web.url, email, password);
	organizationId = (await system.database.db.selectFrom('organizations').select('id').where('name', '=', 'Acme').executeTakeFirstOrThrow()).id;
	// This test process plays the worker: a Socket.IO server without HTTP, joined through Postgres.
	broadcaster = createRealtimeServer(system.database.pool, { role: 'worker', onError: (e) => adapterErrors.push(e) });
});
afterAll(async () => {
	await closeRealtime(broadcaster);
	await system?.stop();
});

describe('large events across processes', () => {
	it('delivers a 50 kB event from another process to a browser socket', async () => {
		const client = await connectSocket(web.url, viewer);
		const received = new Promise<Operation>((resolve) => client.once('operation.started', resolve));
		const operation = runningOperation({
			organizationId,
			kind: 'test.large',
			stages: Array.from({ length: 500 }, (_, i) => ({ key: `stage-${i}`, label: `Stage number ${i} `.repeat(4), done: i, total: 500 }))
		});
		expect(JSON.stringify(operation).length).toBeGreaterThan(50_000);
		// Give the adapter a moment to learn its peers through heartbeats.
		await new Promise((r) => setTimeout(r, 500));
		broadcastStarted(broadcaster, operation);
		expect(await received).toEqual(operation);
		expect(adapterErrors).toEqual([]);
		client.close();
	});
});
