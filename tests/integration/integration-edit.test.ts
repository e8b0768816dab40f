// SPEC F7.1/F7.2: editing an integration's name and credentials. New credentials are tested
// against the repository before anything is stored, then sealed anew; secret fields left empty
// keep the stored secret; of two saves made at once, one is refused and leaves no trace; a save
// made on an older version merges with the newer one field by field (SPEC F11).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { credentialsBinding, decryptCredentials } from '#core/crypto/credentials.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.ts';
import { createTestSystem, demoUser, signedInUser, signIn, submitAction, type RunningWeb, type TestSystem } from '../support/system.ts';

const username = 'ci-reader';
const firstToken = `first-${crypto.randomUUID()}`;
let system: TestSystem;
let web: RunningWeb;
let server: GitHttpServer;
let manager: string;
let managerUser: SignedInUser;
let integrationId = '';

beforeAll(async () => {
	// Plain http only because the test server has no certificate; production allows https and ssh.
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'http,https,ssh', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1' });
	const demo = await system.seedDemo();
	web = await system.startWeb();
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	managerUser = await signedInUser(system, 'manager@acme.example');
	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-edit-'));
	await generateRepository(path.join(root, 'private.git'), { commits: 20, branches: 1, tags: 1, seed: 3, bare: true });
	server = await startGitHttpServer(root, { username, token: firstToken });
});
afterAll(async () => {
	await server?.stop();
	await system?.stop();
});

// Each test starts from an integration of its own holding the first token, which the git host accepts.
beforeEach(async () => {
	server.demand({ username, token: firstToken });
	if (integrationId) {
		await system.database.db.deleteFrom('repos').where('integration_id', '=', integrationId).execute();
		await system.database.db.deleteFrom('integrations').where('id', '=', integrationId).execute();
	}
	const integration = await createGenericGitIntegration(system.database.db, managerUser, {
		name: `Private ${crypto.randomUUID().slice(0, 6)}`,
		repositories: [{ url: `${server.url}/private.git`, display: `${server.url}/private.git`, name: 'private' }],
		credentials: { method: 'https-token', username, token: firstToken },
		deploymentsFromTags: false
	});
	integrationId = integration.id;
});

async function stored() {
	const row = await system.database.db
		.selectFrom('integrations')
		.select(['name', 'version', 'credentials', 'credential_summary', 'auth_method'])
		.where('id', '=', integrationId)
		.executeTakeFirstOrThrow();
	return { ...row, credentials: Buffer.from(row.credentials!) };
}

const secretOf = (sealed: Buffer) => decryptCredentials<{ method: string; username: string; token: string }>(sealed, credentialsBinding(integrationId));

async function edits(): Promise<Array<{ before: unknown; after: unknown }>> {
	return system.database.db
		.selectFrom('audit_events')
		.select(['before', 'after'])
		.where('subject_id', '=', integrationId)
		.where('action', '=', 'integration.edited')
		.execute();
}

function save(fields: Record<string, string>) {
	return submitAction(web.url, `/integrations/${integrationId}/edit`, { authMethod: 'https-token', username: '', token: '', ...fields }, manager);
}

describe('replacing credentials', () => {
	it('tests the new token against the repository first: a refused one changes nothing', async () => {
		const before = await stored();
		server.demand({ username, token: 'rotated' });
		const refused = await save({ name: before.name, version: String(before.version), username, token: 'not-the-token' });
		expect(refused.status).toBe(400);
		expect(JSON.stringify(refused.data?.failures)).toMatch(/credentials/i);
		expect(await stored()).toEqual(before);
		expect(await edits()).toEqual([]);
	});

	it('stores a token that works sealed anew: different bytes, which open to the new token', async () => {
		const before = await stored();
		const secondToken = `second-${crypto.randomUUID()}`;
		server.demand({ username, token: secondToken });
		const saved = await save({ name: before.name, version: String(before.version), username, token: secondToken });
		expect(saved.type, JSON.stringify(saved)).toBe('redirect');

		const after = await stored();
		expect(after.credentials.equals(before.credentials)).toBe(false);
		expect(after.credentials.includes(Buffer.from(secondToken))).toBe(false);
		expect(secretOf(after.credentials)).toEqual({ method: 'https-token', username, token: secondToken });
		expect(after.version).toBe(before.version + 1);
		const [audit, ...more] = await edits();
		expect(more).toEqual([]);
		expect(audit!.after).toEqual({ name: before.name, credentials: after.credential_summary });
		expect(JSON.stringify(audit)).not.toContain(secondToken);
	});
});

describe('secret fields left empty', () => {
	it('keep the sealed secret as it was when only the name changes', async () => {
		const before = await stored();
		const saved = await save({ name: 'Renamed', version: String(before.version) });
		expect(saved.type, JSON.stringify(saved)).toBe('redirect');
		const after = await stored();
		expect(after.name).toBe('Renamed');
		expect(after.credentials.equals(before.credentials)).toBe(true);
		expect(secretOf(after.credentials)).toEqual({ method: 'https-token', username, token: firstToken });
	});

	it('cannot be half kept: a new username needs its token typed again, since the web never opens the stored one', async () => {
		const before = await stored();
		const refused = await save({ name: 'Renamed', version: String(before.version), username: 'renamed-reader' });
		expect(refused.status).toBe(400);
		expect(refused.data?.errors).toEqual({ token: expect.stringMatching(/Type the token again/) });
		expect(await stored()).toEqual(before);
		expect(await edits()).toEqual([]);
	});
});

describe('two saves at once', () => {
	it('keeps one, refuses the other with what the first changed, and writes nothing for the refused one', async () => {
		const before = await stored();
		const secondToken = `second-${crypto.randomUUID()}`;
		server.demand({ username, token: secondToken });
		// Both started from the same version of the form: one renames and replaces the token (tested
		// against the repository first, so slower), the other only renames.
		const [withToken, renameOnly] = await Promise.all([
			save({ name: 'With the new token', version: String(before.version), username, token: secondToken }),
			save({ name: 'Only renamed', version: String(before.version) })
		]);
		const results = [withToken, renameOnly];
		expect(results.map((r) => r.type).sort(), JSON.stringify(results)).toEqual(['failure', 'redirect']);
		const refused = results.find((r) => r.type === 'failure')!;
		expect(refused.status).toBe(409);

		const after = await stored();
		expect(after.version).toBe(before.version + 1);
		const [audit, ...more] = await edits();
		expect(more).toEqual([]);
		// Whichever was kept, everything stored is what it asked for, and only it was audited.
		const kept = withToken.type === 'redirect' ? { name: 'With the new token', token: secondToken } : { name: 'Only renamed', token: firstToken };
		expect(after.name).toBe(kept.name);
		expect(secretOf(after.credentials).token).toBe(kept.token);
		expect(audit!.after).toMatchObject({ name: kept.name });
		// The refusal says what the other save made of it.
		expect(refused.data?.stale).toContain(`“${after.name}”`);
	});
});

describe('a save made while someone else saved', () => {
	/** A save as the edit page makes it: each value with the value it started from. */
	function saveFrom(startedFrom: { version: number; name: string; credentials: string }, fields: Record<string, string>) {
		return save({
			version: String(startedFrom.version),
			'base.name': startedFrom.name,
			'base.authMethod': 'https-token',
			'base.baseUrl': '',
			'base.caCertificate': '',
			'base.credentials': startedFrom.credentials,
			name: startedFrom.name,
			...fields
		});
	}

	it('merges changes to different fields: their new name, and my new token', async () => {
		const before = await stored();
		const startedFrom = { version: before.version, name: before.name, credentials: before.credential_summary! };
		expect((await saveFrom(startedFrom, { name: 'Renamed by them' })).type).toBe('redirect');
		const secondToken = `second-${crypto.randomUUID()}`;
		server.demand({ username, token: secondToken });
		const mine = await saveFrom(startedFrom, { username, token: secondToken });
		expect(mine.type, JSON.stringify(mine)).toBe('redirect');
		const after = await stored();
		expect(after.name).toBe('Renamed by them');
		expect(secretOf(after.credentials).token).toBe(secondToken);
		expect(after.version).toBe(before.version + 2);
	});

	it('refuses a field both changed, with theirs and mine, writing nothing; then applies mine on top when asked', async () => {
		const before = await stored();
		const startedFrom = { version: before.version, name: before.name, credentials: before.credential_summary! };
		expect((await saveFrom(startedFrom, { name: 'Theirs' })).type).toBe('redirect');
		const refused = await saveFrom(startedFrom, { name: 'Mine' });
		expect(refused).toMatchObject({ type: 'failure', status: 409 });
		expect(refused.data?.conflicts).toEqual([{ field: 'name', label: 'Name', theirs: 'Theirs', yours: 'Mine' }]);
		expect((await stored()).name).toBe('Theirs');
		expect(await edits()).toHaveLength(1);
		// "Apply mine on top": the form now starts from theirs.
		const applied = await saveFrom({ ...startedFrom, version: before.version + 1, name: 'Theirs' }, { name: 'Mine' });
		expect(applied.type, JSON.stringify(applied)).toBe('redirect');
		expect((await stored()).name).toBe('Mine');
	});
});
