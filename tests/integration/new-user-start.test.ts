// A new user's `npm start` on a bare machine: the clone sits inside a private folder (mode 0700,
// like root's home), the machine's own node comes first on PATH (it may be too old to run
// TypeScript), nothing else is prepared. The README's command must bring the whole system up,
// print readable lines in a terminal, keep the JSON logs in files, and Ctrl-C must leave nothing
// of that folder running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/engines/ports.ts';
import { waitFor } from '../support/system.ts';

const checkout = path.resolve(import.meta.dirname, '../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'tributary-home-'));
const clone = path.join(home, 'tributary');
let session: ChildProcess | undefined;

afterAll(() => {
	session?.kill('SIGKILL');
	for (const pid of processesUnder(clone)) process.kill(pid, 'SIGKILL');
	rmSync(home, { recursive: true, force: true });
});

/** Pids of processes whose command line names something inside `folder`. */
function processesUnder(folder: string): number[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
		.filter((pid) => {
			try {
				return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
			} catch {
				return false;
			}
		})
		.map(Number);
}

/**
 * A clone of this checkout as it is now (the committed tree plus uncommitted edits), with this
 * checkout's installed packages hard-linked in (so the embedded PostgreSQL binaries, too, lie
 * behind the private folder) and its current build, so the start does not build again.
 */
function makeClone(): void {
	const git = (...args: string[]) => spawnSync('git', args, { cwd: checkout, encoding: 'utf8' });
	const cloned = spawnSync('git', ['clone', '--quiet', '--shared', checkout, clone], { encoding: 'utf8' });
	expect(cloned.status, cloned.stderr).toBe(0);
	for (const file of git('ls-files', '--modified', '--others', '--exclude-standard').stdout.split('\n').filter(Boolean)) {
		if (existsSync(path.join(checkout, file))) cpSync(path.join(checkout, file), path.join(clone, file));
	}
	const linked = spawnSync('cp', ['-al', path.join(checkout, 'node_modules'), path.join(clone, 'node_modules')]);
	if (linked.status !== 0) cpSync(path.join(checkout, 'node_modules'), path.join(clone, 'node_modules'), { recursive: true });
	cpSync(path.join(checkout, 'build'), path.join(clone, 'build'), { recursive: true });
	cpSync(path.join(checkout, '.svelte-kit'), path.join(clone, '.svelte-kit'), { recursive: true });
	const now = new Date(Date.now() + 60_000);
	utimesSync(path.join(clone, 'build/handler.js'), now, now);
}

/** Runs `npm start` as `session` until it says it is up; its output so far, and its end. */
async function startSystem(session: ChildProcess): Promise<{ session: ChildProcess; output: () => string; ended: (timeoutMs: number) => Promise<unknown> }> {
	let output = '';
	session.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	session.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	let ended = false;
	const exited = new Promise<number | null>((resolve) => session.once('exit', (code) => ((ended = true), resolve(code))));
	try {
		await waitFor(
			'the start to finish',
			async () => {
				if (ended) throw new Error('npm start ended before the system was up');
				return output.includes('press Ctrl-C to stop');
			},
			280_000
		);
	} catch (error) {
		throw new Error(`${(error as Error).message}\n--- its output ---\n${output}`, { cause: error });
	}
	return {
		session,
		output: () => output,
		ended: (timeoutMs) => Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))])
	};
}

describe('npm start on a bare machine', () => {
	it('starts from a clone inside a 0700 folder under the system node, readable in a terminal, and stops clean', async () => {
		expect(statSync(home).mode & 0o777).toBe(0o700);
		makeClone();
		const port = await freePort();
		const env: NodeJS.ProcessEnv = {
			HOME: process.env.HOME,
			XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
			TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
			PATH: `/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${path.dirname(process.execPath)}`,
			PORT: String(port),
			TERM: 'xterm'
		};
		for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
		// `script` gives `npm start` a terminal, as a person's shell would; ^C on its input is Ctrl-C.
		let started = await startSystem(spawn('script', ['--quiet', '--flush', '--return', '--command', 'npm start', '/dev/null'], { cwd: clone, env, stdio: ['pipe', 'pipe', 'pipe'] }));
		session = started.session;
		let output = started.output();
		const health = await fetch(`http://localhost:${port}/health`);
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({ postgres: 'ok', temporal: 'ok', worker: 'ok', realtime: 'ok' });
		expect(output).toMatch(/sign in: manager@acme\.example /);
		// People read lines, not JSON; the JSON is kept in the data folder's log files.
		expect(output).not.toMatch(/^\s*\{"level":/m);
		expect(output).toMatch(/^\d\d:\d\d:\d\d {2}(web|worker) /m);
		const workerLog = readFileSync(path.join(clone, '.data/logs/worker.log'), 'utf8').trim().split('\n');
		expect(JSON.parse(workerLog[0]!)).toMatchObject({ name: expect.any(String), level: expect.any(Number) });
		// The embedded server's data stays in the clone, owned by the server's user.
		expect(existsSync(path.join(clone, '.data/postgres/data/PG_VERSION'))).toBe(true);

		session.stdin!.write('\x03');
		const code = await started.ended(60_000);
		output = started.output();
		// npm, in the same foreground group, ends with the shell's code for Ctrl-C. Ctrl-C reaches the
		// start twice (from the terminal and from npm): still one orderly stop, not a forced exit.
		expect([0, 130], output).toContain(code);
		expect(output).toMatch(/\[tributary\] stopped\r?$/m);
		expect(processesUnder(clone)).toEqual([]);

		// Under a service manager: no terminal, SIGTERM to npm alone. It reaches the start script
		// (npm passes it on), which stops everything in order.
		started = await startSystem(spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] }));
		session = started.session;
		session.kill('SIGTERM');
		expect(await started.ended(60_000)).not.toBe('timeout');
		expect(started.output()).toMatch(/\[tributary\] stopped$/m);
		expect(processesUnder(clone)).toEqual([]);

		// npm killed outright (nothing passed on): the start notices that its parent is gone and stops.
		started = await startSystem(spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] }));
		session = started.session;
		session.kill('SIGKILL');
		await waitFor('every process of the clone to end', async () => processesUnder(clone).length === 0, 60_000);
		expect(started.output()).toContain('the process that started this one has ended');
		expect(started.output()).toMatch(/\[tributary\] stopped$/m);
	}, 420_000);
});
