// Bad input on every form: empty, very long, wrong types, control characters, unicode, SQL and
// HTML payloads, and arbitrary strings (property-based). Always a clear 4xx (or, for text that
// is merely unusual, a faithful save), never a 5xx, and nothing stored on refusal.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSignIn } from '../../scripts/demo-data.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { createTestSystem, demoUser, signIn, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let demo: DemoSignIn[];
let admin: string;
let viewerId: string;
let repoUrl: string;
let integrationId: string;

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	demo = await system.seedDemo();
	web = await system.startWeb();
	const a = demoUser(demo, 'admin@acme.example');
	admin = await signIn(web.url, a.email, a.password);
	viewerId = (await system.database.db.selectFrom('users').select('id').where('email', '=', 'viewer@acme.example').executeTakeFirstOrThrow()).id;
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-bad-input-'));
	repoUrl = `file://${path.join(root, 'repo')}`;
	await generateRepository(path.join(root, 'repo'), { commits: 10, branches: 1, tags: 1, seed: 1 });
	const added = await fetch(`${web.url}/integrations/new/generic-git`, {
		method: 'POST',
		headers: { origin: web.url, accept: 'application/json', 'x-sveltekit-action': 'true', cookie: admin },
		body: new URLSearchParams({ name: 'Edited by the bad input test', urls: repoUrl, authMethod: 'none' })
	});
	expect(added.status).toBe(200);
	integrationId = (await system.database.db.selectFrom('integrations').select('id').executeTakeFirstOrThrow()).id;
});
afterAll(() => system?.stop());

interface Form {
	path: string;
	signedIn: boolean;
	valid: () => Record<string, string>;
}

const forms: Record<string, Form> = {
	'sign-in': { path: '/sign-in', signedIn: false, valid: () => ({ email: 'viewer@acme.example', password: 'not the password' }) },
	'add a person': {
		path: '/users?/createUser',
		signedIn: true,
		valid: () => ({ email: `someone-${crypto.randomUUID().slice(0, 8)}@example.com`, name: 'Some One', password: 'a long enough password', level: 'view' })
	},
	'change a level': { path: '/users?/changeLevel', signedIn: true, valid: () => ({ userId: viewerId, level: 'view' }) },
	'deactivate': { path: '/users?/deactivate', signedIn: true, valid: () => ({ userId: viewerId }) },
	'add a git integration': {
		path: '/integrations/new/generic-git',
		signedIn: true,
		valid: () => ({ name: 'Another', urls: repoUrl, authMethod: 'none', username: '', token: '' })
	},
	'edit an integration': {
		get path() {
			return `/integrations/${integrationId}/edit`;
		},
		signedIn: true,
		valid: () => ({ name: 'Edited by the bad input test', authMethod: 'none', version: '1' })
	}
};

const nasty = [
	'',
	'   ',
	'x'.repeat(10_000),
	'a\u0000b',
	"'; drop table users; --",
	'" or 1=1 --',
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'Zoë 日本語 🚀',
	'\u202eevil',
	'00000000-0000-0000-0000-000000000000',
	'not-a-uuid',
	'%00',
	'../../etc/passwd'
];

async function state() {
	const { db } = system.database;
	const count = async (table: 'users' | 'audit_events' | 'sessions' | 'operations' | 'integrations' | 'repos') =>
		(await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
	const viewer = await db.selectFrom('users').select(['integrations_level', 'deactivated_at']).where('id', '=', viewerId).executeTakeFirstOrThrow();
	const integrations = await db.selectFrom('integrations').select(['name', 'version', 'auth_method']).orderBy('id').execute();
	return JSON.stringify({
		users: await count('users'),
		audit: await count('audit_events'),
		sessions: await count('sessions'),
		integrations,
		repos: await count('repos'),
		operations: await count('operations'),
		viewer
	});
}

async function post(form: Form, body: URLSearchParams | FormData): Promise<{ status: number; text: string }> {
	await system.database.db.deleteFrom('sign_in_failures').execute();
	const response = await fetch(web.url + form.path, {
		method: 'POST',
		headers: { origin: web.url, accept: 'application/json', 'x-sveltekit-action': 'true', ...(form.signedIn ? { cookie: admin } : {}) },
		body,
		redirect: 'manual'
	});
	const text = await response.text();
	let status = response.status;
	try {
		status = (JSON.parse(text) as { status?: number }).status ?? status;
	} catch {
		/* not JSON: keep the HTTP status */
	}
	return { status, text };
}

/** A refusal is a 4xx that says something, and changes nothing. */
async function expectRefusedOrFaithful(label: string, form: Form, fields: Record<string, string> | FormData) {
	const before = await state();
	const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
	const { status, text } = await post(form, body);
	expect(status, `${label}: ${text.slice(0, 200)}`).toBeLessThan(500);
	if (status >= 400) {
		expect(text, `${label} gave no reason`).toMatch(/message|errors|confirm/);
		expect(text, label).not.toMatch(/Something went wrong/);
		expect(await state(), `${label} stored something`).toBe(before);
	}
	return status;
}

describe('bad input on every form', () => {
	for (const [name, form] of Object.entries(forms)) {
		it(`${name}: each field with each bad value`, async () => {
			const fields = Object.keys(form.valid());
			for (const field of fields) {
				for (const value of nasty) {
					await expectRefusedOrFaithful(`${name}.${field}=${JSON.stringify(value.slice(0, 40))}`, form, { ...form.valid(), [field]: value });
				}
				// Missing, repeated, and a file where text belongs.
				const missing = form.valid();
				delete missing[field];
				await expectRefusedOrFaithful(`${name} without ${field}`, form, missing);
				const repeated = new FormData();
				for (const [key, value] of Object.entries(form.valid())) repeated.append(key, value);
				repeated.append(field, 'second');
				await expectRefusedOrFaithful(`${name} with ${field} twice`, form, repeated);
				const file = new FormData();
				for (const [key, value] of Object.entries(form.valid())) if (key !== field) file.append(key, value);
				file.append(field, new Blob(['file content']), 'x.txt');
				await expectRefusedOrFaithful(`${name} with a file for ${field}`, form, file);
			}
		});
	}

	it('add a person: arbitrary names and emails are refused cleanly or saved exactly', async () => {
		await fc.assert(
			fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 60 }), async (nameValue, emailValue) => {
				const form = forms['add a person']!;
				const fields = { ...form.valid(), name: nameValue, email: emailValue };
				const status = await expectRefusedOrFaithful('arbitrary', form, fields);
				if (status < 400) {
					const row = await system.database.db.selectFrom('users').select('name').where('email', '=', emailValue.trim()).executeTakeFirst();
					expect(row?.name).toBe(nameValue.trim());
				}
			}),
			{ numRuns: 60 }
		);
	});

	it('stores an unusual but valid name exactly, and shows it escaped', async () => {
		const form = forms['add a person']!;
		const name = '<b>Zoë</b> "日本" \'🚀\' & co';
		const fields = { ...form.valid(), name };
		expect(await expectRefusedOrFaithful('html name', form, fields)).toBe(200);
		const html = await (await fetch(`${web.url}/users`, { headers: { cookie: admin } })).text();
		expect(html).not.toContain('<b>Zoë</b>');
		expect(html).toContain('&lt;b>Zoë&lt;/b>');
	});

	it('treats ?/default as bad input, not a server error', async () => {
		const { status } = await post({ path: '/sign-in?/default', signedIn: false, valid: () => ({}) }, new URLSearchParams());
		expect(status).toBe(400);
	});
});
