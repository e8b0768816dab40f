// P5: progress reaching thousands of viewers at once.
// - P5 (broadcast-2000-sockets-p99): 2,000 signed-in Socket.IO clients, in four processes of their
//   own, on the integrations room of one web process of the product. A real Temporal activity in
//   a worker process reports progress through the product's reporter (the row written, the event
//   through the Postgres adapter to the web process, which fans it out to its sockets). Baseline,
//   same run, same client processes: a bare Socket.IO server (bare-server.ts) broadcasting the same
//   event, same payload, same pace, to the same number of clients. The two sides run in the same
//   seconds, their events interleaved half an interval apart (which side leads alternates by
//   round): whatever else the machine does then (Postgres, Temporal, the clients themselves) falls
//   on both alike. Run one after the other, p99 swung from 1.0 to 1.7 times the bare on the same
//   code: a p99 over deliveries is the worst few events', and a few seconds of a busier machine
//   decided which side had them. Each delivery's latency is from the stamp right before the report
//   (or the bare emit) to when the client first knew that count; p99 over every delivery of every
//   counted event.
// - P5x (broadcast-10000-sockets-4-web-p99): 10,000 clients across four web processes of the
//   product on one database, eight client processes, interleaved with the bare server as above;
//   target p99 ≤ 250 ms. Its baseline is the bare server's one process with 10,000 clients (what
//   fan-out costs on this machine).
// - Coalescing (detail line): a tight loop of 1,000 reports from the activity, and how many events
//   each viewer received for it, and at what rate (at most one per 100 ms window by design).
// Everything runs on one 2-core machine: server, clients and Postgres share it, as the figures do.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { progressOf } from '#core/operations/broadcast.ts';
import { insertOperation } from '#core/operations/queries.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { generateSessionToken, sessionCookieName, sessionIdOf } from '../../src/lib/server/auth/sessions.ts';
import { stopChild } from '../../scripts/engines/processes.ts';
import { progressWindowMs } from '../../worker/activities/progress-coalescing.ts';
import { createSystem, type EngineAddresses, type RunningWeb, type TestSystem } from '../../tests/support/system.ts';
import type { progressBenchWorkflow } from '../p4/workflow.ts';
import { benchLine, percentile } from '../support/report.ts';
import type { BareRun } from './bare-server.ts';
import type { Arrivals, ViewerCommand, ViewerReply, ViewerTarget } from './viewers.ts';

const say = (line: string) => console.log(`[bench] P5: ${line}`);

interface Phase {
	clients: number;
	webProcesses: number;
	viewerProcesses: number;
	rounds: number;
	events: number;
	/** The first events of each run are not counted (sockets' buffers and JIT warming). */
	warmup: number;
	/** Between one side's events; the other side's fall halfway between. */
	intervalMs: number;
}

const phases = {
	// The machine fans out an event every 100 ms (the coalescing window: the most any one operation sends), each side every 200.
	p5: { clients: 2_000, webProcesses: 1, viewerProcesses: 4, rounds: 8, events: 30, warmup: 3, intervalMs: 2 * progressWindowMs },
	p5x: { clients: 10_000, webProcesses: 4, viewerProcesses: 8, rounds: 4, events: 15, warmup: 2, intervalMs: 1_000 }
} satisfies Record<string, Phase>;

/** A child process that says it is ready with one IPC message. */
async function forkReady<T>(file: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; ready: T }> {
	const child = fork(path.join(import.meta.dirname, file), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const ready = await new Promise<T>((resolve, reject) => {
		child.once('message', (message) => resolve(message as T));
		child.once('exit', (code) => reject(new Error(`${file} exited while starting (${code})`)));
	});
	return { child, ready };
}

function ask<T extends ViewerReply['type']>(child: ChildProcess, command: ViewerCommand, answer: T): Promise<Extract<ViewerReply, { type: T }>> {
	return new Promise((resolve) => {
		const listen = (message: ViewerReply) => {
			if (message.type !== answer) return;
			child.off('message', listen);
			resolve(message as Extract<ViewerReply, { type: T }>);
		};
		child.on('message', listen);
		child.send(command);
	});
}

/** Signed-in sessions for the organisation's people who see the integrations, round robin. */
async function sessionCookies(system: TestSystem, organizationId: string, count: number): Promise<string[]> {
	const users = await system.database.db
		.selectFrom('users')
		.select('id')
		.where('organization_id', '=', organizationId)
		.where('integrations_level', '!=', 'none')
		.where('deactivated_at', 'is', null)
		.execute();
	const tokens = Array.from({ length: count }, () => generateSessionToken());
	const expires = new Date(Date.now() + 24 * 60 * 60 * 1000);
	for (let start = 0; start < tokens.length; start += 1_000) {
		const rows = tokens.slice(start, start + 1_000).map((token, i) => ({ id: sessionIdOf(token), user_id: users[(start + i) % users.length]!.id, expires_at: expires }));
		await system.database.db.insertInto('sessions').values(rows).execute();
	}
	return tokens.map((token) => `${sessionCookieName}=${token}`);
}

class Viewers {
	private readonly children: ChildProcess[];

	private constructor(children: ChildProcess[]) {
		this.children = children;
	}

	/** `targets` are shared out among `processes` client processes. */
	static async start(processes: number, targets: ViewerTarget[]): Promise<Viewers> {
		const children = Array.from({ length: processes }, () =>
			fork(path.join(import.meta.dirname, 'viewers.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
		);
		const viewers = new Viewers(children);
		const replies = await Promise.all(
			children.map((child, index) => ask(child, { type: 'connect', targets: targets.filter((_, i) => i % processes === index), concurrency: 40 }, 'connected'))
		);
		const failures = replies.flatMap((r) => r.failures);
		const connected = replies.reduce((sum, r) => sum + r.sockets, 0);
		if (failures.length > 0 || connected !== targets.length) {
			await viewers.close();
			throw new Error(`${connected} of ${targets.length} clients connected; first refusal: ${failures[0]}`);
		}
		return viewers;
	}

	/** What every client process saw since the last report, merged. */
	async collect(): Promise<{ arrivals: Arrivals; events: Record<string, number> }> {
		const merged: Arrivals = {};
		const events: Record<string, number> = {};
		for (const report of await Promise.all(this.children.map((child) => ask(child, { type: 'report' }, 'report')))) {
			for (const [id, counts] of Object.entries(report.arrivals)) {
				const into = (merged[id] ??= {});
				for (const [count, times] of Object.entries(counts)) {
					const known = (into[Number(count)] ??= []);
					for (const at of times) known.push(at);
				}
			}
			for (const [id, n] of Object.entries(report.events)) events[id] = (events[id] ?? 0) + n;
		}
		return { arrivals: merged, events };
	}

	async close(): Promise<void> {
		await Promise.all(
			this.children.map(async (child) => {
				if (child.connected) await ask(child, { type: 'close' }, 'closed').catch(() => {});
				await stopChild(child, 'SIGTERM', 5_000);
			})
		);
	}
}

interface Run {
	side: 'product' | 'bare';
	operationId: string;
	emittedAt: number[];
	/** The product's: when its reporter returned (row written, broadcast handed to the adapter). */
	reportedAt?: number[];
}

interface Latencies {
	/** Every delivery's. */
	all: number[];
	/** Each event's first delivery: what comes before the fan-out (write, adapter, queueing). */
	first: number[];
	/** The product's: each counted report's own time (the row written, the message handed to the adapter). */
	report: number[];
}

/** Adds each counted event's latency to every client that should have had it; throws on a miss. */
function addDeliveries(into: Latencies, run: Run, arrivals: Arrivals, phase: Phase, clients: number): void {
	const seen = arrivals[run.operationId] ?? {};
	run.emittedAt.forEach((emitted, index) => {
		if (index < phase.warmup) return;
		const times = seen[index + 1] ?? [];
		if (times.length !== clients) throw new Error(`${run.side} event ${index + 1} reached ${times.length} of ${clients} clients`);
		let first = Infinity;
		for (const at of times) {
			into.all.push(at - emitted);
			first = Math.min(first, at - emitted);
		}
		into.first.push(first);
		if (run.reportedAt) into.report.push(run.reportedAt[index]! - emitted);
	});
}

interface Stage {
	system: TestSystem;
	organizationId: string;
	temporal: Client;
	bare: ChildProcess;
}

let operations = 0;

async function newOperation(stage: Stage, events: number): Promise<Operation> {
	operations += 1;
	return insertOperation(stage.system.database.db, {
		organizationId: stage.organizationId,
		kind: `bench.p5-${operations}`,
		scope: 'integrations',
		stages: [{ key: 'events', label: 'Bench events', done: 0, total: events }],
		startedBy: 'bench',
		workflowId: (id) => `bench-p5-${id}`
	});
}

async function runProduct(stage: Stage, events: number, intervalMs: number, startAt?: number): Promise<Run> {
	const operation = await newOperation(stage, events);
	const { emittedAt, reportedAt } = await stage.temporal.workflow.execute<typeof progressBenchWorkflow>('progressBenchWorkflow', {
		taskQueue: stage.system.env.TEMPORAL_TASK_QUEUE!,
		workflowId: operation.workflowId,
		args: [{ operationId: operation.id, events, intervalMs, path: 'product', ...(startAt === undefined ? {} : { startAt }) }]
	});
	return { side: 'product', operationId: operation.id, emittedAt, reportedAt };
}

async function runBare(stage: Stage, events: number, intervalMs: number, startAt: number): Promise<Run> {
	// The same payload as the product's, for an operation that exists nowhere.
	const operation = { ...(await newOperation(stage, events)), id: crypto.randomUUID() };
	const ran = new Promise<number[]>((resolve) => stage.bare.once('message', (message: { emittedAt: number[] }) => resolve(message.emittedAt)));
	stage.bare.send({ type: 'run', progress: progressOf(operation), events, intervalMs, startAt } satisfies BareRun);
	return { side: 'bare', operationId: operation.id, emittedAt: await ran };
}

async function measurePhase(stage: Stage, phase: Phase, webs: RunningWeb[], barePort: number) {
	const cookies = await sessionCookies(stage.system, stage.organizationId, phase.clients);
	const targets: ViewerTarget[] = [
		...cookies.map((cookie, i) => ({ url: webs[i % webs.length]!.url, cookie })),
		...cookies.map(() => ({ url: `http://127.0.0.1:${barePort}` }))
	];
	say(`connecting ${phase.clients} clients to ${webs.length} web process(es) and ${phase.clients} to the bare server, in ${phase.viewerProcesses} processes`);
	const viewers = await Viewers.start(phase.viewerProcesses, targets);
	try {
		await sleep(2_000);
		const latencies = { product: { all: [], first: [], report: [] } as Latencies, bare: { all: [], first: [], report: [] } as Latencies };
		for (let round = 1; round <= phase.rounds; round++) {
			// Far enough ahead for the product's workflow to start its activity; the leader alternates.
			const startAt = Date.now() + 1_500;
			const [productAt, bareAt] = round % 2 === 1 ? [startAt, startAt + phase.intervalMs / 2] : [startAt + phase.intervalMs / 2, startAt];
			const runs = await Promise.all([runProduct(stage, phase.events, phase.intervalMs, productAt), runBare(stage, phase.events, phase.intervalMs, bareAt)]);
			for (const [run, at] of [[runs[0], productAt], [runs[1], bareAt]] as const) {
				if (run.emittedAt[0]! - at > phase.intervalMs / 4) throw new Error(`the ${run.side} side started ${Math.round(run.emittedAt[0]! - at)} ms late: its events were not interleaved`);
			}
			await sleep(1_500);
			const { arrivals } = await viewers.collect();
			for (const run of runs) addDeliveries(latencies[run.side], run, arrivals, phase, phase.clients);
		}
		let coalescing: string | undefined;
		if (webs.length === 1) {
			// A tight loop: 1,000 reports as fast as the row can be written.
			const run = await runProduct(stage, 1_000, 0);
			await sleep(1_500);
			const seen = await viewers.collect();
			const lastKnown = seen.arrivals[run.operationId]?.[1_000]?.length ?? 0;
			const seconds = (run.emittedAt.at(-1)! - run.emittedAt[0]!) / 1000;
			const events = (seen.events[run.operationId] ?? 0) / phase.clients;
			coalescing =
				`coalescing: 1,000 reports in ${seconds.toFixed(2)} s reached each of ${lastKnown} of ${phase.clients} clients as ` +
				`${events.toFixed(1)} events (${(events / seconds).toFixed(1)} a second; at most one per ${progressWindowMs} ms by design, and the last count always)`;
			if (lastKnown !== phase.clients) throw new Error(`the burst's last count reached ${lastKnown} of ${phase.clients} clients`);
		}
		return { ...latencies, coalescing };
	} finally {
		await viewers.close();
	}
}

export async function benchBroadcast(engines: EngineAddresses): Promise<string[]> {
	const system = await createSystem(engines);
	const stopping: Array<() => Promise<void>> = [];
	try {
		await system.seedDemo();
		const organizationId = (await system.database.db.selectFrom('organizations').select('id').where('name', '=', 'Acme').executeTakeFirstOrThrow()).id;
		const webs = [await system.startWeb()];
		const worker = await forkReady('../p4/worker.ts', system.env);
		stopping.push(() => stopChild(worker.child, 'SIGTERM', 10_000));
		const bare = await forkReady<{ port: number }>('bare-server.ts', system.env);
		stopping.push(() => stopChild(bare.child, 'SIGTERM', 5_000));
		const connection = await Connection.connect({ address: system.env.TEMPORAL_ADDRESS! });
		stopping.push(() => connection.close());
		const stage: Stage = { system, organizationId, temporal: new Client({ connection }), bare: bare.child };

		const p = (values: number[], q: number) => Math.round(percentile(values, q) * 10) / 10;
		const detail = (phase: Phase, result: { product: Latencies; bare: Latencies }) =>
			`${phase.clients} clients on ${phase.webProcesses} web process(es), each side an event every ${phase.intervalMs} ms, the two interleaved: ` +
			`product p50 ${p(result.product.all, 50)} ms, p99 ${p(result.product.all, 99)} ms over ${result.product.all.length} deliveries ` +
			`(first delivery of each event p50 ${p(result.product.first, 50)}, p99 ${p(result.product.first, 99)}, max ${p(result.product.first, 100)}; ` +
			`the report itself p50 ${p(result.product.report, 50)}, p99 ${p(result.product.report, 99)}, max ${p(result.product.report, 100)}); ` +
			`bare p50 ${p(result.bare.all, 50)} ms, p99 ${p(result.bare.all, 99)} ms over ${result.bare.all.length} ` +
			`(first p50 ${p(result.bare.first, 50)}, p99 ${p(result.bare.first, 99)})`;

		const small = await measurePhase(stage, phases.p5, webs, bare.ready.port);
		say(detail(phases.p5, small));
		say(small.coalescing!);
		while (webs.length < phases.p5x.webProcesses) webs.push(await system.startWeb());
		const large = await measurePhase(stage, phases.p5x, webs, bare.ready.port);
		say(detail(phases.p5x, large));
		return [
			benchLine({ id: 'P5', name: 'broadcast-2000-sockets-p99', value: percentile(small.product.all, 99), unit: 'ms', baseline: percentile(small.bare.all, 99), target: '<=1.2' }),
			benchLine({ id: 'P5x', name: 'broadcast-10000-sockets-4-web-p99', value: percentile(large.product.all, 99), unit: 'ms', baseline: percentile(large.bare.all, 99), target: '<=250ms' })
		];
	} finally {
		for (const stop of stopping.reverse()) await stop().catch(() => {});
		await system.stop();
	}
}
