// A process of P5's viewers: many Socket.IO clients, each as a browser's page would be (a
// WebSocket with the page's Origin, a session cookie on the product), each noting when it first
// knew of each count of each operation (a count it never saw on its own, merged into a later
// event, counts as known when that later event arrived: what a progress bar shows).
// The clients speak Engine.IO 4 / Socket.IO 5 themselves over `ws` (open, connect to the main
// namespace, answer pings, read events): socket.io-client costs several times more per message,
// and eight processes of it on two cores measured mostly themselves at 10,000 clients (bare p99
// 405 ms). Both sides, product and bare, are read by the same clients.
// Driven by its parent over IPC: `connect`, then `report` (and the arrivals are forgotten), then
// `close`.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

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

const sockets: WebSocket[] = [];
let arrivals: Arrivals = {};
/** Per operation id: how many events this process's sockets received in all. */
let events: Record<string, number> = {};

/** Engine.IO packet types (first character) and Socket.IO's (second, in a message). */
const ping = '2';
const connected = '40';
const progressed = '42["operation.progressed",';

function open(target: ViewerTarget): Promise<WebSocket> {
	const url = new URL('/socket.io/?EIO=4&transport=websocket', target.url.replace(/^http/, 'ws'));
	const socket = new WebSocket(url, { headers: { origin: new URL(target.url).origin, ...(target.cookie ? { cookie: target.cookie } : {}) } });
	const seen = new Map<string, number>();
	return new Promise((resolve, reject) => {
		socket.on('error', reject);
		socket.on('message', (data) => {
			const text = data.toString();
			if (text.startsWith(progressed)) {
				const at = performance.timeOrigin + performance.now();
				const event = (JSON.parse(text.slice(2)) as [string, ProgressEvent])[1];
				events[event.id] = (events[event.id] ?? 0) + 1;
				const done = event.stages[0]?.done ?? 0;
				const before = seen.get(event.id) ?? 0;
				if (done <= before) return;
				seen.set(event.id, done);
				const counts = (arrivals[event.id] ??= {});
				for (let count = before + 1; count <= done; count++) (counts[count] ??= []).push(at);
			} else if (text === ping) {
				socket.send('3');
			} else if (text[0] === '0') {
				// Engine.IO is open: join the main namespace (the server's middleware checks the cookie).
				socket.send(connected);
			} else if (text.startsWith(connected)) {
				resolve(socket);
			} else if (text.startsWith('44')) {
				socket.close();
				reject(new Error(`refused: ${text.slice(2)}`));
			}
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
					sockets.push(await open(target));
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
