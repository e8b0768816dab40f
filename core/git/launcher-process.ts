// The small process that starts git for a large one (see launcher.ts). It starts each command as
// asked, hands the command's output pipes to its parent, and reports how the command ended. It
// reads nothing of those pipes itself, holds no secret longer than one request, and ends with its
// parent, stopping what it started.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { startCommand, type LauncherMessage, type LaunchRequest } from './launcher.ts';

const send = (message: LauncherMessage, handle?: Socket) => process.send?.(message, handle);

/** A pipe's reading side passes to the parent untouched: nothing read here, so nothing is lost. */
function stopReading(pipe: Readable): Socket {
	// A child's piped standard stream is a net.Socket.
	const socket = pipe as Socket;
	// net.Socket starts reading its handle as soon as it has one; data read here would never reach
	// the parent, which takes the handle over from the next message on.
	(socket as unknown as { _handle: { readStop(): number } | null })._handle?.readStop();
	return socket;
}

/** The process groups of the commands still running, by their leader's id. */
const running = new Set<number>();

process.on('message', (request: LaunchRequest) => {
	const child = startCommand(request);
	child.once('error', (error: NodeJS.ErrnoException) => send({ id: request.id, type: 'error', code: error.code ?? null, message: error.message }));
	if (child.pid === undefined) return;
	const pid = child.pid;
	running.add(pid);
	// In this order, before anything can be read: the parent has the pipes before the exit.
	send({ id: request.id, type: 'started', pid: child.pid }, stopReading(child.stdout));
	send({ id: request.id, type: 'stderr' }, stopReading(child.stderr));
	child.once('exit', (code, signal) => {
		running.delete(pid);
		send({ id: request.id, type: 'exit', code, signal });
	});
});

// The parent went away (it exited or was killed): nobody reads what the commands write any more,
// so they stop with this process. A parent killed outright (SIGKILL, the OOM killer) can stop
// nothing itself; and it may die before it has recorded a command it just asked for, which the
// next worker's clean-up (processes.ts) would then not know of. Killed together with its parent,
// this process leaves that clean-up to the records.
process.on('disconnect', () => {
	for (const pid of running) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
	process.exit(0);
});
// Ctrl-C in a terminal reaches every process of the group, this one too: it stays until its
// parent has stopped its work (git started meanwhile would otherwise fail as "could not be
// started", and count as a failed attempt), and ends with it.
process.on('SIGINT', () => {});
