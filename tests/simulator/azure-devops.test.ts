// The simulated Azure DevOps (under /azure-devops, in the same process as GitHub) as its field
// client (azure-devops-node-api) and raw HTTP see it: PATs and their refusals, connectionData,
// projects with continuation tokens, repositories, pull requests and threads, throttling, faults,
// git over HTTP and service hooks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import { PullRequestStatus } from 'azure-devops-node-api/interfaces/GitInterfaces';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import type { AzList, AzProject, AzPullRequest, AzRepository, AzThread } from '../../simulator/azure-devops/types.ts';

const run = promisify(execFile);
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_ASKPASS: '', SSH_ASKPASS: '' };
let sim: RunningSimulator;
let scratch: string;
let acme: string;
beforeAll(async () => {
	sim = await startTestSimulator('azure-devops');
	scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-simulator-azure-'));
	acme = `${sim.azureDevOps.http}/acme`;
});
afterEach(() => sim.control.clearFaults());
afterAll(async () => {
	await sim?.stop();
	rmSync(scratch, { recursive: true, force: true });
});

const basic = (pat: string, user = '') => `Basic ${Buffer.from(`${user}:${pat}`).toString('base64')}`;

/** A raw GET under the organisation URL, with `api-version=7.1` unless the path has one. */
function get(path: string, pat?: string, headers: Record<string, string> = {}): Promise<Response> {
	const versioned = path.includes('api-version=') ? path : `${path}${path.includes('?') ? '&' : '?'}api-version=7.1`;
	return fetch(`${acme}${versioned}`, { headers: { ...(pat ? { authorization: basic(pat) } : {}), ...headers } });
}

async function json<T>(response: Response): Promise<T> {
	expect(response.status).toBe(200);
	return (await response.json()) as T;
}

const encode = (name: string) => encodeURIComponent(name);

describe('credentials', () => {
	it('accepts the full PAT with any username and names the caller in X-VSS-UserData', async () => {
		const response = await get('/_apis/projects', sim.azureDevOps.tokens.full);
		expect(response.status).toBe(200);
		expect(response.headers.get('x-vss-userdata')).toMatch(/^[0-9a-f-]{36}:sim-user@example\.com$/);
		const withUser = await fetch(`${acme}/_apis/projects?api-version=7.1`, { headers: { authorization: basic(sim.azureDevOps.tokens.full, 'anything') } });
		expect(withUser.status).toBe(200);
		expect(sim.azureDevOps.tokens.full).toMatch(/^[a-z2-7]{52}$/);
	});

	it('answers a call without credentials with 203 and the sign-in page', async () => {
		const response = await get('/_apis/projects');
		expect(response.status).toBe(203);
		expect(response.headers.get('content-type')).toMatch(/^text\/html/);
		expect(await response.text()).toContain('Sign In');
	});

	it('refuses unknown, expired and revoked PATs with 401 and Azure DevOps’s bodies', async () => {
		const unknown = await get('/_apis/projects', 'a'.repeat(52));
		expect(unknown.status).toBe(401);
		expect(unknown.headers.get('www-authenticate')).toContain('Basic realm=');
		expect(await unknown.json()).toMatchObject({ typeKey: 'UnauthorizedRequestException', message: expect.stringMatching(/^TF400813/) });

		const expired = await get('/_apis/projects', sim.azureDevOps.tokens.expired);
		expect(expired.status).toBe(401);
		expect(await expired.json()).toMatchObject({ message: 'Access Denied: The Personal Access Token used has expired.', typeKey: 'AccessCheckException', eventId: 3000 });
		expect(decodeURIComponent(expired.headers.get('x-tfs-serviceerror')!)).toBe('Access Denied: The Personal Access Token used has expired.');

		const revoked = await get('/_apis/projects', sim.azureDevOps.tokens.revoked);
		expect(revoked.status).toBe(401);
		expect(await revoked.json()).toMatchObject({ message: 'Access Denied: The Personal Access Token used has been revoked.', typeKey: 'AccessCheckException' });
	});

	it('refuses code routes to a PAT without vso.code, naming the scope', async () => {
		const noCode = sim.azureDevOps.tokens.noCode;
		expect((await get('/_apis/projects', noCode)).status).toBe(200);
		const refused = await get('/_apis/git/repositories', noCode);
		expect(refused.status).toBe(401);
		expect(((await refused.json()) as { message: string }).message).toContain('vso.code');
	});

	it('requires api-version, from the query or the Accept header', async () => {
		const missing = await fetch(`${acme}/_apis/projects`, { headers: { authorization: basic(sim.azureDevOps.tokens.full) } });
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ typeKey: 'VssVersionNotSpecifiedException', message: expect.stringMatching(/^No api-version was supplied for the "GET" request/) });
		const header = await fetch(`${acme}/_apis/projects`, { headers: { authorization: basic(sim.azureDevOps.tokens.full), accept: 'application/json;api-version=7.1-preview.4' } });
		expect(header.status).toBe(200);
		const future = await get('/_apis/projects?api-version=9.0', sim.azureDevOps.tokens.full);
		expect(future.status).toBe(400);
		expect(await future.json()).toMatchObject({ typeKey: 'VssVersionOutOfRangeException' });
	});
});

describe('identity, projects and repositories', () => {
	it('answers connectionData with the PAT’s user, and the anonymous identity without one', async () => {
		const connection = new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full));
		const data = await connection.connect();
		expect(data.authenticatedUser).toMatchObject({ providerDisplayName: 'Sam Simulator', isActive: true, properties: { Account: { $value: 'sim-user@example.com' } } });
		expect(data.authorizedUser?.id).toBe(data.authenticatedUser?.id);
		const anonymous = (await json<{ authenticatedUser: { providerDisplayName: string; descriptor: string } }>(await fetch(`${acme}/_apis/connectionData`))).authenticatedUser;
		expect(anonymous.providerDisplayName).toBe('Anonymous');
		expect(anonymous.descriptor).toMatch(/^System:PublicAccess;/);
	});

	it('pages projects with $top and continuation tokens to the end', async () => {
		const names: string[] = [];
		let token: string | null = null;
		let pages = 0;
		do {
			const response = await get(`/_apis/projects?$top=1${token ? `&continuationToken=${token}` : ''}`, sim.azureDevOps.tokens.full);
			const page = await json<AzList<AzProject>>(response);
			expect(page.count).toBe(page.value.length);
			names.push(...page.value.map((p) => p.name!));
			token = response.headers.get('x-ms-continuationtoken');
			pages++;
		} while (token);
		expect(pages).toBe(2);
		expect(names.sort()).toEqual(sim.azureDevOps.projects.filter((p) => p.startsWith('acme/')).map((p) => p.slice('acme/'.length)).sort());
		expect(sim.azureDevOps.projects).toEqual(['acme/Acme Inc', 'acme/Platform', 'globex/Globex Inc', 'globex/Platform']);

		// The field client reads the same list (it discovers its routes with OPTIONS).
		const core = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getCoreApi();
		const projects = await core.getProjects();
		expect(projects.map((p) => p.name).sort()).toEqual(['Acme Inc', 'Platform']);
		const one = await json<AzProject>(await get(`/_apis/projects/${encode('Acme Inc')}`, sim.azureDevOps.tokens.full));
		expect(one).toMatchObject({ name: 'Acme Inc', state: 'wellFormed', visibility: 'private' });
		expect(one.id).toBe(projects.find((p) => p.name === 'Acme Inc')!.id);
		expect((await get('/_apis/projects/Nope', sim.azureDevOps.tokens.full)).status).toBe(404);
	});

	it('lists repositories per organisation and project, with remote URLs and disabled (archived) ones', async () => {
		const all = await json<AzList<AzRepository>>(await get('/_apis/git/repositories', sim.azureDevOps.tokens.full));
		expect(all.value.map((r) => `${r.project.name}/${r.name}`).sort()).toEqual(['Acme Inc/api', 'Acme Inc/web', 'Platform/worker']);
		const platform = await json<AzList<AzRepository>>(await get('/Platform/_apis/git/repositories', sim.azureDevOps.tokens.full));
		expect(platform.value).toHaveLength(1);
		const worker = platform.value[0]!;
		const origin = new URL(sim.azureDevOps.http);
		expect(worker).toMatchObject({ name: 'worker', isDisabled: true, defaultBranch: 'refs/heads/main', remoteUrl: `http://acme@${origin.host}/azure-devops/acme/Platform/_git/worker` });
		const api = await json<AzRepository>(await get(`/${encode('Acme Inc')}/_apis/git/repositories/api`, sim.azureDevOps.tokens.full));
		expect(api.remoteUrl).toBe(`http://acme@${origin.host}/azure-devops/acme/Acme%20Inc/_git/api`);
		expect((await json<AzRepository>(await get(`/_apis/git/repositories/${api.id}`, sim.azureDevOps.tokens.full))).name).toBe('api');
		expect((await get(`/${encode('Acme Inc')}/_apis/git/repositories/nope`, sim.azureDevOps.tokens.full)).status).toBe(404);
	});
});

describe('pull requests and threads', () => {
	it('filters by status (active by default), pages with $top and $skip, newest first, as the stats count', async () => {
		const truth = (await sim.control.azureDevOps.stats()).repositories.find((r) => r.repository === 'acme/Acme Inc/api')!;
		const base = `/${encode('Acme Inc')}/_apis/git/repositories/api/pullrequests`;
		const active = await json<AzList<AzPullRequest>>(await get(base, sim.azureDevOps.tokens.full));
		expect(active.count).toBe(truth.active);
		expect(active.value.every((pr) => pr.status === 'active')).toBe(true);
		const all: AzPullRequest[] = [];
		for (let skip = 0; ; skip += 7) {
			const page = await json<AzList<AzPullRequest>>(await get(`${base}?searchCriteria.status=all&$top=7&$skip=${skip}`, sim.azureDevOps.tokens.full));
			all.push(...page.value);
			if (page.count < 7) break;
		}
		expect(all).toHaveLength(truth.pullRequests);
		const created = all.map((pr) => pr.creationDate!);
		expect(created).toEqual([...created].sort().reverse());
		expect(all.filter((pr) => pr.status === 'completed')).toHaveLength(truth.completed);
		expect(all.filter((pr) => pr.status === 'abandoned')).toHaveLength(truth.abandoned);
		expect(all.filter((pr) => pr.isDraft)).toHaveLength(truth.drafts);
		expect(all.filter((pr) => pr.status === 'completed').every((pr) => /^[0-9a-f]{40}$/.test(pr.lastMergeCommit?.commitId ?? '') && pr.closedDate)).toBe(true);
		const completed = await json<AzList<AzPullRequest>>(await get(`${base}?searchCriteria.status=completed`, sim.azureDevOps.tokens.full));
		expect(completed.count).toBe(truth.completed);
		const middle = created[Math.floor(created.length / 2)]!;
		const since = await json<AzList<AzPullRequest>>(await get(`${base}?searchCriteria.status=all&searchCriteria.minTime=${encodeURIComponent(middle)}`, sim.azureDevOps.tokens.full));
		expect(since.value.map((pr) => pr.pullRequestId)).toEqual(all.filter((pr) => pr.creationDate! >= middle).map((pr) => pr.pullRequestId));

		// The field client, typed.
		const git = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getGitApi();
		const typed = await git.getPullRequests('api', { status: PullRequestStatus.Completed }, 'Acme Inc');
		expect(typed).toHaveLength(truth.completed);
		expect(typed[0]!.creationDate).toBeInstanceOf(Date);
		const one = await git.getPullRequest('api', typed[0]!.pullRequestId!, 'Acme Inc');
		expect(one.title).toBe(typed[0]!.title);
	});

	it('shows review comments as threads on files, conversation as text threads and votes as VoteUpdate threads, as the stats count', async () => {
		const truth = (await sim.control.azureDevOps.stats()).repositories.find((r) => r.repository === 'acme/Acme Inc/web')!;
		const base = `/${encode('Acme Inc')}/_apis/git/repositories/web/pullRequests`;
		const prs = await json<AzList<AzPullRequest>>(await get(`${base}?searchCriteria.status=all&$top=1000`, sim.azureDevOps.tokens.full));
		const counts = { reviewThreads: 0, commentThreads: 0, approvals: 0, waitingForAuthor: 0 };
		let votes = 0;
		for (const pr of prs.value) {
			const threads = await json<AzList<AzThread>>(await get(`${base}/${pr.pullRequestId}/threads`, sim.azureDevOps.tokens.full));
			counts.reviewThreads += threads.value.filter((t) => t.threadContext?.filePath).length;
			counts.commentThreads += threads.value.filter((t) => !t.threadContext && t.comments[0]!.commentType === 'text').length;
			votes += threads.value.filter((t) => t.properties?.CodeReviewThreadType?.$value === 'VoteUpdate').length;
			counts.approvals += pr.reviewers.filter((r) => r.vote! >= 5).length;
			counts.waitingForAuthor += pr.reviewers.filter((r) => r.vote === -5).length;
			for (const thread of threads.value) expect(thread.comments[0]!.parentCommentId).toBe(0);
		}
		expect(counts).toEqual({ reviewThreads: truth.reviewThreads, commentThreads: truth.commentThreads, approvals: truth.approvals, waitingForAuthor: truth.waitingForAuthor });
		expect(counts.reviewThreads).toBeGreaterThan(0);
		expect(votes).toBeGreaterThan(0);
	});
});

describe('throttling and faults', () => {
	it('sends X-RateLimit headers near the end of the budget, then 429 with Retry-After, and a fresh budget after the reset', async () => {
		const token = sim.azureDevOps.tokens.noCode;
		const window = await sim.control.setRateLimit({ token, limit: 10, remaining: 2, resetInSeconds: 2 });
		expect(window.key).toMatch(/^azure-devops:/);
		const near = await get('/_apis/projects', token);
		expect(near.status).toBe(200);
		expect(near.headers.get('x-ratelimit-limit')).toBe('10');
		expect(near.headers.get('x-ratelimit-remaining')).toBe('1');
		expect(near.headers.get('x-ratelimit-resource')).toBeTruthy();
		expect(near.headers.get('x-ratelimit-delay')).not.toBeNull();
		expect(Number(near.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
		expect((await get('/_apis/projects', token)).status).toBe(200);
		const blocked = await get('/_apis/projects', token);
		expect(blocked.status).toBe(429);
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(blocked.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(((await blocked.json()) as { message: string }).message).toMatch(/^TF400733/);
		// Other PATs keep their own budget; this one gets a fresh one after the reset.
		expect((await get('/_apis/projects', sim.azureDevOps.tokens.full)).headers.get('x-ratelimit-limit')).toBeNull();
		await new Promise((resolve) => setTimeout(resolve, 2_100));
		const fresh = await get('/_apis/projects', token);
		expect(fresh.status).toBe(200);
		expect(fresh.headers.get('x-ratelimit-limit')).toBeNull();
	});

	it('serves Azure DevOps faults on the path after /azure-devops only', async () => {
		await sim.control.addFault({ provider: 'azure-devops', kind: 'status', status: 503, path: '/acme/*/_apis/git/repositories', count: 1 });
		const github = await fetch(`${sim.http}/user`, { headers: { authorization: `token ${sim.tokens.classic}` } });
		expect(github.status).toBe(200);
		const faulty = await get('/Platform/_apis/git/repositories', sim.azureDevOps.tokens.full);
		expect(faulty.status).toBe(503);
		expect((await get('/Platform/_apis/git/repositories', sim.azureDevOps.tokens.full)).status).toBe(200);
		expect(await sim.control.faults()).toEqual([]);
	});
});

describe('git over HTTP', () => {
	it('clones with a PAT at the project’s _git URL, and refuses no credentials or a PAT without vso.code', async () => {
		const origin = new URL(sim.azureDevOps.http);
		const url = (pat: string) => `${origin.protocol}//acme:${pat}@${origin.host}/azure-devops/acme/Platform/_git/worker`;
		const dir = path.join(scratch, 'worker');
		await run('git', ['clone', '--quiet', '--mirror', url(sim.azureDevOps.tokens.full), dir], { env: gitEnv });
		const count = async (gitDir: string) => (await run('git', ['-C', gitDir, 'rev-list', '--all', '--count'], { env: gitEnv })).stdout.trim();
		expect(await count(dir)).toBe(await count(path.join(sim.dataDir, 'git', 'acme', 'worker.git')));
		await expect(run('git', ['clone', '--quiet', url(sim.azureDevOps.tokens.noCode), path.join(scratch, 'no-code')], { env: gitEnv })).rejects.toThrow(/vso\.code|401|Authentication failed/);
		const refs = await fetch(`${sim.azureDevOps.http}/acme/Platform/_git/worker/info/refs?service=git-upload-pack`);
		expect(refs.status).toBe(401);
		expect(refs.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
	});
});

describe('service hooks', () => {
	it('delivers push, pull request and comment events with basic auth, and resends one with the same event id', async () => {
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
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/azure`;
		try {
			const repository = 'acme/Acme Inc/web';
			const control = sim.control.azureDevOps;
			const before = (await control.stats()).repositories.find((r) => r.repository === repository)!;
			const auth = { username: 'tributary', password: 's3cret' };
			const pushes = await control.subscribe({ project: 'acme/Acme Inc', url, eventType: 'git.push', ...auth });
			const created = await control.subscribe({ project: 'acme/Acme Inc', url, eventType: 'git.pullrequest.created', repository: 'web', ...auth });
			await control.subscribe({ project: 'acme/Acme Inc', url, eventType: 'git.pullrequest.updated', ...auth });
			await control.subscribe({ project: 'acme/Acme Inc', url, eventType: 'ms.vss-code.git-pullrequest-comment-event', ...auth });

			const pushed = await control.push(repository, { commits: 2 });
			expect(pushed.deliveries.map((d) => [d.eventType, d.statusCode])).toEqual([['git.push', 200]]);
			const push = received.at(-1)!;
			expect(push.headers.authorization).toBe(`Basic ${Buffer.from('tributary:s3cret').toString('base64')}`);
			const payload = JSON.parse(push.body) as { subscriptionId: string; notificationId: number; id: string; eventType: string; publisherId: string; resource: { refUpdates: Array<{ name: string; newObjectId: string }>; commits: Array<{ commitId: string }>; repository: { name: string } }; resourceContainers: { project: { id: string } } };
			expect(payload).toMatchObject({ subscriptionId: pushes.id, eventType: 'git.push', publisherId: 'tfs', resource: { refUpdates: [{ name: 'refs/heads/main', newObjectId: pushed.after }], repository: { name: 'web' } } });
			expect(payload.resource.commits.map((c) => c.commitId).sort()).toEqual(pushed.commits.map((c) => c.sha).sort());
			expect(payload.resourceContainers.project.id).toBe(pushes.projectId);
			// The pushed commits are really there.
			const origin = new URL(sim.azureDevOps.http);
			const remote = await run('git', ['ls-remote', `${origin.protocol}//x:${sim.azureDevOps.tokens.full}@${origin.host}/azure-devops/acme/Acme%20Inc/_git/web`, 'refs/heads/main'], { env: gitEnv });
			expect(remote.stdout.split('\t')[0]).toBe(pushed.after);

			const opened = await control.openPullRequest(repository, { title: 'A change through Azure DevOps' });
			const id = opened.pullRequest.pullRequestId!;
			expect(opened.deliveries.map((d) => d.eventType)).toEqual(['git.push', 'git.pullrequest.created']);
			expect(opened.deliveries[1]!.subscriptionId).toBe(created.id);
			const pr = await json<AzPullRequest>(await get(`/${encode('Acme Inc')}/_apis/git/repositories/web/pullrequests/${id}`, sim.azureDevOps.tokens.full));
			expect(pr).toMatchObject({ title: 'A change through Azure DevOps', status: 'active', sourceRefName: `refs/heads/sim/pull-${id}` });

			const voted = await control.vote(repository, id, { vote: -10, user: 'li-lei' });
			expect(voted.pullRequest.reviewers.map((r) => [r.uniqueName, r.vote])).toEqual([['li-lei@example.com', -10]]);
			await control.addComment(repository, id, { body: 'Looks done.' });
			expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ eventType: 'ms.vss-code.git-pullrequest-comment-event', resource: { comment: { content: 'Looks done.' }, pullRequest: { pullRequestId: id } } });
			const abandoned = await control.updatePullRequest(repository, id, { status: 'abandoned' });
			expect(abandoned.deliveries.map((d) => d.eventType)).toEqual(['git.pullrequest.updated']);
			expect(abandoned.pullRequest.status).toBe('abandoned');
			const threads = await json<AzList<AzThread>>(await get(`/${encode('Acme Inc')}/_apis/git/repositories/web/pullRequests/${id}/threads`, sim.azureDevOps.tokens.full));
			expect(threads.value.map((t) => [t.comments[0]!.commentType, t.comments[0]!.content])).toEqual([
				['system', '李雷 voted -10'],
				['text', 'Looks done.']
			]);

			const after = (await control.stats()).repositories.find((r) => r.repository === repository)!;
			expect(after).toMatchObject({ pullRequests: before.pullRequests + 1, abandoned: before.abandoned + 1, commentThreads: before.commentThreads + 1 });
			// GitHub sees the same pull request.
			const github = await fetch(`${sim.http}/repos/acme/web/pulls/${id}`, { headers: { authorization: `token ${sim.tokens.classic}` } });
			expect(((await github.json()) as { title: string; state: string }).state).toBe('closed');

			const [first] = await control.deliveries(pushes.id);
			const again = await control.redeliver(first!.id);
			expect(again).toMatchObject({ redelivery: true, statusCode: 200, eventId: first!.eventId });
			expect(again.notificationId).not.toBe(first!.notificationId);
			const resent = JSON.parse(received.at(-1)!.body) as { id: string; notificationId: number };
			expect(resent.id).toBe(payload.id);
			expect(resent.notificationId).toBe(again.notificationId);
			expect(received.at(-1)!.headers.authorization).toBe(push.headers.authorization);
		} finally {
			receiver.close();
		}
	});
});
