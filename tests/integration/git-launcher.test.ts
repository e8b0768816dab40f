// Git is started by a small launcher process that hands its pipes to this one (core/git/launcher.ts).
// What a command prints, reads and returns must be exactly what it would be if started here,
// with many at once; a launcher that dies must fail the commands it was watching, stop them, and
// be replaced for the next one; and it must never hold this process's secrets.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { launch, launcherPid, LaunchError } from '#core/git/launcher.ts';

const env = { PATH: process.env.PATH ?? '' };
const launcherModule = new URL('../../core/git/launcher.ts', import.meta.url).href;
const cwd = process.cwd();

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Running, not merely a zombie that no parent has read the exit code of yet. */
function isRunning(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('the git launcher', () => {
	it('passes standard input and output byte for byte, forty commands at once', async () => {
		const inputs = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i * 25_000).toString('base64'));
		const outputs = await Promise.all(
			inputs.map(async (input) => {
				const cat = await launch('cat', [], { env, cwd, stdin: input });
				const [output, code] = await Promise.all([readAll(cat.stdout), cat.closed]);
				expect(code).toBe(0);
				return output.toString();
			})
		);
		expect(outputs).toEqual(inputs);
	});

	it('keeps the output of commands that end at once (nothing is read on the way)', async () => {
		const expected = execFileSync('git', ['--version'], { encoding: 'utf8' });
		for (let i = 0; i < 30; i++) {
			const git = await launch('git', ['--version'], { env, cwd });
			expect((await readAll(git.stdout)).toString()).toBe(expected);
			expect(await git.closed).toBe(0);
		}
	});

	it('reports exit codes and standard error, and ends even when nobody reads the output', async () => {
		const failing = await launch('sh', ['-c', 'echo some output; echo what went wrong >&2; exit 3'], { env, cwd });
		const stderr = readAll(failing.stderr);
		expect(await failing.closed).toBe(3);
		expect((await stderr).toString()).toBe('what went wrong\n');
		expect(failing.exited).toBe(true);
	});

	it('ends a command whose empty pipes closed before anyone listened', async () => {
		for (let i = 0; i < 10; i++) {
			const quiet = await launch('true', [], { env, cwd });
			await new Promise((resolve) => setTimeout(resolve, 50));
			const code = await Promise.race([quiet.closed, new Promise((resolve) => setTimeout(() => resolve('never ended'), 5_000))]);
			expect(code).toBe(0);
		}
	});

	it('starts each command in its own process group, which a kill stops whole', async () => {
		const shell = await launch('sh', ['-c', 'sleep 30 & echo $!; wait'], { env, cwd });
		const sleeper = Number((await new Promise<Buffer>((resolve) => shell.stdout.once('data', resolve))).toString().trim());
		expect(isRunning(sleeper)).toBe(true);
		process.kill(-shell.pid, 'SIGKILL');
		expect(await shell.closed).toBeNull();
		await waitUntil('the group is gone', () => !isRunning(sleeper));
	});

	it('says when a program is missing', async () => {
		const failure = await launch('no-such-program-tributary', [], { env, cwd }).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(LaunchError);
		expect((failure as LaunchError).code).toBe('ENOENT');
	});

	it('fails and stops the commands of a launcher that dies, and starts a new one for the next', async () => {
		const sleeping = await launch('sleep', ['30'], { env, cwd });
		const first = launcherPid();
		expect(first).toBeDefined();
		process.kill(first!, 'SIGKILL');
		expect(await sleeping.closed).toBeNull();
		await waitUntil('the command is stopped', () => !isRunning(sleeping.pid));

		const git = await launch('git', ['--version'], { env, cwd });
		expect(await git.closed).toBe(0);
		expect(launcherPid()).toBeDefined();
		expect(launcherPid()).not.toBe(first);
	});

	it('stops the commands it started when the process it works for is killed outright', async () => {
		// A parent of its own (this test process must live on): it starts a long command through the
		// launcher, says the command's id, and waits to be killed.
		const parent = spawn(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				`const { launch } = await import(${JSON.stringify(launcherModule)});
				const sleeping = await launch('sleep', ['30'], { env: { PATH: process.env.PATH }, cwd: process.cwd() });
				console.log(sleeping.pid);
				setInterval(() => {}, 1000);`
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] }
		);
		const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
		const pid = Number(line.toString().trim());
		expect(isRunning(pid)).toBe(true);

		parent.kill('SIGKILL');
		await once(parent, 'exit');
		await waitUntil('the command of the killed process is stopped', () => !isRunning(pid));
	});

	it('never holds the variables of the process it works for', async () => {
		process.env.TRIBUTARY_LAUNCHER_TEST_SECRET = 'do-not-copy-me';
		try {
			// A launcher started now, when this process has the secret.
			const running = launcherPid();
			if (running) {
				process.kill(running, 'SIGKILL');
				await waitUntil('the launcher is gone', () => launcherPid() === undefined);
			}
			const git = await launch('git', ['--version'], { env, cwd });
			await git.closed;
			expect(launcherPid()).not.toBe(running);
			const environ = readFileSync(`/proc/${launcherPid()}/environ`, 'utf8');
			expect(environ).not.toContain('do-not-copy-me');
			// The command itself gets exactly what it was given.
			const printenv = await launch('printenv', [], { env: { ...env, ONLY_THIS: 'yes' }, cwd });
			const variables = (await readAll(printenv.stdout)).toString().trim().split('\n').sort();
			expect(variables).toEqual([`ONLY_THIS=yes`, `PATH=${env.PATH}`]);
		} finally {
			delete process.env.TRIBUTARY_LAUNCHER_TEST_SECRET;
		}
	});
});
