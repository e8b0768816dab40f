// Progress goes to viewers at most once a window per operation; the newest report of a window is
// never lost; a quiet operation's report goes out at once.
import { describe, expect, it } from 'vitest';
import type { Operation } from '#core/domain/operations/operation.ts';
import { createProgressCoalescer, type CoalescerClock } from '../../worker/activities/progress-coalescing.ts';

/** A clock the test moves by hand: timers run when their time is passed. */
function manualClock() {
	let now = 0;
	let timers: Array<{ at: number; run: () => void; id: number }> = [];
	let next = 1;
	const clock: CoalescerClock = {
		setTimer(run, ms) {
			const id = next++;
			timers.push({ at: now + ms, run, id });
			return id;
		},
		clearTimer(id) {
			timers = timers.filter((timer) => timer.id !== id);
		}
	};
	return {
		clock,
		now: () => now,
		advance(ms: number) {
			const until = now + ms;
			for (;;) {
				const due = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
				if (!due) break;
				timers = timers.filter((timer) => timer !== due);
				now = due.at;
				due.run();
			}
			now = until;
		},
		get timers() {
			return timers.length;
		}
	};
}

const operation = (id: string, done: number): Operation => ({
	id,
	organizationId: 'org',
	kind: 'integration.update',
	scope: 'integrations',
	state: 'running',
	stages: [{ key: 'repos', label: 'Repositories', done, total: 1000 }],
	currentItem: null,
	startedBy: null,
	startedAt: '2026-12-02T00:00:00.000Z',
	endedAt: null,
	error: null,
	result: null,
	workflowId: `wf-${id}`,
	revision: done + 1,
	subjectLabel: null,
	cancelledBy: null,
	retries: 0,
	restarts: 0
});

function setUp() {
	const time = manualClock();
	const sent: Array<{ id: string; done: number; at: number }> = [];
	const coalescer = createProgressCoalescer((op) => sent.push({ id: op.id, done: op.stages[0]!.done, at: time.now() }), { windowMs: 100, clock: time.clock });
	return { time, sent, coalescer };
}

describe('coalescing progress per operation', () => {
	it('sends a report at once when its operation has sent nothing within the window', () => {
		const { time, sent, coalescer } = setUp();
		coalescer.offer(operation('a', 1));
		expect(sent).toEqual([{ id: 'a', done: 1, at: 0 }]);
		time.advance(150);
		coalescer.offer(operation('a', 2));
		expect(sent.at(-1)).toEqual({ id: 'a', done: 2, at: 150 });
	});

	it('merges a fast run of reports into one a window, and the newest always goes out', () => {
		const { time, sent, coalescer } = setUp();
		for (let done = 1; done <= 1000; done++) {
			coalescer.offer(operation('a', done));
			time.advance(1);
		}
		time.advance(500);
		// 1,000 reports over 1 s: the first at once, then one per 100 ms window.
		expect(sent.length).toBeLessThanOrEqual(11);
		expect(sent.at(-1)!.done).toBe(1000);
		for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(100);
		expect(time.timers).toBe(0);
	});

	it('keeps the newest revision when parallel reports return out of order', () => {
		const { time, sent, coalescer } = setUp();
		coalescer.offer(operation('a', 1));
		coalescer.offer(operation('a', 5));
		coalescer.offer(operation('a', 3));
		time.advance(100);
		expect(sent.map((s) => s.done)).toEqual([1, 5]);
	});

	it('windows each operation on its own', () => {
		const { sent, coalescer } = setUp();
		coalescer.offer(operation('a', 1));
		coalescer.offer(operation('b', 1));
		coalescer.offer(operation('a', 2));
		expect(sent.map((s) => s.id)).toEqual(['a', 'b']);
	});

	it('sends nothing held once the operation has ended, and holds nothing for it after', () => {
		const { time, sent, coalescer } = setUp();
		coalescer.offer(operation('a', 1));
		coalescer.offer(operation('a', 2));
		coalescer.drop('a');
		time.advance(1000);
		expect(sent.map((s) => s.done)).toEqual([1]);
		expect(time.timers).toBe(0);
	});
});
