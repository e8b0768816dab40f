// Small helpers for child processes the start script owns.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILL. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		child.kill(signal);
	});
}

/** Kills a process a previous run left behind (its pid file outlived a crash of the start script). */
export async function stopLeftover(pidFile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (!existsSync(pidFile)) return;
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	if (pid > 0 && isAlive(pid)) {
		process.kill(pid, signal);
		const deadline = Date.now() + 15_000;
		while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
		if (isAlive(pid)) process.kill(pid, 'SIGKILL');
	}
	rmSync(pidFile, { force: true });
}

export function writePidFile(pidFile: string, pid: number | undefined): void {
	if (pid) writeFileSync(pidFile, `${pid}\n`);
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.once('error', reject);
		child.once('exit', (code) =>
			code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}:\n${output.trim()}`))
		);
	});
}
