// The simulated Bitbucket Cloud (/bitbucket-cloud) and Data Center (/bitbucket-dc), two more views
// of the World, as their field client (@coderabbitai/bitbucket, openapi-fetch) and raw HTTP see
// them: credentials, who-am-I, pagination, pull request filters, activity against /stats, rate
// limits, faults, git over HTTP and signed webhooks.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createBitbucketCloudClient } from '@coderabbitai/bitbucket/cloud';
import { createBitbucketServerClient } from '@coderabbitai/bitbucket/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

const run = promisify(execFile);
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_ASKPASS: '', SSH_ASKPASS: '' };
let sim: RunningSimulator;
let scratch: string;
beforeAll(async () => {
	sim = await startTestSimulator('bitbucket');
	scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-simulator-bitbucket-'));
});
afterEach(() => sim.control.clearFaults());
afterAll(async () => {
	await sim?.stop();
	rmSync(scratch, { recursive: true, force: true });
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const cloudAuth = (token: string) => basic(sim.bitbucketCloud.email, token);
const cloud = (token = sim.bitbucketCloud.credentials.apiTokens.full) => createBitbucketCloudClient({ baseUrl: sim.bitbucketCloud.api, headers: { Accept: 'application/json', Authorization: cloudAuth(token) } });
const cloudGet = (path: string, authorization?: string) => fetch(`${sim.bitbucketCloud.api}${path}`, { headers: authorization ? { authorization } : {} });
const dc = (token = sim.bitbucketDataCenter.tokens.full) => createBitbucketServerClient({ baseUrl: `${sim.bitbucketDataCenter.http}/rest`, headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
const dcGet = (path: string, authorization?: string) => fetch(`${sim.bitbucketDataCenter.http}/rest/api/1.0${path}`, { headers: authorization ? { authorization } : {} });

/** Every value of a Cloud list, following `next`. */
async function cloudAll<T = Record<string, unknown>>(path: string, token = sim.bitbucketCloud.credentials.apiTokens.full): Promise<{ values: T[]; pages: number }> {
	let url: string | undefined = `${sim.bitbucketCloud.api}${path}`;
	const values: T[] = [];
	let pages = 0;
	while (url) {
		const response = await fetch(url, { headers: { authorization: cloudAuth(token) } });
		expect(response.status).toBe(200);
		const page = (await response.json()) as { values: T[]; next?: string };
		values.push(...page.values);
		pages++;
		url = page.next;
	}
	return { values, pages };
}

/** Every value of a Data Center list, following `nextPageStart`. */
async function dcAll<T = Record<string, unknown>>(path: string, limit = 25): Promise<{ values: T[]; pages: number }> {
	const values: T[] = [];
	let start = 0;
	let pages = 0;
	for (;;) {
		const response = await dcGet(`${path}${path.includes('?') ? '&' : '?'}start=${start}&limit=${limit}`, `Bearer ${sim.bitbucketDataCenter.tokens.full}`);
		expect(response.status).toBe(200);
		const page = (await response.json()) as { values: T[]; isLastPage: boolean; nextPageStart?: number };
		values.push(...page.values);
		pages++;
		if (page.isLastPage) return { values, pages };
		start = page.nextPageStart!;
	}
}

/** A local receiver that records each delivery's headers and raw body. */
async function receiver(): Promise<{ url: string; received: Array<{ headers: http.IncomingHttpHeaders; body: string }>; close(): Promise<void> }> {
	const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const hmac = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('Bitbucket Cloud', () => {
	it('tells who the credentials are, and refuses bad ones with Cloud’s 401 and scope 403 bodies', async () => {
		const { data: me } = await cloud().GET('/user');
		expect(me).toMatchObject({ type: 'user', nickname: 'sim-user', display_name: 'Sam Simulator' });
		expect(me?.uuid).toMatch(/^\{[0-9a-f-]{36}\}$/);
		const app = await cloudGet('/user', basic('sim-user', sim.bitbucketCloud.credentials.appPassword));
		expect(app.status).toBe(200);
		// An API token needs the email as its username on the API.
		expect((await cloudGet('/user', basic('sim-user', sim.bitbucketCloud.credentials.apiTokens.full))).status).toBe(401);
		const revoked = await cloudGet('/user', cloudAuth(sim.bitbucketCloud.credentials.apiTokens.revoked));
		expect(revoked.status).toBe(401);
		expect(await revoked.json()).toEqual({ type: 'error', error: { message: 'Unauthorized' } });

		const userOnly = sim.bitbucketCloud.credentials.apiTokens.userOnly;
		expect((await cloudGet('/user', cloudAuth(userOnly))).status).toBe(200);
		const refused = await cloudGet('/repositories/acme', cloudAuth(userOnly));
		expect(refused.status).toBe(403);
		expect(await refused.json()).toEqual({
			type: 'error',
			error: { message: 'Your credentials lack one or more required privilege scopes.', detail: { granted: ['read:user:bitbucket'], required: ['read:repository:bitbucket'] } }
		});
		const noPulls = sim.bitbucketCloud.credentials.apiTokens.noPullRequests;
		expect((await cloudGet('/repositories/acme/api', cloudAuth(noPulls))).status).toBe(200);
		expect((await cloudGet('/repositories/acme/api/pullrequests', cloudAuth(noPulls))).status).toBe(403);
	});

	it('lists workspaces, projects and repositories as the World has them, page by page', async () => {
		const { values: access } = await cloudAll<{ type: string; workspace: { slug: string } }>('/user/workspaces');
		expect(access.map((a) => a.workspace.slug)).toEqual(['acme', 'globex', 'sim-user']);
		expect(access[0]!.type).toBe('workspace_access');
		expect(sim.bitbucketCloud.workspaces).toEqual(['acme', 'globex', 'sim-user']);
		const { data: projects } = await cloud().GET('/workspaces/{workspace}/projects', { params: { path: { workspace: 'acme' } } });
		expect(projects?.values?.map((p) => p.key)).toEqual(['ACME', 'PLAT']);
		const { values, pages } = await cloudAll<{ full_name: string; project: { key: string }; links: { clone: Array<{ name: string; href: string }> }; parent?: { full_name: string } }>('/repositories/acme?pagelen=1');
		expect(pages).toBe(3);
		expect(values.map((r) => r.full_name)).toEqual(['acme/api', 'acme/web', 'acme/worker']);
		expect(values.map((r) => r.project.key)).toEqual(['ACME', 'ACME', 'PLAT']);
		const origin = new URL(sim.bitbucketCloud.api);
		expect(values[0]!.links.clone).toEqual([
			{ name: 'https', href: `http://sim-user@${origin.host}/bitbucket-cloud/acme/api.git` },
			{ name: 'ssh', href: 'git@bitbucket.org:acme/api.git' }
		]);
		const plat = await cloudAll<{ full_name: string }>(`/repositories/acme?q=${encodeURIComponent('project.key="PLAT"')}`);
		expect(plat.values.map((r) => r.full_name)).toEqual(['acme/worker']);
		expect((await cloudAll('/repositories/globex?role=admin')).values).toEqual([]);
		const { data: fork } = await cloud().GET('/repositories/{workspace}/{repo_slug}', { params: { path: { workspace: 'sim-user', repo_slug: 'web' } } });
		expect(fork?.parent?.full_name).toBe('acme/web');
	});

	it('lists open pull requests by default, every state on request, and filters by updated_on for incremental reads', async () => {
		const stats = (await sim.control.bitbucketCloud.stats()).repositories.find((r) => r.repository === 'acme/api')!;
		const open = await cloudAll<{ state: string }>('/repositories/acme/api/pullrequests?pagelen=50');
		expect(open.values.length).toBe(stats.open);
		expect(new Set(open.values.map((p) => p.state))).toEqual(new Set(['OPEN']));
		const all = await cloudAll<{ id: number; updated_on: string }>('/repositories/acme/api/pullrequests?state=OPEN&state=MERGED&state=DECLINED&pagelen=7&sort=-updated_on');
		expect(all.values.length).toBe(stats.pullRequests);
		expect(all.pages).toBe(Math.ceil(stats.pullRequests / 7));
		const times = all.values.map((p) => Date.parse(p.updated_on));
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		const since = all.values[9]!.updated_on;
		const q = encodeURIComponent(`updated_on > "${since}"`);
		const recent = await cloudAll<{ id: number }>(`/repositories/acme/api/pullrequests?state=OPEN&state=MERGED&state=DECLINED&q=${q}&sort=updated_on`);
		expect(recent.values.map((p) => p.id)).toEqual(all.values.slice(0, 9).map((p) => p.id).reverse());
		expect((await cloudGet('/repositories/acme/api/pullrequests?pagelen=100', cloudAuth(sim.bitbucketCloud.credentials.apiTokens.full)).then((r) => r.json())) as { pagelen: number }).toMatchObject({ pagelen: 50 });
	});

	it('shows the comments and activity /stats counts', async () => {
		const stats = (await sim.control.bitbucketCloud.stats()).repositories.find((r) => r.repository === 'acme/web')!;
		const pulls = await cloudAll<{ id: number; comment_count: number }>('/repositories/acme/web/pullrequests?state=OPEN&state=MERGED&state=DECLINED&pagelen=50');
		let inline = 0;
		let comments = 0;
		let approvals = 0;
		let changes = 0;
		for (const pull of pulls.values) {
			const list = await cloudAll<{ inline?: unknown }>(`/repositories/acme/web/pullrequests/${pull.id}/comments?pagelen=100`);
			expect(list.values.length).toBe(pull.comment_count);
			inline += list.values.filter((c) => c.inline).length;
			comments += list.values.filter((c) => !c.inline).length;
			const activity = await cloudAll<{ approval?: unknown; changes_request?: unknown }>(`/repositories/acme/web/pullrequests/${pull.id}/activity?pagelen=50`);
			approvals += activity.values.filter((a) => a.approval).length;
			changes += activity.values.filter((a) => a.changes_request).length;
		}
		expect({ inline, comments, approvals, changes }).toEqual({ inline: stats.inlineComments, comments: stats.comments, approvals: stats.approvals, changes: stats.changesRequested });
		expect(inline + comments).toBeGreaterThan(0);
	});

	it('rate-limits /repositories per credential with 429, Retry-After and the X-RateLimit headers, then resets', async () => {
		const token = sim.bitbucketCloud.credentials.appPassword;
		const auth = basic('sim-user', token);
		await sim.control.setRateLimit({ token, limit: 10, remaining: 2, resetInSeconds: 1 });
		const first = await cloudGet('/repositories/acme/api', auth);
		expect(first.status).toBe(200);
		expect(first.headers.get('x-ratelimit-limit')).toBe('10');
		expect(first.headers.get('x-ratelimit-resource')).toBeTruthy();
		expect(first.headers.get('x-ratelimit-nearlimit')).toBe('true');
		expect((await cloudGet('/repositories/acme/api', auth)).status).toBe(200);
		const spent = await cloudGet('/repositories/acme/api', auth);
		expect(spent.status).toBe(429);
		expect(Number(spent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(await spent.json()).toEqual({ type: 'error', error: { message: 'Rate limit for this resource has been exceeded' } });
		// /user is not counted.
		expect((await cloudGet('/user', auth)).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 2100));
		const after = await cloudGet('/repositories/acme/api', auth);
		expect(after.status).toBe(200);
		expect(after.headers.get('x-ratelimit-limit')).toBe('1000');
		expect(after.headers.get('x-ratelimit-nearlimit')).toBeNull();
	});

	it('answers a fault on its own paths only', async () => {
		await sim.control.addFault({ kind: 'status', provider: 'bitbucket-cloud', path: '/repositories/acme/*', status: 503, count: 1 });
		const failed = await cloudGet('/repositories/acme/api', cloudAuth(sim.bitbucketCloud.credentials.apiTokens.full));
		expect(failed.status).toBe(503);
		expect(await failed.json()).toMatchObject({ type: 'error' });
		expect((await cloudGet('/repositories/acme/api', cloudAuth(sim.bitbucketCloud.credentials.apiTokens.full))).status).toBe(200);
	});

	it('clones over HTTP with an API token or the app password, and refuses without credentials', async () => {
		const origin = new URL(sim.bitbucketCloud.web);
		const url = (user: string, password: string) => `${origin.protocol}//${encodeURIComponent(user)}:${encodeURIComponent(password)}@${origin.host}/bitbucket-cloud/acme/api.git`;
		await run('git', ['clone', '--quiet', '--bare', url('x-bitbucket-api-token-auth', sim.bitbucketCloud.credentials.apiTokens.full), path.join(scratch, 'cloud-token')], { env: gitEnv });
		await run('git', ['clone', '--quiet', '--bare', url('sim-user', sim.bitbucketCloud.credentials.appPassword), path.join(scratch, 'cloud-app')], { env: gitEnv });
		const { stdout } = await run('git', ['-C', path.join(scratch, 'cloud-token'), 'rev-parse', 'main'], { env: gitEnv });
		expect(stdout.trim()).toMatch(/^[0-9a-f]{40}$/);
		await expect(run('git', ['clone', '--quiet', '--bare', `${sim.bitbucketCloud.web}/acme/api.git`, path.join(scratch, 'cloud-none')], { env: gitEnv })).rejects.toThrow();
		const refused = await fetch(`${sim.bitbucketCloud.web}/acme/api.git/info/refs?service=git-upload-pack`);
		expect(refused.status).toBe(401);
		expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
	});

	it('delivers signed webhooks and redelivers them with the same request UUID', async () => {
		const hooks = await receiver();
		try {
			const secret = 'cloud-secret';
			const hook = await sim.control.bitbucketCloud.registerHook({ repository: 'acme/web', url: hooks.url, secret, events: ['pullrequest:created', 'pullrequest:comment_created'] });
			const { pullrequest, deliveries } = await sim.control.bitbucketCloud.openPullRequest('acme/web', { title: 'Through Bitbucket' });
			expect(deliveries.map((d) => d.event)).toEqual(['pullrequest:created']);
			const [delivery] = hooks.received;
			expect(delivery!.headers['x-event-key']).toBe('pullrequest:created');
			expect(delivery!.headers['user-agent']).toBe('Bitbucket-Webhooks/2.0');
			expect(delivery!.headers['x-hook-uuid']).toBe(hook.uuid.replace(/[{}]/g, ''));
			expect(delivery!.headers['x-attempt-number']).toBe('1');
			expect(delivery!.headers['x-hub-signature']).toBe(hmac(secret, delivery!.body));
			expect(JSON.parse(delivery!.body)).toMatchObject({ pullrequest: { id: pullrequest.id, title: 'Through Bitbucket', state: 'OPEN' }, repository: { full_name: 'acme/web' }, actor: { nickname: 'sim-user' } });
			const again = await sim.control.bitbucketCloud.redeliver(deliveries[0]!.id);
			expect(again.requestId).toBe(deliveries[0]!.requestId);
			expect(hooks.received[1]!.headers['x-request-uuid']).toBe(delivery!.headers['x-request-uuid']);
			expect(hooks.received[1]!.headers['x-attempt-number']).toBe('2');
			expect(hooks.received[1]!.body).toBe(delivery!.body);
			// The same pull request, seen through every view.
			const { data } = await cloud().GET('/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}', { params: { path: { workspace: 'acme', repo_slug: 'web', pull_request_id: pullrequest.id } } });
			expect(data?.title).toBe('Through Bitbucket');
			const onDc = await dcGet(`/projects/ACME/repos/web/pull-requests/${pullrequest.id}`, `Bearer ${sim.bitbucketDataCenter.tokens.full}`);
			expect(await onDc.json()).toMatchObject({ id: pullrequest.id, title: 'Through Bitbucket', state: 'OPEN' });
		} finally {
			await hooks.close();
		}
	});
});

describe('Bitbucket Data Center', () => {
	it('names the caller in X-AUSERNAME and refuses bad, expired and revoked credentials with DC’s 401 bodies', async () => {
		const props = await dc().GET('/api/latest/application-properties');
		expect(props.data).toMatchObject({ displayName: 'Bitbucket' });
		expect(props.data?.version).toMatch(/^8\.19\./);
		const me = await dcGet('/projects', `Bearer ${sim.bitbucketDataCenter.tokens.full}`);
		expect(me.status).toBe(200);
		expect(me.headers.get('x-ausername')).toBe('sim-user');
		expect(me.headers.get('x-auserid')).toBe('1');
		const password = await dcGet('/projects', basic(sim.bitbucketDataCenter.username, sim.bitbucketDataCenter.password));
		expect(password.headers.get('x-ausername')).toBe('sim-user');
		// A token works as a Basic password too.
		expect((await dcGet('/projects', basic('sim-user', sim.bitbucketDataCenter.tokens.full))).status).toBe(200);
		const bad = await dcGet('/projects', basic('sim-user', 'wrong'));
		expect(bad.status).toBe(401);
		expect(await bad.json()).toEqual({
			errors: [{ context: null, message: 'Authentication failed. Please check your credentials and try again.', exceptionName: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException' }]
		});
		expect((await dcGet('/projects', `Bearer ${sim.bitbucketDataCenter.tokens.revoked}`)).status).toBe(401);
		const expired = await dcGet('/projects', `Bearer ${sim.bitbucketDataCenter.tokens.expired}`);
		expect(expired.status).toBe(401);
		expect(((await expired.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/expired/);
		const { data: user } = await dc().GET('/api/latest/users/{userSlug}', { params: { path: { userSlug: 'sim-user' } } });
		expect(user).toMatchObject({ name: 'sim-user', slug: 'sim-user', type: 'NORMAL', active: true });
	});

	it('lists projects and repositories page by page; a project token sees its project only', async () => {
		const projects = await dcAll<{ key: string }>('/projects', 1);
		expect(projects.values.map((p) => p.key)).toEqual(['ACME', 'GLOBEX']);
		expect(projects.pages).toBe(2);
		const repos = await dcAll<{ slug: string; project: { key: string }; archived: boolean; links: { clone: Array<{ name: string; href: string }> } }>('/repos', 2);
		expect(repos.values.map((r) => `${r.project.key}/${r.slug}`)).toEqual(sim.bitbucketDataCenter.repositories);
		expect(sim.bitbucketDataCenter.repositories).toContain('~SIM-USER/dotfiles');
		const api = repos.values[0]!;
		expect(api.links.clone[0]).toEqual({ name: 'http', href: `${sim.bitbucketDataCenter.http}/scm/acme/api.git` });
		expect(repos.values.find((r) => r.slug === 'worker')?.archived).toBe(true);
		const projectToken = sim.bitbucketDataCenter.tokens.projectRead;
		const scoped = await dcGet('/repos?limit=100', `Bearer ${projectToken}`);
		expect(((await scoped.json()) as { values: Array<{ project: { key: string } }> }).values.every((r) => r.project.key === 'ACME')).toBe(true);
		expect((await dcGet('/projects/GLOBEX/repos/api', `Bearer ${projectToken}`)).status).toBe(403);
		const { data } = await dc().GET('/api/latest/projects/{projectKey}/repos/{repositorySlug}', { params: { path: { projectKey: '~SIM-USER', repositorySlug: 'web' } } });
		expect(data?.origin?.slug).toBe('web');
	});

	it('orders pull requests by last update, newest first, and filters by state', async () => {
		const stats = (await sim.control.bitbucketDataCenter.stats()).repositories.find((r) => r.repository === 'ACME/api')!;
		const open = await dcAll<{ state: string }>('/projects/ACME/repos/api/pull-requests');
		expect(open.values.length).toBe(stats.open);
		const all = await dcAll<{ id: number; updatedDate: number; state: string }>('/projects/ACME/repos/api/pull-requests?state=ALL&order=NEWEST', 7);
		expect(all.values.length).toBe(stats.pullRequests);
		const times = all.values.map((p) => p.updatedDate);
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		expect(all.values.filter((p) => p.state === 'MERGED').length).toBe(stats.merged);
		expect(all.values.filter((p) => p.state === 'DECLINED').length).toBe(stats.declined);
		const oldest = await dcAll<{ id: number }>('/projects/ACME/repos/api/pull-requests?state=ALL&order=OLDEST', 100);
		expect(oldest.values.map((p) => p.id)).toEqual(all.values.map((p) => p.id).reverse());
	});

	it('shows activities that add up to /stats', async () => {
		const stats = (await sim.control.bitbucketDataCenter.stats()).repositories.find((r) => r.repository === 'GLOBEX/api')!;
		const pulls = await dcAll<{ id: number; properties: { commentCount: number } }>('/projects/GLOBEX/repos/api/pull-requests?state=ALL', 100);
		type Comment = { comments: Comment[] };
		const count = (c: Comment): number => 1 + c.comments.reduce((n, r) => n + count(r), 0);
		const totals = { inline: 0, comments: 0, approvals: 0, needsWork: 0 };
		for (const pull of pulls.values) {
			const { values } = await dcAll<{ action: string; comment?: Comment; commentAnchor?: unknown }>(`/projects/GLOBEX/repos/api/pull-requests/${pull.id}/activities`, 100);
			let commentsHere = 0;
			for (const activity of values) {
				if (activity.action === 'APPROVED') totals.approvals++;
				if (activity.action === 'REVIEWED') totals.needsWork++;
				if (activity.action === 'COMMENTED') {
					const n = count(activity.comment!);
					commentsHere += n;
					if (activity.commentAnchor) totals.inline += n;
					else totals.comments += n;
				}
			}
			expect(commentsHere).toBe(pull.properties.commentCount);
		}
		expect(totals).toEqual({ inline: stats.inlineComments, comments: stats.comments, approvals: stats.approvals, needsWork: stats.needsWork });
	});

	it('rate-limits per user with 429 and the token-bucket headers, then resets', async () => {
		const token = sim.bitbucketDataCenter.tokens.full;
		await sim.control.setRateLimit({ token, limit: 5, remaining: 1, resetInSeconds: 1 });
		const last = await dcGet('/projects', `Bearer ${token}`);
		expect(last.status).toBe(200);
		expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
		// The password is the same user: the same bucket.
		const spent = await dcGet('/projects', basic('sim-user', sim.bitbucketDataCenter.password));
		expect(spent.status).toBe(429);
		expect(spent.headers.get('x-ratelimit-limit')).toBe('5');
		expect(spent.headers.get('x-ratelimit-interval-seconds')).toBeTruthy();
		expect(spent.headers.get('x-ratelimit-fillrate')).toBeTruthy();
		expect(Number(spent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		await new Promise((resolve) => setTimeout(resolve, 2100));
		expect((await dcGet('/projects', `Bearer ${token}`)).status).toBe(200);
	});

	it('answers a fault in DC’s error shape', async () => {
		await sim.control.addFault({ kind: 'status', provider: 'bitbucket-dc', path: '/projects', status: 502, count: 1 });
		const failed = await dcGet('/projects', `Bearer ${sim.bitbucketDataCenter.tokens.full}`);
		expect(failed.status).toBe(502);
		expect(await failed.json()).toMatchObject({ errors: [{ message: 'Bad Gateway' }] });
	});

	it('clones over HTTP with a token or the password, and refuses without credentials', async () => {
		const origin = new URL(sim.bitbucketDataCenter.http);
		await run('git', ['clone', '--quiet', '--bare', `${origin.protocol}//sim-user:${sim.bitbucketDataCenter.tokens.full}@${origin.host}/bitbucket-dc/scm/acme/api.git`, path.join(scratch, 'dc-token')], { env: gitEnv });
		await run('git', ['clone', '--quiet', '--bare', `${origin.protocol}//sim-user:${encodeURIComponent(sim.bitbucketDataCenter.password)}@${origin.host}/bitbucket-dc/scm/~sim-user/dotfiles.git`, path.join(scratch, 'dc-password')], { env: gitEnv });
		const refused = await fetch(`${sim.bitbucketDataCenter.http}/scm/acme/api.git/info/refs?service=git-upload-pack`);
		expect(refused.status).toBe(401);
		expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
	});

	it('delivers signed webhooks, pings, and redelivers with the same X-Request-Id', async () => {
		const hooks = await receiver();
		try {
			const secret = 'dc-secret';
			const hook = await sim.control.bitbucketDataCenter.registerHook({ repository: 'ACME/api', url: hooks.url, secret });
			const ping = await sim.control.bitbucketDataCenter.ping(hook.id);
			expect(ping.event).toBe('diagnostics:ping');
			const { pullRequest } = await sim.control.bitbucketDataCenter.openPullRequest('ACME/api', { title: 'Through Data Center' });
			const { deliveries } = await sim.control.bitbucketDataCenter.approve('ACME/api', pullRequest.id, { user: 'li-lei' });
			expect(deliveries.map((d) => d.event)).toEqual(['pr:reviewer:approved']);
			expect(hooks.received.map((r) => r.headers['x-event-key'])).toEqual(['diagnostics:ping', 'repo:refs_changed', 'pr:opened', 'pr:reviewer:approved']);
			for (const delivery of hooks.received) {
				expect(delivery.headers['content-type']).toBe('application/json; charset=utf-8');
				expect(delivery.headers['x-hub-signature']).toBe(hmac(secret, delivery.body));
			}
			const approved = JSON.parse(hooks.received[3]!.body);
			expect(approved).toMatchObject({ eventKey: 'pr:reviewer:approved', actor: { name: 'li-lei' }, pullRequest: { id: pullRequest.id, reviewers: [{ user: { name: 'li-lei' }, status: 'APPROVED' }] } });
			expect(approved.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
			const again = await sim.control.bitbucketDataCenter.redeliver(deliveries[0]!.id);
			expect(again.requestId).toBe(deliveries[0]!.requestId);
			expect(hooks.received[4]!.headers['x-request-id']).toBe(hooks.received[3]!.headers['x-request-id']);
			expect(hooks.received[4]!.body).toBe(hooks.received[3]!.body);
			const stats = (await sim.control.bitbucketDataCenter.stats()).repositories.find((r) => r.repository === 'ACME/api')!;
			const cloudStats = (await sim.control.bitbucketCloud.stats()).repositories.find((r) => r.repository === 'acme/api')!;
			expect(stats.approvals).toBe(cloudStats.approvals);
		} finally {
			await hooks.close();
		}
	});
});
