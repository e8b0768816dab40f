// P5's baseline: a bare Socket.IO server in a process of its own — no adapter, no sessions, no
// rooms of the product — broadcasting to every client the same event the product sends (same
// name, same payload shape and size), at the same pace on a schedule it is given, stamping time
// right before each emit the way the product's activity does before its report. Same engine
// options as the product's server (websocket only, same ping timing), so the two differ only by
// what the product adds.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from 'socket.io';
import type { OperationProgress } from '#core/domain/operations/operation.ts';

export interface BareRun {
	type: 'run';
	/** The event as the product would send it at count 0; each emit carries the next count. */
	progress: OperationProgress;
	events: number;
	intervalMs: number;
	/** When the first event goes out (epoch ms), each next one `intervalMs` after the one before. */
	startAt: number;
}

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, pingInterval: 10_000, pingTimeout: 5_000 });
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

process.on('message', async (run: BareRun) => {
	const emittedAt: number[] = [];
	const [stage] = run.progress.stages;
	const now = () => performance.timeOrigin + performance.now();
	for (let done = 1; done <= run.events; done++) {
		await sleep(Math.max(0, run.startAt + (done - 1) * run.intervalMs - now()));
		emittedAt.push(now());
		io.emit('operation.progressed', { ...run.progress, stages: [{ ...stage!, done }], revision: run.progress.revision + done });
	}
	process.send!({ type: 'ran', emittedAt });
});
process.on('disconnect', () => {
	void io.close();
	process.exit(0);
});
process.send!({ type: 'ready', port: (http.address() as { port: number }).port });
