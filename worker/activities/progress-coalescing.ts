// Progress reaches viewers at most once per window per operation, whatever the pace of the work.
// A fast activity (a thousand small repositories, a tight loop of batches) would otherwise send
// every viewer every report: with 2,000 viewers each broadcast costs a web process about 40 ms of
// event loop (P5), so an unbounded pace would queue events behind each other and every viewer
// would fall seconds behind. Here the first report of a quiet operation goes out at once (no
// added latency when reports are sparse: P4), later ones within the window are merged, and the
// newest goes out when the window ends, so the last value is never lost. The row in Postgres is
// written on every report regardless: a page load always reads the truth.
import type { Operation } from '#core/domain/operations/operation.ts';

/** At most one progress broadcast per operation per this many milliseconds (10 a second). */
export const progressWindowMs = 100;

/** Timers only: a window opens at a send and closes when its timer runs. */
export interface CoalescerClock {
	setTimer(run: () => void, ms: number): unknown;
	clearTimer(timer: unknown): void;
}

const systemClock: CoalescerClock = {
	setTimer: (run, ms) => setTimeout(run, ms),
	clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout)
};

interface Window {
	/** The newest report not yet sent, if any. */
	pending?: Operation;
	timer: unknown;
}

export interface ProgressCoalescer {
	/** Sends `operation` now, or later with whatever is newest by then. */
	offer(operation: Operation): void;
	/** The operation ended: anything held for it is superseded by its ending. */
	drop(operationId: string): void;
}

export function createProgressCoalescer(
	send: (operation: Operation) => void,
	options: { windowMs?: number; clock?: CoalescerClock } = {}
): ProgressCoalescer {
	const windowMs = options.windowMs ?? progressWindowMs;
	const clock = options.clock ?? systemClock;
	// An entry exists only while a window is open after a send: a quiet operation holds nothing.
	const windows = new Map<string, Window>();

	function open(operationId: string): Window {
		const window: Window = {
			timer: clock.setTimer(() => {
				const pending = window.pending;
				windows.delete(operationId);
				if (pending) {
					send(pending);
					windows.set(operationId, open(operationId));
				}
			}, windowMs)
		};
		return window;
	}

	return {
		offer(operation) {
			const window = windows.get(operation.id);
			if (!window) {
				send(operation);
				windows.set(operation.id, open(operation.id));
				return;
			}
			// Activities of one operation may report in parallel: their writes can return out of order.
			if (!window.pending || operation.revision > window.pending.revision) window.pending = operation;
		},
		drop(operationId) {
			const window = windows.get(operationId);
			if (!window) return;
			clock.clearTimer(window.timer);
			windows.delete(operationId);
		}
	};
}
