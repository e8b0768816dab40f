// The GitHub App path: @octokit/auth-app signs a JWT with the App's key, mints an installation
// token from the simulator and uses it, as the product will.
import { readFileSync } from 'node:fs';
import { createAppAuth } from '@octokit/auth-app';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RequestError } from 'octokit';
import { github, startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

let sim: RunningSimulator;
let privateKey: string;
beforeAll(async () => {
	sim = await startTestSimulator('app');
	privateKey = readFileSync(sim.appPrivateKeyFile, 'utf8');
});
afterAll(() => sim?.stop());

it('hands out its private key as GitHub does: PKCS#1 PEM', () => {
	expect(privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
});

it('answers /app and its installations to the App’s JWT', async () => {
	const app = github(sim.http, undefined, { authStrategy: createAppAuth, auth: { appId: sim.app.id, privateKey } });
	const { data } = await app.rest.apps.getAuthenticated();
	expect(data).toMatchObject({ id: sim.app.id, slug: sim.app.slug });
	const installations = await app.paginate(app.rest.apps.listInstallations);
	expect(installations.map((i) => [i.id, i.account && 'login' in i.account ? i.account.login : null])).toEqual(sim.app.installations.map((i) => [i.id, i.account]));
});

it('mints an installation token that lists and reads the installation’s repositories', async () => {
	const installation = sim.app.installations[0]!;
	const octokit = github(sim.http, undefined, { authStrategy: createAppAuth, auth: { appId: sim.app.id, privateKey, installationId: installation.id } });
	const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation);
	expect(repos.map((r) => r.full_name).sort()).toEqual(sim.repos.filter((r) => r.startsWith(`${installation.account}/`)).sort());
	const pulls = await octokit.rest.pulls.list({ owner: installation.account, repo: 'api', state: 'all' });
	expect(pulls.data.length).toBeGreaterThan(0);
	// The other organisation's private repositories do not exist for it.
	const other = await octokit.rest.repos.get({ owner: 'globex', repo: 'api' }).catch((e: unknown) => e);
	expect((other as RequestError).status).toBe(404);

	// An installation is not a user.
	const user = (await octokit.rest.users.getAuthenticated().catch((e: unknown) => e)) as RequestError;
	expect(user.status).toBe(403);
	expect(user.message).toMatch(/^Resource not accessible by integration/);

	const auth = createAppAuth({ appId: sim.app.id, privateKey, installationId: installation.id, request: octokit.request });
	const token = await auth({ type: 'installation' });
	expect(token.token).toMatch(/^ghs_/);
	expect(Date.parse(token.expiresAt) - Date.now()).toBeGreaterThan(50 * 60_000);
	expect(token.permissions).toMatchObject({ contents: 'read', pull_requests: 'read' });
});

it('refuses a JWT signed by another key', async () => {
	const { generateKeyPairSync } = await import('node:crypto');
	const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
	const app = github(sim.http, undefined, { authStrategy: createAppAuth, auth: { appId: sim.app.id, privateKey: otherKey } });
	const error = (await app.rest.apps.getAuthenticated().catch((e: unknown) => e)) as RequestError;
	expect(error.status).toBe(401);
});
