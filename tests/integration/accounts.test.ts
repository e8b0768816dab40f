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

describe('sign-in limits under attack', () => {
	// A web process behind a (pretend) proxy, so each request can come from an address of its own.
	let proxied: RunningWeb;
	beforeAll(async () => {
		proxied = await system.startWeb({ ADDRESS_HEADER: 'x-forwarded-for' });
	});
	afterAll(() => proxied?.stop());

	const signInFrom = (address: string, email: string, password: string) =>
		submitAction(proxied.url, '/sign-in', { email, password }, undefined, { 'x-forwarded-for': address });

	it('checks at most 5 of 100 wrong passwords sent at once for one account', async () => {
		const deleter = demoUser(demo, 'deleter@acme.example');
		const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signInFrom('203.0.113.1', deleter.email, `wrong ${i}`)));
		const statuses = answers.map((answer) => answer.status);
		expect(statuses.filter((status) => status === 400)).toHaveLength(5);
		expect(statuses.filter((status) => status === 429)).toHaveLength(95);
		expect((await signInFrom('203.0.113.1', deleter.email, deleter.password)).status).toBe(429);
	});

	it('lets the owner of a locked account in from an address that has not failed, and not the stranger', async () => {
		const deleter = demoUser(demo, 'deleter@acme.example');
		// Locked by the test above, from 203.0.113.1.
		expect((await signInFrom('203.0.113.1', deleter.email, 'another guess')).status).toBe(429);
		const owner = await signInFrom('198.51.100.7', deleter.email, deleter.password);
		expect(owner.type, JSON.stringify(owner)).toBe('redirect');
		// A stranger moving to a fresh address gets one guess at a time while the account is under attack.
		expect((await signInFrom('192.0.2.50', deleter.email, 'guess from elsewhere')).status).toBe(400);
		expect((await signInFrom('192.0.2.50', deleter.email, 'and another')).status).toBe(429);
		expect((await signInFrom('203.0.113.1', deleter.email, deleter.password)).status).toBe(429);
	});

	it('refuses an address after 20 failures a minute, whatever the accounts', async () => {
		for (let i = 0; i < 20; i++) {
			expect((await signInFrom('203.0.113.99', `nobody-${i}@acme.example`, 'guess')).status).toBe(400);
		}
		const viewer = demoUser(demo, 'viewer@acme.example');
		const refused = await signInFrom('203.0.113.99', viewer.email, viewer.password);
		expect(refused.status).toBe(429);
		expect(refused.data?.message).toMatch(/Try again in \d+ seconds/);
	});
});

describe('going back after signing in', () => {
	// Each ends on another site in some browser if taken as it comes.
	const elsewhere = [
		'/%09/evil.example',
		'//evil.example',
		'/\\evil.example',
		'/%5Cevil.example',
		'%5C/evil.example',
		'%2F%2Fevil.example',
		'/%2F/evil.example',
		'/%0A/evil.example',
		'/%0D%0A/evil.example',
		'//%09evil.example',
		'/%09%09/evil.example',
		'/.//evil.example',
		'%20//evil.example',
		'https://evil.example/',
		'https:evil.example',
		'javascript:alert(1)'
	];
	const appOrigin = () => new URL(web.url).origin;
	const landing = (response: Response) => new URL(response.headers.get('location') ?? '', web.url);

	it.each(elsewhere)('stays on the app for next=%s', async (next) => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const alreadyIn = await page(`/sign-in?next=${next}`, cookie);
		expect(alreadyIn.status).toBe(303);
		expect(landing(alreadyIn).origin).toBe(appOrigin());
		const signingIn = await fetch(`${web.url}/sign-in?next=${next}`, {
			method: 'POST',
			headers: { origin: web.url, accept: 'text/html' },
			body: new URLSearchParams({ email: viewer.email, password: viewer.password }),
			redirect: 'manual'
		});
		expect(signingIn.status).toBe(303);
		expect(landing(signingIn).origin).toBe(appOrigin());
	});

	it('goes back to the page of the app that asked for a sign-in', async () => {
		const viewer = demoUser(demo, 'viewer@acme.example');
		const cookie = await signIn(web.url, viewer.email, viewer.password);
		const response = await page(`/sign-in?next=${encodeURIComponent('/integrations?page=2')}`, cookie);
		expect(response.headers.get('location')).toBe('/integrations?page=2');
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

	it('adds a person whose address another organisation also uses, and says nothing about that', async () => {
		const created = await submitAction(
			web.url,
			'/users?/createUser',
			{ email: 'admin@globex.example', name: 'Acme Gus', password: 'acme-password-1234', level: 'view' },
			admin
		);
		expect(created.type, JSON.stringify(created)).toBe('success');
		expect(created.data?.done).toBe('Added admin@globex.example with the “view” level.');
		// Each password opens its own organisation's account.
		const inAcme = await signIn(web.url, 'admin@globex.example', 'acme-password-1234');
		expect(await (await page('/system', inAcme)).text()).toContain('Acme Gus · Acme');
		const globex = demoUser(demo, 'admin@globex.example');
		const inGlobex = await signIn(web.url, globex.email, globex.password);
		expect(await (await page('/system', inGlobex)).text()).toContain('Gus Globex · Globex');
		// Within one organisation an address is still one person's, and saying so tells nothing new.
		const again = await submitAction(
			web.url,
			'/users?/createUser',
			{ email: 'Admin@Globex.example', name: 'Gus again', password: 'acme-password-5678', level: 'view' },
			admin
		);
		expect(again.status).toBe(409);
		expect(JSON.stringify(again.data)).toContain('already has an account in this organisation');
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
