// The simulated GitLab (under /gitlab, in the same process as GitHub) as its field client
// (gitbeaker) and raw HTTP see it: tokens and scopes, groups and subgroups, both paginations,
// merge requests and their notes, rate limits, faults, git over HTTP and project webhooks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitbeakerRequestError } from '@gitbeaker/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gitlab, startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

const run = promisify(execFile);
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_ASKPASS: '', SSH_ASKPASS: '' };
let sim: RunningSimulator;
let scratch: string;
beforeAll(async () => {
	sim = await startTestSimulator('gitlab');
	scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-simulator-gitlab-'));
});
afterEach(() => sim.control.clearFaults());
afterAll(async () => {
	await sim?.stop();
	rmSync(scratch, { recursive: true, force: true });
});

/** A raw GET on the GitLab API (path after `/api/v4`). */
function get(path: string, token?: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${sim.gitlab.http}/api/v4${path}`, { headers: { ...(token ? { 'private-token': token } : {}), ...headers } });
}

async function status(promise: Promise<unknown>): Promise<number> {
	try {
		await promise;
		return 200;
	} catch (error) {
		if (error instanceof GitbeakerRequestError) return (error.cause as { response: Response }).response.status;
		throw error;
	}
}

const daysFromNow = (date: string) => (Date.parse(`${date}T00:00:00Z`) - Date.now()) / 86_400_000;

describe('tokens', () => {
	it('reads the token’s user and the token itself, with its scopes and expiry date', async () => {
		const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
		const me = await api.Users.showCurrentUser();
		expect(me).toMatchObject({ id: 1, username: 'sim-user', bot: false, state: 'active' });
		const self = await api.PersonalAccessTokens.show();
		expect(self).toMatchObject({ user_id: 1, revoked: false, active: true });
		expect(self.scopes).toEqual(['read_api', 'read_repository', 'read_user']);
		expect(self).not.toHaveProperty('token');
		expect(daysFromNow(self.expires_at!)).toBeGreaterThan(88);
		const expiring = await gitlab(sim.gitlab.http, sim.gitlab.tokens.expiring).PersonalAccessTokens.show();
		expect(daysFromNow(expiring.expires_at!)).toBeLessThanOrEqual(3);
		expect(daysFromNow(expiring.expires_at!)).toBeGreaterThan(1);
	});

	it('gives a project access token a bot user that sees its one project and no group', async () => {
		const bot = gitlab(sim.gitlab.http, sim.gitlab.tokens.projectBot);
		const me = await bot.Users.showCurrentUser();
		expect(me.bot).toBe(true);
		expect(me.username).toMatch(/^project_\d+_bot_[0-9a-f]{32}$/);
		expect((await bot.PersonalAccessTokens.show()).scopes).toEqual(['read_api', 'read_repository']);
		expect(await bot.Groups.all()).toEqual([]);
		expect((await bot.Projects.all({ membership: true })).map((p) => p.path_with_namespace)).toEqual(['acme/api']);
		expect(await status(bot.Projects.show('globex/api'))).toBe(404);
		expect(await status(bot.Projects.show('acme/platform/worker'))).toBe(404);
	});

	it('refuses unknown, expired and revoked tokens with GitLab’s 401 bodies, and missing scopes with 403', async () => {
		const unknown = await get('/user', 'glpat-not-a-real-token-00');
		expect(unknown.status).toBe(401);
		expect(await unknown.json()).toEqual({ message: '401 Unauthorized' });
		const expired = await get('/user', sim.gitlab.tokens.expired);
		expect(expired.status).toBe(401);
		expect(await expired.json()).toEqual({ error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' });
		const revoked = await get('/user', undefined, { authorization: `Bearer ${sim.gitlab.tokens.revoked}` });
		expect(revoked.status).toBe(401);
		expect(await revoked.json()).toEqual({ error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' });

		// `read_user` reads the user and the token, nothing else.
		expect((await get('/user', sim.gitlab.tokens.readUserOnly)).status).toBe(200);
		expect((await get('/personal_access_tokens/self', sim.gitlab.tokens.readUserOnly)).status).toBe(200);
		const projects = await get('/projects/acme%2Fapi', sim.gitlab.tokens.readUserOnly);
		expect(projects.status).toBe(403);
		expect(await projects.json()).toEqual({
			error: 'insufficient_scope',
			error_description: 'The request requires higher privileges than provided by the access token.',
			scope: 'api read_api'
		});
		expect((await get('/projects/acme%2Fapi', sim.gitlab.tokens.readApiOnly)).status).toBe(200);
	});
});

describe('groups and projects', () => {
	it('lists the groups with their subgroups, and the projects of a group with or without its subgroups', async () => {
		const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
		const groups = await api.Groups.all();
		expect(groups.map((g) => g.full_path).sort()).toEqual([...sim.gitlab.groups].sort());
		expect(sim.gitlab.groups).toEqual(['acme', 'acme/platform', 'globex', 'globex/platform']);
		const acme = groups.find((g) => g.full_path === 'acme')!;
		const platform = await api.Groups.show('acme/platform');
		expect(platform).toMatchObject({ path: 'platform', full_path: 'acme/platform', parent_id: acme.id });
		expect(acme.parent_id).toBeNull();
		expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length);
		expect((await api.Groups.all({ topLevelOnly: true })).map((g) => g.full_path)).toEqual(['acme', 'globex']);
		// sim-user owns the first organisation and develops in the others.
		expect((await api.Groups.all({ minAccessLevel: 50 })).map((g) => g.full_path)).toEqual(['acme', 'acme/platform']);

		const direct = await api.Groups.allProjects('acme');
		expect(direct.map((p) => p.path_with_namespace).sort()).toEqual(['acme/api', 'acme/web']);
		const all = await api.Groups.allProjects('acme', { includeSubgroups: true });
		expect(all.map((p) => p.path_with_namespace).sort()).toEqual(['acme/api', 'acme/platform/worker', 'acme/web']);
		const worker = all.find((p) => p.path === 'worker')!;
		expect(worker).toMatchObject({ archived: true, visibility: 'private', namespace: { kind: 'group', full_path: 'acme/platform', parent_id: acme.id } });
		expect(worker.http_url_to_repo).toBe(`${sim.gitlab.http}/acme/platform/worker.git`);
		expect((await api.Groups.allProjects('acme', { includeSubgroups: true, archived: false })).map((p) => p.path).sort()).toEqual(['api', 'web']);

		const own = await api.Users.allProjects(1);
		expect(own.map((p) => p.path_with_namespace).sort()).toEqual(['sim-user/dotfiles', 'sim-user/web']);
		const fork = own.find((p) => p.path === 'web')!;
		expect(fork).toMatchObject({ namespace: { kind: 'user', full_path: 'sim-user' }, forked_from_project: { path_with_namespace: 'acme/web' } });
	});

	it('pages through project lists with keyset pagination, following Link rel="next" only', async () => {
		const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
		await sim.control.resetRequestCounters();
		const projects = await api.Projects.all({ pagination: 'keyset', orderBy: 'id', sort: 'asc', perPage: 3 });
		expect(projects.map((p) => p.path_with_namespace).sort()).toEqual([...sim.gitlab.projects].sort());
		const ids = projects.map((p) => p.id);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		const { requests } = await sim.control.gitlab.stats();
		expect(requests.byKind['projects.list']).toBe(Math.ceil(sim.gitlab.projects.length / 3));

		const first = await get('/groups/acme/projects?include_subgroups=true&pagination=keyset&order_by=id&sort=desc&per_page=2', sim.gitlab.tokens.full);
		const page = (await first.json()) as Array<{ id: number }>;
		expect(page).toHaveLength(2);
		expect(first.headers.get('link')).toBe(
			`<${sim.gitlab.http}/api/v4/groups/acme/projects?include_subgroups=true&pagination=keyset&order_by=id&sort=desc&per_page=2&id_before=${page[1]!.id}>; rel="next"`
		);
		expect(first.headers.get('x-total')).toBeNull();
		const last = await get(`/groups/acme/projects?include_subgroups=true&pagination=keyset&order_by=id&sort=desc&per_page=2&id_before=${page[1]!.id}`, sim.gitlab.tokens.full);
		expect(await last.json()).toHaveLength(1);
		expect(last.headers.get('link')).toBeNull();

		const unsupported = await get('/projects?pagination=keyset&order_by=name', sim.gitlab.tokens.full);
		expect(unsupported.status).toBe(405);
		expect(await unsupported.json()).toEqual({ error: 'Keyset pagination is not yet available for this type of request' });
	});

	it('sends offset pagination headers and links on the request’s own origin, path and query', async () => {
		const response = await get('/projects/acme%2Fapi/merge_requests?state=all&per_page=7&page=2', sim.gitlab.tokens.full);
		expect(response.status).toBe(200);
		expect(await response.json()).toHaveLength(7);
		const headers = Object.fromEntries(['x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages'].map((name) => [name, response.headers.get(name)]));
		expect(headers).toEqual({ 'x-page': '2', 'x-per-page': '7', 'x-next-page': '3', 'x-prev-page': '1', 'x-total': '40', 'x-total-pages': '6' });
		const base = `${sim.gitlab.http}/api/v4/projects/acme%2Fapi/merge_requests?state=all&per_page=7`;
		expect(response.headers.get('link')).toBe(
			[`<${base}&page=1>; rel="prev"`, `<${base}&page=3>; rel="next"`, `<${base}&page=1>; rel="first"`, `<${base}&page=6>; rel="last"`].join(', ')
		);
		const end = await get('/projects/acme%2Fapi/merge_requests?state=all&per_page=7&page=6', sim.gitlab.tokens.full);
		expect(await end.json()).toHaveLength(5);
		expect(end.headers.get('x-next-page')).toBe('');
		expect(end.headers.get('link')).not.toContain('rel="next"');
	});
});

describe('merge requests', () => {
	it('lists every merge request as the stats count them, and those updated after a time', async () => {
		const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
		const truth = (await sim.control.gitlab.stats()).projects.find((p) => p.project === 'acme/api')!;
		const all = await api.MergeRequests.all({ projectId: 'acme/api', orderBy: 'updated_at', sort: 'asc', perPage: 9 });
		expect(all).toHaveLength(truth.mergeRequests);
		expect(new Set(all.map((mr) => mr.iid)).size).toBe(truth.mergeRequests);
		expect(all.filter((mr) => mr.state === 'opened')).toHaveLength(truth.opened);
		expect(all.filter((mr) => mr.state === 'merged')).toHaveLength(truth.merged);
		expect(all.filter((mr) => mr.state === 'closed')).toHaveLength(truth.closed);
		const updated = all.map((mr) => mr.updated_at);
		expect(updated).toEqual([...updated].sort());
		expect(all.every((mr) => mr.project_id === truth.id && mr.web_url === `${sim.gitlab.http}/acme/api/-/merge_requests/${mr.iid}`)).toBe(true);
		expect(all.filter((mr) => mr.state === 'merged').every((mr) => /^[0-9a-f]{40}$/.test(mr.merge_commit_sha ?? '') && mr.merged_at && !mr.closed_at)).toBe(true);

		const middle = updated[Math.floor(updated.length / 2)]!;
		const since = await api.MergeRequests.all({ projectId: 'acme/api', orderBy: 'updated_at', sort: 'asc', updatedAfter: middle, perPage: 9 });
		expect(since.map((mr) => mr.iid)).toEqual(all.filter((mr) => mr.updated_at >= middle).map((mr) => mr.iid));
		expect(since.length).toBeLessThan(all.length);

		const merged = await api.MergeRequests.show('acme/api', all.find((mr) => mr.state === 'merged')!.iid);
		expect(merged.diff_refs.head_sha).toBe(merged.sha);
		expect(await status(api.MergeRequests.show('acme/api', 9999))).toBe(404);
	});

	it('shows review comments as DiffNotes, conversation as notes and reviews as system notes, as the stats count them', async () => {
		const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
		const truth = (await sim.control.gitlab.stats()).projects.find((p) => p.project === 'acme/web')!;
		const counts = { diffNotes: 0, notes: 0, approvals: 0, changesRequested: 0 };
		for (const mr of await api.MergeRequests.all({ projectId: 'acme/web', perPage: 100 })) {
			const notes = await api.MergeRequestNotes.all('acme/web', mr.iid, { sort: 'asc', orderBy: 'created_at' });
			const created = notes.map((n) => n.created_at);
			expect(created).toEqual([...created].sort());
			expect(notes.every((n) => n.noteable_type === 'MergeRequest' && n.noteable_iid === mr.iid && n.noteable_id === mr.id)).toBe(true);
			counts.diffNotes += notes.filter((n) => n.type === 'DiffNote' && !n.system && n.resolvable).length;
			counts.notes += notes.filter((n) => !n.system && n.type !== 'DiffNote').length;
			counts.approvals += notes.filter((n) => n.system && n.body === 'approved this merge request').length;
			counts.changesRequested += notes.filter((n) => n.system && n.body === 'requested changes').length;
			expect(mr.user_notes_count).toBe(notes.filter((n) => !n.system).length);
			const approvals = await api.MergeRequestApprovals.showConfiguration('acme/web', { mergerequestIId: mr.iid });
			const approvers = new Set(notes.filter((n) => n.body === 'approved this merge request').map((n) => n.author.username));
			expect(new Set((approvals.approved_by ?? []).map((a) => a.user.username))).toEqual(approvers);
		}
		expect(counts).toEqual({ diffNotes: truth.diffNotes, notes: truth.notes, approvals: truth.approvals, changesRequested: truth.changesRequested });
		expect(counts.diffNotes).toBeGreaterThan(0);
		expect(counts.approvals).toBeGreaterThan(0);
	});
});

describe('rate limits and faults', () => {
	it('sends RateLimit headers, then 429 Retry later with Retry-After once the budget set through the control API is spent', async () => {
		const token = sim.gitlab.tokens.expiring;
		await sim.control.setRateLimit({ token, limit: 2, resetInSeconds: 30 });
		const first = await get('/user', token);
		expect(first.status).toBe(200);
		expect(first.headers.get('ratelimit-limit')).toBe('2');
		expect(first.headers.get('ratelimit-observed')).toBe('1');
		expect(first.headers.get('ratelimit-remaining')).toBe('1');
		const reset = Number(first.headers.get('ratelimit-reset'));
		expect(reset).toBeGreaterThan(Date.now() / 1000);
		expect(Date.parse(first.headers.get('ratelimit-resettime')!) / 1000).toBe(reset);
		expect((await get('/user', token)).status).toBe(200);
		const spent = await get('/user', token);
		expect(spent.status).toBe(429);
		expect(await spent.text()).toBe('Retry later\n');
		const retryAfter = Number(spent.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(30);
		// Other tokens keep their own budget.
		expect((await get('/user', sim.gitlab.tokens.full)).headers.get('ratelimit-limit')).toBe('2000');
	});

	it('serves GitLab faults on the path after /gitlab/api/v4, without touching GitHub', async () => {
		await sim.control.addFault({ provider: 'gitlab', kind: 'status', status: 503, path: '/projects/*/merge_requests', count: 1 });
		const github = await fetch(`${sim.http}/user`, { headers: { authorization: `token ${sim.tokens.classic}` } });
		expect(github.status).toBe(200);
		const faulty = await get('/projects/acme%2Fapi/merge_requests', sim.gitlab.tokens.full);
		expect(faulty.status).toBe(503);
		expect(await faulty.json()).toEqual({ message: '503 Service Unavailable' });
		expect((await get('/projects/acme%2Fapi/merge_requests', sim.gitlab.tokens.full)).status).toBe(200);

		// gitbeaker retries 502s: a short burst goes unnoticed.
		await sim.control.addFault({ provider: 'gitlab', kind: 'status', status: 502, path: '/user', count: 2 });
		expect((await gitlab(sim.gitlab.http, sim.gitlab.tokens.full).Users.showCurrentUser()).username).toBe('sim-user');
		expect(await sim.control.faults()).toEqual([]);
	});
});

describe('git over HTTP', () => {
	it('clones a project at its full path with the full token: every commit of the World’s repository', async () => {
		const origin = new URL(sim.gitlab.http);
		const dir = path.join(scratch, 'worker');
		await run('git', ['clone', '--quiet', '--mirror', `${origin.protocol}//oauth2:${sim.gitlab.tokens.full}@${origin.host}/gitlab/acme/platform/worker.git`, dir], { env: gitEnv });
		const count = async (gitDir: string) => (await run('git', ['-C', gitDir, 'rev-list', '--all', '--count'], { env: gitEnv })).stdout.trim();
		expect(await count(dir)).toBe(await count(path.join(sim.dataDir, 'git', 'acme', 'worker.git')));
		expect(Number(await count(dir))).toBeGreaterThan(0);
		const [mr] = await gitlab(sim.gitlab.http, sim.gitlab.tokens.full).MergeRequests.all({ projectId: 'acme/platform/worker', perPage: 1, maxPages: 1 });
		await run('git', ['-C', dir, 'cat-file', '-e', `${mr!.sha}^{commit}`], { env: gitEnv });
	});

	it('refuses a token without read_repository, a caller without credentials and a project the token cannot see', async () => {
		const origin = new URL(sim.gitlab.http);
		const url = (token: string, project: string) => `${origin.protocol}//oauth2:${token}@${origin.host}/gitlab/${project}.git`;
		await expect(run('git', ['clone', '--quiet', url(sim.gitlab.tokens.readApiOnly, 'acme/api'), path.join(scratch, 'read-api')], { env: gitEnv })).rejects.toThrow(
			/You are not allowed to download code/
		);
		await expect(run('git', ['clone', '--quiet', url(sim.gitlab.tokens.projectBot, 'globex/api'), path.join(scratch, 'bot')], { env: gitEnv })).rejects.toThrow(/not found/i);
		await expect(run('git', ['clone', '--quiet', `${sim.gitlab.http}/acme/api.git`, path.join(scratch, 'anonymous')], { env: gitEnv })).rejects.toThrow(
			/Authentication failed|could not read Username|401/
		);
		const refs = await fetch(`${sim.gitlab.http}/acme/api.git/info/refs?service=git-upload-pack`);
		expect(refs.status).toBe(401);
		expect(refs.headers.get('www-authenticate')).toBe('Basic realm="GitLab"');
	});
});

describe('webhooks', () => {
	it('delivers push, merge request, note and tag push hooks with GitLab’s headers, and resends one with the same event UUID and idempotency key', async () => {
		const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
		const receiver = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				received.push({ headers: req.headers, body });
				res.writeHead(200).end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/gitlab`;
		try {
			const api = gitlab(sim.gitlab.http, sim.gitlab.tokens.full);
			const project = await api.Projects.show('acme/web');
			const before = (await sim.control.gitlab.stats()).projects.find((p) => p.project === 'acme/web')!;
			const hook = await sim.control.gitlab.registerHook({ project: 'acme/web', url, token: 'a-secret-token', events: ['push', 'tag_push', 'merge_requests', 'note'] });

			const pushed = await sim.control.gitlab.push('acme/web', { commits: 2 });
			expect(pushed.deliveries.map((d) => [d.event, d.statusCode])).toEqual([['Push Hook', 200]]);
			const push = received.at(-1)!;
			expect(push.headers).toMatchObject({
				'content-type': 'application/json',
				'x-gitlab-event': 'Push Hook',
				'x-gitlab-token': 'a-secret-token',
				'x-gitlab-instance': sim.gitlab.http
			});
			expect(push.headers['user-agent']).toMatch(/^GitLab\/17\./);
			for (const name of ['x-gitlab-event-uuid', 'x-gitlab-webhook-uuid', 'idempotency-key']) expect(push.headers[name]).toMatch(/^[0-9a-f-]{36}$/);
			const payload = JSON.parse(push.body) as { object_kind: string; event_name: string; before: string; after: string; ref: string; project_id: number; commits: Array<{ id: string }>; total_commits_count: number; project: { path_with_namespace: string; git_http_url: string } };
			expect(payload).toMatchObject({
				object_kind: 'push',
				event_name: 'push',
				ref: 'refs/heads/main',
				before: pushed.before,
				after: pushed.after,
				project_id: project.id,
				total_commits_count: 2,
				project: { path_with_namespace: 'acme/web', git_http_url: `${sim.gitlab.http}/acme/web.git` }
			});
			expect(payload.commits.map((c) => c.id)).toEqual(pushed.commits.map((c) => c.sha));
			// The pushed commits are really there.
			const origin = new URL(sim.gitlab.http);
			const remote = await run('git', ['ls-remote', `${origin.protocol}//oauth2:${sim.gitlab.tokens.full}@${origin.host}/gitlab/acme/web.git`, 'refs/heads/main'], { env: gitEnv });
			expect(remote.stdout.split('\t')[0]).toBe(pushed.after);

			const opened = await sim.control.gitlab.openMergeRequest('acme/web', { title: 'A change through GitLab' });
			const iid = opened.merge_request.iid;
			const mrHook = received.find((r) => r.headers['x-gitlab-event'] === 'Merge Request Hook')!;
			expect(JSON.parse(mrHook.body)).toMatchObject({ object_kind: 'merge_request', project: { id: project.id }, object_attributes: { iid, action: 'open', state: 'opened' } });
			expect(await api.MergeRequests.show('acme/web', iid)).toMatchObject({ title: 'A change through GitLab', state: 'opened', source_branch: `sim/pull-${iid}` });

			const closed = await sim.control.gitlab.updateMergeRequest('acme/web', iid, { state_event: 'close' });
			expect(closed.deliveries.map((d) => (d.payload as { object_attributes: { action: string } }).object_attributes.action)).toEqual(['close']);
			expect((await api.MergeRequests.show('acme/web', iid)).state).toBe('closed');

			const noted = await sim.control.gitlab.addNote('acme/web', iid, { body: 'Looks done.' });
			expect(received.at(-1)!.headers['x-gitlab-event']).toBe('Note Hook');
			expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ object_kind: 'note', object_attributes: { id: noted.note.id, note: 'Looks done.', noteable_type: 'MergeRequest' }, merge_request: { iid } });
			const notes = await api.MergeRequestNotes.all('acme/web', iid);
			expect(notes.map((n) => [n.body, n.type, n.system])).toEqual([['Looks done.', null, false]]);

			const tagged = await sim.control.gitlab.push('acme/web', { commits: 0, tag: 'sim-release-1' });
			expect(tagged.tag).toEqual({ ref: 'refs/tags/sim-release-1', sha: pushed.after });
			expect(received.at(-1)!.headers['x-gitlab-event']).toBe('Tag Push Hook');
			expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ object_kind: 'tag_push', ref: 'refs/tags/sim-release-1', after: pushed.after, project_id: project.id });

			const after = (await sim.control.gitlab.stats()).projects.find((p) => p.project === 'acme/web')!;
			expect(after).toMatchObject({ mergeRequests: before.mergeRequests + 1, closed: before.closed + 1, notes: before.notes + 1 });

			const [recorded] = (await sim.control.gitlab.deliveries(hook.id)).filter((d) => d.event === 'Push Hook');
			const again = await sim.control.gitlab.redeliver(recorded!.id);
			expect(again).toMatchObject({ redelivery: true, statusCode: 200, eventUuid: recorded!.eventUuid, idempotencyKey: recorded!.idempotencyKey });
			const resent = received.at(-1)!;
			expect(resent.headers['x-gitlab-event-uuid']).toBe(push.headers['x-gitlab-event-uuid']);
			expect(resent.headers['idempotency-key']).toBe(push.headers['idempotency-key']);
			expect(resent.headers['x-gitlab-webhook-uuid']).not.toBe(push.headers['x-gitlab-webhook-uuid']);
			expect(resent.body).toBe(push.body);
		} finally {
			receiver.close();
		}
	});
});
