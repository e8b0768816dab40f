// A process of P5's viewers: many Socket.IO clients, each as a browser's page would be (websocket
// only, the page's Origin, a session cookie on the product), each noting when it first knew of
// each count of each operation (a count it never saw on its own, merged into a later event,
// counts as known when that later event arrived: what a progress bar shows).
// Driven by its parent over IPC: `connect`, then `report` (and the arrivals are forgotten), then
// `close`.
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';

export interface ViewerTarget {
	url: string;
	/** The session cookie for the product; none for the bare server. */
	cookie?: string;
}

export type ViewerCommand =
	| { type: 'connect'; targets: ViewerTarget[]; concurrency: number }
	| { type: 'report' }
	| { type: 'close' };

/** Per operation id, per count (1-based): when each of this process's sockets first knew it. */
export type Arrivals = Record<string, Record<number, number[]>>;

export type ViewerReply =
	| { type: 'connected'; sockets: number; failures: string[] }
	| { type: 'report'; arrivals: Arrivals; events: Record<string, number> }
	| { type: 'closed' };

interface ProgressEvent {
	id: string;
	stages: Array<{ done: number }>;
}

const sockets: Socket[] = [];
let arrivals: Arrivals = {};
/** Per operation id: how many events this process's sockets received in all. */
let events: Record<string, number> = {};

function watch(socket: Socket): void {
	const seen = new Map<string, number>();
	socket.on('operation.progressed', (event: ProgressEvent) => {
		const at = performance.timeOrigin + performance.now();
		events[event.id] = (events[event.id] ?? 0) + 1;
		const done = event.stages[0]?.done ?? 0;
		const before = seen.get(event.id) ?? 0;
		if (done <= before) return;
		seen.set(event.id, done);
		const counts = (arrivals[event.id] ??= {});
		for (let count = before + 1; count <= done; count++) (counts[count] ??= []).push(at);
	});
}

function open(target: ViewerTarget): Promise<Socket> {
	const origin = new URL(target.url).origin;
	const socket = connect(target.url, {
		transports: ['websocket'],
		extraHeaders: { origin, ...(target.cookie ? { cookie: target.cookie } : {}) },
		reconnection: false
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (error) => {
			socket.close();
			reject(error);
		});
	});
}

async function connectAll(targets: ViewerTarget[], concurrency: number): Promise<string[]> {
	const failures: string[] = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < targets.length) {
				const target = targets[next++]!;
				try {
					const socket = await open(target);
					watch(socket);
					sockets.push(socket);
				} catch (error) {
					failures.push(error instanceof Error ? error.message : String(error));
				}
			}
		})
	);
	return failures;
}

const reply = (message: ViewerReply) => process.send!(message);

process.on('message', (command: ViewerCommand) => {
	if (command.type === 'connect') {
		void connectAll(command.targets, command.concurrency).then((failures) => reply({ type: 'connected', sockets: sockets.length, failures }));
	} else if (command.type === 'report') {
		reply({ type: 'report', arrivals, events });
		arrivals = {};
		events = {};
	} else {
		for (const socket of sockets) socket.close();
		reply({ type: 'closed' });
		process.disconnect();
	}
});
process.on('disconnect', () => process.exit(0));
