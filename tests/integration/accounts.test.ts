// SPEC F12 and F1.2: signing in and out, sessions, rate limits, deactivation, audit, secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSignIn } from '../../scripts/demo-data.ts';
import { sessionIdOf } from '../../src/lib/server/auth/sessions.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	readPage,
	signIn,
	submitAction,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let demo: DemoSignIn[];
let admin: string;

beforeAll(async () => {
	system = await createTestSystem();
	demo = await system.seedDemo();
	// Everything the web process logs is captured, at the most talkative level, for the secrets test.
	web = await system.startWeb({ LOG_LEVEL: 'trace' });
	const a = demoUser(demo, 'admin@acme.example');
	admin = await signIn(web.url, a.email, a.password);
});
afterAll(() => system?.stop());

const tokenOf = (cookie: string) => cookie.split('=')[1]!;

async function userId(email: string): Promise<string> {
	return (await system.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

async function page(path: string, cookie?: string): Promise<Response> {
	return fetch(web.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

describe('signing in', () => {
	it('stores passwords as argon2id hashes and session tokens only as SHA-256 hashes', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const token = tokenOf(cookie);
		const { db } = system.database;
		const user = await db.selectFrom('users').select('password_hash').where('email', '=', viewer.email).executeTakeFirstOrThrow();
		expect(user.password_hash).toMatch(/^\$argon2id\$/);
		const sessions = await db.selectFrom('sessions').select('id').execute();
		expect(sessions.map((s) => s.id)).toContain(sessionIdOf(token));
		expect(sessions.map((s) => s.id)).not.toContain(token);
	});

	it('sets the session cookie httpOnly and sameSite=lax', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		// A browser without script: a plain form post, answered with a redirect.
		const response = await fetch(`${web.url}/sign-in`, {
			method: 'POST',
			headers: { origin: web.url, accept: 'text/html' },
			body: new URLSearchParams({ email: viewer.email, password: viewer.password }),
			redirect: 'manual'
		});
		expect(response.status).toBe(303);
		const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tributary_session='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Path=\//);
	});

	it('refuses a cross-site form post (SvelteKit’s CSRF check stays on)', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const response = await fetch(`${web.url}/sign-in`, {
			method: 'POST',
			headers: { origin: 'https://evil.example' },
			body: new URLSearchParams({ email: viewer.email, password: viewer.password }),
			redirect: 'manual'
		});
		expect(response.status).toBe(403);
	});

	it('refuses the 6th wrong password in a minute and says when to try again, even with the right one', async () => {
		const manager = demoUser(demo, 'manager@acme.example');
		for (let i = 0; i < 5; i++) {
			const wrong = await submitAction(web.url, '/sign-in', { email: manager.email, password: `wrong ${i}` });
			expect(wrong.status).toBe(400);
			expect(wrong.data?.message).toBe('That email and password do not match an account.');
		}
		const sixth = await submitAction(web.url, '/sign-in', { email: manager.email, password: 'wrong again' });
		expect(sixth.status).toBe(429);
		expect(sixth.data?.message).toMatch(/Try again in \d+ seconds \(at \d\d:\d\d:\d\d UTC\)/);
		const right = await submitAction(web.url, '/sign-in', { email: manager.email, password: manager.password });
		expect(right.status).toBe(429);
		// Other accounts are not held back by this one's failures.
		const viewer = demoUser(demo, 'viewer@acme.example');
		await expect(signIn(web.url, viewer.email, viewer.password)).resolves.toMatch(/^tributary_session=/);
	});

	it('gives one answer for an unknown address and a wrong password', async () => {
		const unknown = await submitAction(web.url, '/sign-in', { email: 'nobody@acme.example', password: 'whatever' });
		expect(unknown.data?.message).toBe('That email and password do not match an account.');
	});
});

describe('sessions', () => {
	it('slides: a session past half its life is renewed, with a new cookie', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const id = sessionIdOf(tokenOf(cookie));
		const soon = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
		await system.database.db.updateTable('sessions').set({ expires_at: soon }).where('id', '=', id).execute();
		const response = await page('/system', cookie);
		expect(response.status).toBe(200);
		expect(response.headers.getSetCookie().some((c) => c.startsWith('tributary_session='))).toBe(true);
		const row = await system.database.db.selectFrom('sessions').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow();
		expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 60 * 60 * 1000);
	});

	it('is not renewed by a live connection, which could not send the new cookie', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const id = sessionIdOf(tokenOf(cookie));
		const soon = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
		await system.database.db.updateTable('sessions').set({ expires_at: soon }).where('id', '=', id).execute();
		const socket = await connectSocket(web.url, cookie);
		socket.close();
		const row = await system.database.db.selectFrom('sessions').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow();
		expect(row.expires_at.getTime()).toBe(soon.getTime());
		// The next page load renews it, and sends the cookie that goes with it.
		const response = await page('/system', cookie);
		expect(response.headers.getSetCookie().some((c) => c.startsWith('tributary_session='))).toBe(true);
	});

	it('ends: an expired session opens nothing and is removed', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const id = sessionIdOf(tokenOf(cookie));
		await system.database.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
		expect((await page('/system', cookie)).status).toBe(303);
		expect(await system.database.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
	});

	it('signs out: the session is gone and its socket closed', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const socket = await connectSocket(web.url, cookie);
		const closed = new Promise((resolve) => socket.once('disconnect', resolve));
		const response = await fetch(`${web.url}/sign-out`, { method: 'POST', headers: { origin: web.url, cookie }, redirect: 'manual' });
		expect(response.status).toBe(303);
		await closed;
		expect((await page('/system', cookie)).status).toBe(303);
	});
});

describe('the users page', () => {
	it('asks before granting delete, shows how many hold it, and audits the change', async () => {
		const id = await userId('viewer@acme.example');
		const asked = await submitAction(web.url, '/users?/changeLevel', { userId: id, level: 'delete' }, admin);
		expect(asked.status).toBe(409);
		expect(asked.data).toMatchObject({ confirmGrant: { email: 'viewer@acme.example', holders: 2 } });
		const level = await system.database.db.selectFrom('users').select('integrations_level').where('id', '=', id).executeTakeFirstOrThrow();
		expect(level.integrations_level).toBe('view');

		const granted = await submitAction(web.url, '/users?/changeLevel', { userId: id, level: 'delete', confirm: 'yes' }, admin);
		expect(granted.type).toBe('success');
		const html = await (await page('/users', admin)).text();
		expect(html).toMatch(/<strong>3<\/strong>\s*people hold/);
		const audit = await system.database.db
			.selectFrom('audit_events')
			.selectAll()
			.where('subject_id', '=', id)
			.where('action', '=', 'user.level_changed')
			.execute();
		expect(audit).toEqual([
			expect.objectContaining({
				action: 'user.level_changed',
				actor_email: 'admin@acme.example',
				before: { level: 'view' },
				after: { level: 'delete' }
			})
		]);
		expect(html).toContain('Changed viewer@acme.example: “view” → “delete”');
		await submitAction(web.url, '/users?/changeLevel', { userId: id, level: 'view' }, admin);
	});

	it('deactivates a person: their sessions and sockets end at once, and they cannot sign in', async () => {
		const none = demoUser(demo, 'none@acme.example');
		const cookie = await signIn(web.url, none.email, none.password);
		const socket = await connectSocket(web.url, cookie);
		const closed = new Promise((resolve) => socket.once('disconnect', resolve));
		const id = await userId(none.email);

		const asked = await submitAction(web.url, '/users?/deactivate', { userId: id }, admin);
		expect(asked.status).toBe(409);
		const done = await submitAction(web.url, '/users?/deactivate', { userId: id, confirm: 'yes' }, admin);
		expect(done.type).toBe('success');
		await closed;
		expect((await page('/system', cookie)).status).toBe(303);
		const again = await submitAction(web.url, '/sign-in', { email: none.email, password: none.password });
		expect(again.status).toBe(403);
		expect(again.data?.message).toMatch(/deactivated/);
	});

	it('refuses to deactivate yourself', async () => {
		const id = await userId('admin@acme.example');
		const result = await submitAction(web.url, '/users?/deactivate', { userId: id, confirm: 'yes' }, admin);
		expect(result.status).toBe(400);
		expect(result.data?.message).toBe('You cannot deactivate your own account.');
	});
});

describe('secrets', () => {
	it('never shows a password or a session token in a page, a response or the logs', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const created = await submitAction(
			web.url,
			'/users?/createUser',
			{ email: 'secret-keeper@acme.example', name: 'Keeper', password: 'a-very-secret-password-123', level: 'view' },
			admin
		);
		expect(created.type).toBe('success');
		const bodies = await Promise.all([readPage(web.url, '/users', admin, 'Users · Tributary'), readPage(web.url, '/system', admin, 'System · Tributary')]);
		// The users page that lists the new account, not some other answer.
		expect(bodies[0]).toContain('secret-keeper@acme.example');
		bodies.push(JSON.stringify(created));
		const secrets = [viewer.password, tokenOf(cookie), tokenOf(admin), 'a-very-secret-password-123'];
		for (const secret of secrets) {
			for (const body of bodies) expect(body).not.toContain(secret);
			expect(web.output()).not.toContain(secret);
		}
	});
});
