// A repository URL is typed by a person, and the server connects wherever it says. These tests
// hold that it cannot be used to look inside the network Tributary runs in, to carry a token to
// another host, to read another integration's copy on disk, or to test without end; and that SSH
// keys a killed process leaves behind do not outlive the next worker start.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/engines/ports.ts';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import { syncMirror } from '#core/git/mirror.ts';
import type { GitSettings } from '#core/git/run-git.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.ts';
import {
	createTestSystem,
	demoUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

const root = path.resolve(import.meta.dirname, '../..');
let tmp: string;
let served: string;
let listed: string;
let other: string;
let system: TestSystem;
let web: RunningWeb;
let manager: string;
let deleter: string;
let admin: string;
let globexAdmin: string;

/** An HTTP server that answers nothing useful and counts who connected to it. */
async function startProbe(): Promise<{ port: number; connections: () => number; stop: () => Promise<void> }> {
	let connections = 0;
	const server = http.createServer((_request, response) => response.writeHead(404).end());
	server.on('connection', () => connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		connections: () => connections,
		stop: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

beforeAll(async () => {
	tmp = mkdtempSync(path.join(os.tmpdir(), 'tributary-urls-'));
	served = path.join(tmp, 'served');
	listed = path.join(tmp, 'demo', 'acme-service');
	other = path.join(tmp, 'elsewhere');
	await Promise.all([
		generateRepository(path.join(served, 'app.git'), { commits: 30, branches: 2, tags: 2, seed: 3, bare: true }),
		generateRepository(listed, { commits: 40, branches: 2, tags: 3, seed: 4 }),
		generateRepository(other, { commits: 10, branches: 1, tags: 1, seed: 5 })
	]);
	// The server's own rules (https and ssh), plus one listed local repository, as a server on
	// embedded defaults lists the demo integration's own.
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,http', TRIBUTARY_GIT_LOCAL_REPOS: listed });
	const demo = await system.seedDemo();
	web = await system.startWeb();
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
	admin = await signIn(web.url, 'admin@acme.example', demoUser(demo, 'admin@acme.example').password);
	globexAdmin = await signIn(web.url, 'admin@globex.example', demoUser(demo, 'admin@globex.example').password);
});
afterAll(async () => {
	await system?.stop();
	if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const strict = (): GitSettings => ({ gitAllowedSchemes: ['https', 'http', 'ssh', 'git'], gitMirrorDir: path.join(tmp, 'mirrors') });

describe('testing a URL', () => {
	it('refuses loopback, private, link-local and metadata addresses before connecting, the same for open and closed ports', async () => {
		const probe = await startProbe();
		const closed = await freePort();
		try {
			const inside = [
				`http://127.0.0.1:${probe.port}/team/app.git`,
				`http://localhost:${probe.port}/team/app.git`,
				`http://2130706433:${probe.port}/team/app.git`,
				`http://[::ffff:127.0.0.1]:${probe.port}/team/app.git`,
				`git://127.0.0.1:${probe.port}/team/app.git`,
				`ssh://git@127.0.0.1:${probe.port}/team/app.git`,
				'http://169.254.169.254/latest/meta-data.git',
				'https://100.100.100.200/team/app.git',
				'https://10.1.2.3/team/app.git',
				'https://172.16.0.1/team/app.git',
				'https://192.168.1.1/team/app.git',
				'https://0.0.0.0/team/app.git',
				'ssh://git@[::1]/team/app.git',
				'ssh://git@[fd00:ec2::254]/team/app.git',
				'https://[fe80::1]/team/app.git'
			];
			for (const url of inside) {
				const result = await testRepository(url, { method: 'none' }, strict());
				expect(result, url).toMatchObject({ ok: false, reason: 'other', message: expect.stringMatching(/inside a private network/) });
			}
			const open = await testRepository(`https://127.0.0.1:${probe.port}/team/app.git`, { method: 'none' }, strict());
			const shut = await testRepository(`https://127.0.0.1:${closed}/team/app.git`, { method: 'none' }, strict());
			expect(open).toEqual(shut);
			expect(JSON.stringify(open)).not.toContain(String(probe.port));
			expect(probe.connections()).toBe(0);
		} finally {
			await probe.stop();
		}
	});

	it('reaches a private network an administrator allowed', async () => {
		const probe = await startProbe();
		try {
			const result = await testRepository(`http://127.0.0.1:${probe.port}/team/app.git`, { method: 'none' }, { ...strict(), gitPrivateNetworks: ['127.0.0.0/8'] });
			expect(result).toMatchObject({ ok: false, reason: 'repository-not-found' });
			expect(probe.connections()).toBeGreaterThan(0);
		} finally {
			await probe.stop();
		}
	});

	it('refuses the same through the add form, and saves nothing', async () => {
		const probe = await startProbe();
		try {
			const refused = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Inside', urls: `http://127.0.0.1:${probe.port}/app.git`, authMethod: 'none' }, manager);
			expect(refused.status).toBe(400);
			expect(JSON.stringify(refused.data)).toMatch(/inside a private network/);
			expect(probe.connections()).toBe(0);
			expect(await system.database.db.selectFrom('integrations').select('id').where('name', '=', 'Inside').execute()).toEqual([]);
		} finally {
			await probe.stop();
		}
	});
});

describe('a redirect', () => {
	let target: GitHttpServer;
	let redirector: http.Server;
	let redirecting: string;
	const loopback = (): GitSettings => ({ ...strict(), gitPrivateNetworks: ['127.0.0.0/8', '::1'] });
	const token = `tok-${crypto.randomUUID()}`;

	beforeAll(async () => {
		// A public-looking git server on another host name, and a server that sends everything there.
		target = await startGitHttpServer(served);
		redirector = http.createServer((request, response) => response.writeHead(301, { location: `http://localhost:${target.port}${request.url}` }).end());
		await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
		redirecting = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/app.git`;
	});
	afterAll(async () => {
		await target?.stop();
		redirector?.close();
	});

	it('is not followed when testing: the token reaches only the host typed', async () => {
		const result = await testRepository(redirecting, { method: 'https-token', username: 'me', token }, loopback());
		expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/redirect/) });
		expect(target.requests).toEqual([]);
	});

	it('is not followed when fetching', async () => {
		await expect(syncMirror('redirected', redirecting, { method: 'https-token', username: 'me', token }, loopback())).rejects.toThrow(/redirect/);
		expect(target.requests).toEqual([]);
	});
});

describe('a huge list of branches and tags', () => {
	it('is read as it streams and refused past its cap, never held whole', { timeout: 120_000 }, async () => {
		// A smart-HTTP server whose advertisement runs to ~80 MB: far more refs than any real repository.
		const sha = 'a'.repeat(40);
		const pkt = (line: string) => (line.length + 4).toString(16).padStart(4, '0') + line;
		const name = 'x'.repeat(180);
		const server = http.createServer((request, response) => {
			response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement', 'cache-control': 'no-cache' });
			response.write(pkt('# service=git-upload-pack\n') + '0000');
			response.write(pkt(`${sha} refs/heads/main\0report-status\n`));
			let sent = 0;
			const more = () => {
				while (sent < 360_000) {
					const batch = Array.from({ length: 1000 }, (_, i) => pkt(`${sha} refs/tags/${name}-${sent + i}\n`)).join('');
					sent += 1000;
					if (!response.write(batch)) return void response.once('drain', more);
				}
				response.end('0000');
			};
			more();
			request.on('close', () => (sent = Infinity));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as AddressInfo).port;
			const result = await testRepository(`http://127.0.0.1:${port}/huge.git`, { method: 'none' }, { ...strict(), gitPrivateNetworks: ['127.0.0.1'] });
			expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/more than 64 MB of branches and tags/) });
		} finally {
			server.closeAllConnections();
			server.close();
		}
	});
});

describe('local paths', () => {
	it('are refused unless the server allows file://, but for the repositories it lists', async () => {
		const refused = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Elsewhere', urls: `file://${other}`, authMethod: 'none' }, manager);
		expect(refused.status).toBe(400);
		expect(JSON.stringify(refused.data)).toMatch(/Local paths and file:\/\/ URLs are not allowed/);
		expect(await testRepository(`file://${other}`, { method: 'none' }, { ...strict(), gitLocalRepositories: [listed] })).toMatchObject({ ok: false });
		expect(await testRepository(`file://${listed}`, { method: 'none' }, { ...strict(), gitLocalRepositories: [listed] })).toMatchObject({ ok: true });
	});
});

describe('SSH keys and the worker', () => {
	it('removes at start the key files a killed process left, and keeps those of running ones', { timeout: 120_000 }, async () => {
		const mirrors = system.env.TRIBUTARY_GIT_MIRRORS!;
		const keys = path.join(mirrors, '.keys');
		// An SSH server that never says a word: git waits, its key on disk, until the process is killed.
		const held = new Set<net.Socket>();
		const silent = net.createServer((socket) => held.add(socket));
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const script = `
			import { testRepository } from ${JSON.stringify(path.join(root, 'core/git/ls-remote.ts'))};
			await testRepository('ssh://git@127.0.0.1:${(silent.address() as AddressInfo).port}/team/app.git', { method: 'ssh-key', privateKey: 'not really a key' },
				{ gitAllowedSchemes: ['ssh'], gitMirrorDir: ${JSON.stringify(mirrors)}, gitPrivateNetworks: ['127.0.0.1'] });`;
		const killed = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
		try {
			const left = await waitFor('the key file', async () => existsSync(keys) && readdirSync(keys).find((name) => name.includes(`-${killed.pid}-`)));
			killed.kill('SIGKILL');
			await new Promise((resolve) => killed.once('exit', resolve));
			// A web process testing a key right now: its file must stay.
			mkdirSync(keys, { recursive: true });
			const running = `key-${process.pid}-still-in-use`;
			writeFileSync(path.join(keys, running), 'key of a running process', { mode: 0o600 });
			expect(readdirSync(keys).sort()).toEqual([left, running].sort());

			await system.startWorker();
			expect(readdirSync(keys)).toEqual([running]);
			rmSync(path.join(keys, running));
		} finally {
			killed.kill('SIGKILL');
			for (const socket of held) socket.destroy();
			silent.close();
		}
	});

	it('fetches the listed local repository without file:// allowed, which no other organisation can then read from the mirror', async () => {
		const added = await submitAction(web.url, '/integrations/new/generic-git', { name: 'Listed', urls: `file://${listed}`, authMethod: 'none' }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const { db } = system.database;
		const repo = await db.selectFrom('repos').select(['id', 'integration_id']).where('url', '=', `file://${listed}`).executeTakeFirstOrThrow();
		const update = await db.selectFrom('operations').select('id').where('scope', '=', `integration:${repo.integration_id}`).executeTakeFirstOrThrow();
		expect((await waitForOperationEnd(system, update.id)).state).toBe('succeeded');

		// Where file:// is allowed, the mirror folder still is not: not by its path, not through a link.
		const mirror = path.join(system.env.TRIBUTARY_GIT_MIRRORS!, `${repo.id}.git`);
		expect(existsSync(path.join(mirror, 'HEAD'))).toBe(true);
		const link = path.join(tmp, 'innocent-looking');
		symlinkSync(mirror, link);
		const fileWeb = await system.startWeb({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
		try {
			for (const url of [`file://${mirror}`, link, `file://${path.dirname(mirror)}/./${repo.id}.git`]) {
				const refused = await submitAction(fileWeb.url, '/integrations/new/generic-git', { name: 'Peek', urls: url, authMethod: 'none' }, globexAdmin);
				expect(refused.status, url).toBe(400);
				expect(JSON.stringify(refused.data)).toMatch(/inside Tributary's mirror folder/);
			}
		} finally {
			await fileWeb.stop();
		}
	});
});

describe('how many URLs one person may have tested', () => {
	it('is limited per minute and per request, counted across web processes, and per person', async () => {
		// Neither person has had anything tested yet in this file.
		const probe = await startProbe();
		const [limited, sibling] = await Promise.all([
			system.startWeb({ TRIBUTARY_URL_TESTS_PER_MINUTE: '3', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1' }),
			system.startWeb({ TRIBUTARY_URL_TESTS_PER_MINUTE: '3', TRIBUTARY_GIT_PRIVATE_NETWORKS: '127.0.0.1' })
		]);
		const urls = (...names: string[]) => names.map((n) => `http://127.0.0.1:${probe.port}/${n}.git`).join('\n');
		try {
			const first = await submitAction(limited.url, '/integrations/new/generic-git', { name: 'Probe', urls: urls('a', 'b'), authMethod: 'none' }, admin);
			expect(first.status).toBe(400);
			expect(JSON.stringify(first.data)).toMatch(/not found/);
			const seen = probe.connections();
			expect(seen).toBeGreaterThan(0);

			const second = await submitAction(sibling.url, '/integrations/new/generic-git', { name: 'Probe', urls: urls('c', 'd'), authMethod: 'none' }, admin);
			expect(second.status).toBe(429);
			expect(JSON.stringify(second.data)).toMatch(/the most this server allows: try again in \d+ seconds/);
			const tooMany = await submitAction(limited.url, '/integrations/new/generic-git', { name: 'Probe', urls: urls('e', 'f', 'g', 'h'), authMethod: 'none' }, deleter);
			expect(tooMany.status).toBe(429);
			expect(JSON.stringify(tooMany.data)).toMatch(/At most 3 repositories can be tested at once/);
			expect(probe.connections()).toBe(seen);

			// Another person still may.
			const other = await submitAction(limited.url, '/integrations/new/generic-git', { name: 'Probe', urls: urls('i'), authMethod: 'none' }, deleter);
			expect(other.status).toBe(400);
			expect(probe.connections()).toBeGreaterThan(seen);
		} finally {
			await Promise.all([limited.stop(), sibling.stop(), probe.stop()]);
		}
	});
});
