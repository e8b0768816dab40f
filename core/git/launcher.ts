// Starting git cheaply from a large process. Starting a process from Node copies the parent's
// page tables while its event loop waits: ~15 ms per 300 MB here, which a worker (its workflow
// sandboxes, its pools) pays at every git, dozens of times per repository, with heartbeats and
// the log being parsed held up meanwhile. A small launcher process of its own starts git in ~2 ms
// and hands the output pipes over (Node's IPC passes the sockets themselves): git writes straight
// to this process, as if started here.
//
// Where the launcher's file is not at hand (the web server runs from a bundle) or it fails to
// start, git is started here directly: slower, never wrong.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface LaunchRequest {
	id: number;
	command: string;
	args: string[];
	env: Record<string, string>;
	cwd: string;
	/** Written to the command's standard input, which is then closed. */
	stdin?: string;
}

export type LauncherMessage =
	| { id: number; type: 'started'; pid: number }
	| { id: number; type: 'stderr' }
	| { id: number; type: 'exit'; code: number | null; signal: NodeJS.Signals | null }
	| { id: number; type: 'error'; code: string | null; message: string };

export interface LaunchedProcess {
	pid: number;
	stdout: Readable;
	stderr: Readable;
	/** Whether the process has exited (its id may since belong to another). */
	readonly exited: boolean;
	/** Its exit code (null when a signal ended it), once it exited and its output pipes are closed. */
	closed: Promise<number | null>;
}

/** A failure to start the command, with the system's code (ENOENT: no such program). */
export class LaunchError extends Error {
	readonly code: string | null;
	constructor(message: string, code: string | null) {
		super(message);
		this.code = code;
	}
}

interface Pending {
	request: Omit<LaunchRequest, 'id'>;
	pid?: number;
	stdout?: Socket;
	resolve(process: LaunchedProcess): void;
	reject(error: Error): void;
	/** Set once the caller has the process; before that an exit is kept in `exitCode`. */
	onExit?(code: number | null): void;
	exitCode?: number | null;
}

const launcherFile = fileURLToPath(new URL('./launcher-process.ts', import.meta.url));

let launcher: ChildProcess | null = null;
let launcherBroken = !existsSync(launcherFile);
/** Whether the running launcher has answered once: one that dies before it did cannot start. */
let launcherAnswered = false;
const pending = new Map<number, Pending>();
let nextId = 0;

/** The launcher keeps this process alive only while one of its commands runs. */
function holdOpen(): void {
	if (!launcher) return;
	if (pending.size > 0) launcher.channel?.ref();
	else launcher.channel?.unref();
}

function startLauncher(): ChildProcess | null {
	if (launcher) return launcher;
	if (launcherBroken) return null;
	let child: ChildProcess;
	try {
		// Only what Node needs: the launcher never sees this process's secrets (each command gets
		// its own environment), nor its flags (an inspector port, a loader).
		child = fork(launcherFile, [], { env: { PATH: process.env.PATH ?? '' }, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
	} catch {
		launcherBroken = true;
		return null;
	}
	child.unref();
	child.on('message', (message: LauncherMessage, handle?: Socket) => onMessage(message, handle));
	child.once('error', () => {
		launcherBroken = true;
		stopped(child);
	});
	child.once('exit', () => stopped(child));
	launcher = child;
	launcherAnswered = false;
	return child;
}

/** The launcher ended: whatever it was starting failed, and what it started is stopped (its end can no longer be heard). */
function stopped(child: ChildProcess): void {
	if (launcher !== child) return;
	launcher = null;
	if (!launcherAnswered) launcherBroken = true;
	for (const [id, entry] of pending) {
		pending.delete(id);
		// Never started: started here instead.
		if (!launcherAnswered) {
			spawnHere(entry.request).then(entry.resolve, entry.reject);
			continue;
		}
		if (entry.pid !== undefined) {
			try {
				process.kill(-entry.pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
		const error = new LaunchError('the process that starts git stopped', null);
		if (entry.onExit) entry.onExit(null);
		else entry.reject(error);
	}
}

function onMessage(message: LauncherMessage, handle?: Socket): void {
	launcherAnswered = true;
	const entry = pending.get(message.id);
	if (!entry) {
		handle?.destroy();
		return;
	}
	switch (message.type) {
		case 'started':
			entry.pid = message.pid;
			entry.stdout = handle;
			break;
		case 'stderr': {
			if (!entry.stdout || !handle || entry.pid === undefined) {
				pending.delete(message.id);
				entry.reject(new LaunchError('the launcher handed over no output pipes', null));
				break;
			}
			entry.resolve(launchedProcess(entry, entry.pid, entry.stdout, handle));
			break;
		}
		case 'exit':
			pending.delete(message.id);
			holdOpen();
			if (entry.onExit) entry.onExit(message.code);
			else entry.exitCode = message.code;
			break;
		case 'error':
			pending.delete(message.id);
			holdOpen();
			entry.reject(new LaunchError(message.message, message.code));
			break;
	}
}

/** The process as the caller sees it: its pipes, and its end once both exit and pipes closed. */
function launchedProcess(entry: Pending, pid: number, stdout: Socket, stderr: Socket): LaunchedProcess {
	let exited = false;
	const exit = new Promise<number | null>((resolve) => {
		entry.onExit = (code) => {
			exited = true;
			resolve(code);
		};
		if (entry.exitCode !== undefined) entry.onExit(entry.exitCode);
	});
	// A pipe with nothing in it can have ended and closed already, before anyone listened.
	const ended = (stream: Readable) => new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
	// As Node does for the pipes of a child of its own: once the process is gone, output nobody
	// reads is drained, so that its pipe closes and the end is heard.
	void exit.then(() => {
		for (const stream of [stdout, stderr]) if (stream.readableFlowing === null) stream.resume();
	});
	const closed = Promise.all([exit, ended(stdout), ended(stderr)]).then(([code]) => code);
	return {
		pid,
		stdout,
		stderr,
		get exited() {
			return exited;
		},
		closed
	};
}

/** Starts `command` (never through a shell) in its own process group, with exactly `env`. */
export function launch(command: string, args: string[], options: { env: Record<string, string>; cwd: string; stdin?: string }): Promise<LaunchedProcess> {
	const request = { command, args, ...options };
	const child = startLauncher();
	if (!child) return spawnHere(request);
	const id = ++nextId;
	return new Promise<LaunchedProcess>((resolve, reject) => {
		pending.set(id, { request, resolve, reject });
		holdOpen();
		child.send({ id, ...request } satisfies LaunchRequest, (error) => {
			if (!error) return;
			pending.delete(id);
			holdOpen();
			reject(new LaunchError(`could not reach the process that starts git: ${error.message}`, null));
		});
	});
}

/**
 * Starts a command as both the launcher and this process do: never through a shell, in its own
 * process group, with exactly its environment, its standard input written and closed.
 */
export function startCommand(options: Omit<LaunchRequest, 'id'>) {
	const child = spawn(options.command, options.args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false });
	if (child.pid !== undefined) {
		child.stdin.on('error', () => {});
		child.stdin.end(options.stdin ?? '');
	}
	return child;
}

/** The same, started by this process itself. */
function spawnHere(options: Omit<LaunchRequest, 'id'>): Promise<LaunchedProcess> {
	return new Promise((resolve, reject) => {
		const child = startCommand(options);
		child.once('error', (error: NodeJS.ErrnoException) => reject(new LaunchError(error.message, error.code ?? null)));
		if (child.pid === undefined) return;
		const closed = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
		resolve({
			pid: child.pid,
			stdout: child.stdout,
			stderr: child.stderr,
			get exited() {
				return child.exitCode !== null || child.signalCode !== null;
			},
			closed
		});
	});
}

/** The running launcher's process id, if one runs (for tests that stop it). */
export function launcherPid(): number | undefined {
	return launcher?.pid;
}
