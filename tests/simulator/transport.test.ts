// What travels outside the REST API: HTTPS with the simulator's own CA, git clones over its smart
// HTTP with a token, and signed webhook deliveries when its data changes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verify } from '@octokit/webhooks-methods';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestError } from 'octokit';
import { github, startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

const run = promisify(execFile);
let sim: RunningSimulator;
let scratch: string;
beforeAll(async () => {
	sim = await startTestSimulator('transport');
	scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-simulator-clones-'));
});
afterAll(async () => {
	await sim?.stop();
	rmSync(scratch, { recursive: true, force: true });
});

describe('HTTPS', () => {
	it('is refused without the simulator’s CA and accepted with it', async () => {
		const untrusting = github(sim.https, sim.tokens.classic, { retry: { enabled: false } });
		const refused = (await untrusting.rest.users.getAuthenticated().catch((e: unknown) => e)) as RequestError;
		expect(refused).toBeInstanceOf(RequestError);
		expect(String((refused as { cause?: { cause?: unknown } }).cause?.cause ?? refused.message)).toMatch(/certificate|self.signed|fetch failed/i);

		const agent = new Agent({ connect: { ca: readFileSync(sim.caFile, 'utf8') } });
		const trusting = github(sim.https, sim.tokens.classic, {
			request: { fetch: (url: string, init: Parameters<typeof undiciFetch>[1]) => undiciFetch(url, { ...init, dispatcher: agent }) }
		});
		const { data } = await trusting.rest.pulls.list({ owner: 'acme', repo: 'api', per_page: 1 });
		expect(data[0]!.url.startsWith(sim.https)).toBe(true);
		await agent.close();
	});
});

describe('git over smart HTTP', () => {
	const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_ASKPASS: '', SSH_ASKPASS: '' };
	const origin = () => new URL(sim.http);

	it('clones a private repository with a token, and its pull requests point at its commits', async () => {
		const url = `${origin().protocol}//x-access-token:${sim.tokens.classic}@${origin().host}/acme/api.git`;
		const dir = path.join(scratch, 'with-token');
		await run('git', ['clone', '--quiet', '--bare', url, dir], { env });
		const pull = (await github(sim.http, sim.tokens.classic).rest.pulls.get({ owner: 'acme', repo: 'api', pull_number: 1 })).data;
		await run('git', ['-C', dir, 'cat-file', '-e', `${pull.head.sha}^{commit}`], { env });
		await run('git', ['-C', dir, 'cat-file', '-e', `${pull.base.sha}^{commit}`], { env });
	});

	it('refuses a clone without a token, and with a token that lacks the repository', async () => {
		await expect(run('git', ['clone', '--quiet', `${sim.http}/acme/api.git`, path.join(scratch, 'anonymous')], { env })).rejects.toThrow(/Authentication failed|could not read Username|401/);
		const limited = `${origin().protocol}//x-access-token:${sim.tokens.fineGrained}@${origin().host}/globex/api.git`;
		await expect(run('git', ['clone', '--quiet', limited, path.join(scratch, 'other-org')], { env })).rejects.toThrow(/not found|404/i);
		const response = await fetch(`${sim.http}/acme/api.git/info/refs?service=git-upload-pack`);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toBe('Basic realm="GitHub"');
	});

	it('never serves pushes or paths outside the known repositories', async () => {
		const auth = { authorization: `Basic ${Buffer.from(`x:${sim.tokens.classic}`).toString('base64')}` };
		expect((await fetch(`${sim.http}/acme/api.git/info/refs?service=git-receive-pack`, { headers: auth })).status).toBe(403);
		expect((await fetch(`${sim.http}/acme/..%2F..%2Fetc.git/info/refs?service=git-upload-pack`, { headers: auth })).status).not.toBe(200);
		expect((await fetch(`${sim.http}/acme/--upload-pack=touch.git/info/refs?service=git-upload-pack`, { headers: auth })).status).toBe(404);
	});
});

describe('webhooks', () => {
	it('delivers a signed push when commits are pushed, and redelivers it with the same delivery id', async () => {
		const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
		const receiver = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				received.push({ headers: req.headers, body });
				res.writeHead(202).end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/github`;
		try {
			const secret = 'It’s a secret to everybody';
			const { hook, ping } = await sim.control.registerHook({ owner: 'acme', repo: 'web', url, secret, events: ['push', 'pull_request', 'pull_request_review'] });
			expect(ping).toMatchObject({ event: 'ping', statusCode: 202 });

			const pushed = await sim.control.push('acme/web', { commits: 2 });
			expect(pushed.commits).toHaveLength(2);
			const delivery = received.at(-1)!;
			expect(delivery.headers).toMatchObject({ 'x-github-event': 'push', 'x-github-hook-id': String(hook.id) });
			expect(delivery.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
			expect(delivery.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
			expect(await verify(secret, delivery.body, String(delivery.headers['x-hub-signature-256']))).toBe(true);
			expect(await verify('another secret', delivery.body, String(delivery.headers['x-hub-signature-256']))).toBe(false);
			const payload = JSON.parse(delivery.body) as { ref: string; before: string; after: string; commits: Array<{ id: string }>; repository: { full_name: string } };
			expect(payload).toMatchObject({ ref: 'refs/heads/main', before: pushed.before, after: pushed.after, repository: { full_name: 'acme/web' } });
			expect(payload.commits.map((c) => c.id)).toEqual(pushed.commits.map((c) => c.sha));

			// The pushed commits are really in the repository.
			const dir = path.join(scratch, 'after-push');
			await run('git', ['clone', '--quiet', '--bare', `${sim.http}/acme/web.git`, dir], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
			expect((await run('git', ['-C', dir, 'rev-parse', 'main'])).stdout.trim()).toBe(pushed.after);

			const [recorded] = (await sim.control.deliveries(hook.id)).filter((d) => d.event === 'push');
			const again = await sim.control.redeliver(recorded!.id);
			expect(again).toMatchObject({ guid: recorded!.guid, redelivery: true, statusCode: 202 });
			expect(received.at(-1)!.headers['x-github-delivery']).toBe(delivery.headers['x-github-delivery']);
			expect(received.at(-1)!.body).toBe(delivery.body);
		} finally {
			receiver.close();
		}
	});

	it('opens, reviews and merges a pull request, visible in the API and the stats', async () => {
		const before = await sim.control.stats();
		const opened = await sim.control.openPull('acme/web', { title: 'A change from the control API', commits: 2 });
		const number = opened.pull.number;
		await sim.control.addReview('acme/web', number, { state: 'APPROVED', user: 'li-lei' });
		const merged = await sim.control.mergePull('acme/web', number);
		expect(merged.pull).toMatchObject({ merged: true, state: 'closed' });
		const octokit = github(sim.http, sim.tokens.classic);
		const { data } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'web', pull_number: number });
		expect(data).toMatchObject({ title: 'A change from the control API', merged: true, merge_commit_sha: merged.pull.merge_commit_sha });
		const reviews = await octokit.rest.pulls.listReviews({ owner: 'acme', repo: 'web', pull_number: number });
		expect(reviews.data.map((r) => [r.state, r.user?.login])).toEqual([['APPROVED', 'li-lei']]);
		const after = await sim.control.stats();
		expect(after.pullRequests).toBe(before.pullRequests + 1);
		expect(after.reviews).toBe(before.reviews + 1);
		const events = (await sim.control.deliveries()).map((d) => `${d.event}.${d.action ?? ''}`);
		expect(events).toEqual(expect.arrayContaining(['pull_request.opened', 'pull_request_review.submitted', 'pull_request.closed']));
	});
});
