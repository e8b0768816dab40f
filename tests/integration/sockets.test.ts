// Live connections against hostile pages and changed rights: a page of another site cannot open a
// socket with someone's cookie, and a level taken away stops the news at once, on every web process.
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSignIn } from '../../scripts/demo-data.ts';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { integrationsRoom } from '#core/domain/realtime/events.ts';
import { closeRealtime, createRealtimeServer, type RealtimeServer } from '#core/realtime/server.ts';
import { connectSocket, createTestSystem, demoUser, signIn, submitAction, waitFor, type RunningWeb, type TestSystem } from '../support/system.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

let system: TestSystem;
let web1: RunningWeb;
let web2: RunningWeb;
let demo: DemoSignIn[];
let broadcaster: RealtimeServer;

beforeAll(async () => {
	system = await createTestSystem();
	demo = await system.seedDemo();
	[web1, web2] = await Promise.all([system.startWeb(), system.startWeb()]);
	// What the worker does: news of an organisation's integrations, sent through Postgres.
	broadcaster = createRealtimeServer(system.database.pool, { role: 'worker', onError: () => {} });
});
afterAll(async () => {
	if (broadcaster) await closeRealtime(broadcaster);
	await system?.stop();
});

const cookieOf = (email: string) => signIn(web1.url, email, demoUser(demo, email).password);

describe('the handshake', () => {
	it('accepts a page of this site', async () => {
		const socket = await connectSocket(web1.url, await cookieOf('viewer@acme.example'));
		expect(socket.connected).toBe(true);
		socket.close();
	});

	it('refuses a page of another site, even with a valid session cookie', async () => {
		const cookie = await cookieOf('viewer@acme.example');
		await expect(connectSocket(web1.url, cookie, 'https://evil.example')).rejects.toThrow();
		await expect(connectSocket(web1.url, cookie, `http://evil.example:${web1.port}`)).rejects.toThrow();
		// Browsers always send an Origin; a handshake without one is no browser's.
		await expect(connectSocket(web1.url, cookie, null)).rejects.toThrow();
	});
});

describe('a changed level', () => {
	it('stops integration news to a person moved from view to none, on another web process at once', async () => {
		const { db } = system.database;
		const acme = await db.selectFrom('organizations').select('id').where('name', '=', 'Acme').executeTakeFirstOrThrow();
		const viewer = await db.selectFrom('users').select('id').where('email', '=', 'viewer@acme.example').executeTakeFirstOrThrow();
		const admin = await cookieOf('admin@acme.example');
		// Both listen on web 2; the level changes through web 1.
		const [watched, witness] = await Promise.all([
			connectSocket(web2.url, await cookieOf('viewer@acme.example')),
			connectSocket(web2.url, await cookieOf('manager@acme.example'))
		]);
		const heard: string[] = [];
		watched.on('integration.updated', (integration) => heard.push(integration.name));
		const news = (name: string) => {
			const witnessed = new Promise<void>((resolve) => witness.on('integration.updated', (integration) => integration.name === name && resolve()));
			broadcaster.to(integrationsRoom(acme.id)).emit('integration.updated', { id: crypto.randomUUID(), organizationId: acme.id, name } as IntegrationSummary);
			return witnessed;
		};
		// Everything sent to the watched socket before this answer has arrived before it.
		const caughtUp = () => watched.timeout(5_000).emitWithAck('operations.requested', []);

		await news('before');
		await caughtUp();
		expect(heard).toEqual(['before']);

		const changed = await submitAction(web1.url, '/users?/changeLevel', { userId: viewer.id, level: 'none' }, admin);
		expect(changed.type, JSON.stringify(changed)).toBe('success');
		await news('after');
		await caughtUp();
		expect(heard).toEqual(['before']);

		await submitAction(web1.url, '/users?/changeLevel', { userId: viewer.id, level: 'view' }, admin);
		await news('back');
		await caughtUp();
		expect(heard).toEqual(['before', 'back']);
		watched.close();
		witness.close();
	});
});

describe('a refused handshake', () => {
	it('is tried again, with pauses, while every page says it is reconnecting, until it works', { timeout: 180_000 }, async () => {
		// This web process reaches Postgres through a relay the test can cut: a Postgres outage.
		const database = new URL(system.env.DATABASE_URL!);
		const relay = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
		const relayed = new URL(database);
		relayed.hostname = '127.0.0.1';
		relayed.port = String(relay.port);
		let web = await system.startWeb({ DATABASE_URL: relayed.toString() });
		const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
		try {
			const context = await browser.newContext();
			const [name, value] = (await signIn(web.url, 'viewer@acme.example', demoUser(demo, 'viewer@acme.example').password)).split('=');
			await context.addCookies([{ name: name!, value: value!, url: web.url }]);
			const page = await context.newPage();
			// What the server answers each handshake, read off the real WebSocket frames.
			let accepted = 0;
			let refused = 0;
			page.on('websocket', (ws) =>
				ws.on('framereceived', ({ payload }) => {
					if (typeof payload !== 'string') return;
					if (payload.startsWith('40')) accepted++;
					if (payload.startsWith('44') && payload.includes('Could not check your session')) refused++;
				})
			);
			await page.goto(`${web.url}/integrations`);
			await waitFor('the first handshake', async () => accepted === 1);
			// A page reads Postgres again once connected; let that finish before the outage.
			await page.waitForLoadState('networkidle');

			// Postgres goes away and the web process restarts: its session check cannot answer.
			relay.cut();
			await web.stop();
			web = await system.startWeb({ DATABASE_URL: relayed.toString(), PORT: String(web.port) });
			const reconnecting = page.getByRole('status').filter({ hasText: 'Live updates lost: reconnecting' });
			await reconnecting.waitFor({ state: 'visible', timeout: 30_000 });
			await waitFor('a second refused handshake', async () => refused >= 2, 60_000);
			expect(accepted).toBe(1);
			expect(await reconnecting.isVisible()).toBe(true);

			relay.restore();
			await waitFor('a handshake accepted after the outage', async () => accepted === 2, 60_000);
			await reconnecting.waitFor({ state: 'hidden', timeout: 10_000 });
		} finally {
			await browser.close();
			await web.stop();
			await relay.close();
		}
	});
});
