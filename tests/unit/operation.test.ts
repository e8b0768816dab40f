import { describe, expect, it } from 'vitest';
import { applyProgress, cancellation, operationPace, operationPercent, operationTotals, type OperationProgress } from '#core/domain/operations/operation.ts';
import { formatPace } from '../../src/lib/operations/states.ts';
import { timelineText } from '../../src/lib/operations/timeline.ts';

const stages = [
	{ key: 'a', label: 'A', done: 5, total: 10 },
	{ key: 'b', label: 'B', done: 0, total: 10 }
];

describe('operation progress', () => {
	it('adds the stages up, never counting more than a stage holds', () => {
		expect(operationTotals(stages)).toEqual({ done: 5, total: 20 });
		expect(operationTotals([{ key: 'x', label: 'X', done: 12, total: 10 }])).toEqual({ done: 10, total: 10 });
	});

	it('shows whole percents, and 100 once succeeded', () => {
		expect(operationPercent({ stages, state: 'running' })).toBe(25);
		expect(operationPercent({ stages: [], state: 'running' })).toBe(0);
		expect(operationPercent({ stages, state: 'succeeded' })).toBe(100);
	});

	it('ignores an event older than what the viewer holds', () => {
		const held: OperationProgress = { id: 'op', organizationId: 'org', kind: 'k', scope: 's', state: 'running', stages, currentItem: 'x', revision: 7, cancelledBy: null, retries: 0, restarts: 0 };
		const older = { ...held, revision: 6, currentItem: 'old' };
		const newer = { ...held, revision: 8, currentItem: 'new' };
		expect(applyProgress(held, older)).toBe(held);
		expect(applyProgress(held, newer).currentItem).toBe('new');
		expect(applyProgress(held, { ...newer, id: 'other' })).toBe(held);
	});
});

describe('pace and time left', () => {
	const started = '2026-12-01T10:00:00.000Z';
	const at = (seconds: number) => Date.parse(started) + seconds * 1000;
	const stages = (done: number, total: number) => [{ key: 'a', label: 'A', done, total }];

	it('is items per second since the start, and the rest at that rate', () => {
		expect(operationPace({ state: 'running', startedAt: started, stages: stages(300, 1_000) }, at(60))).toEqual({ perSecond: 5, remainingSeconds: 140 });
		expect(formatPace({ perSecond: 5, remainingSeconds: 140 })).toBe('5.0 items/s · about 3 min left');
		expect(formatPace({ perSecond: 1_234.4, remainingSeconds: 12.2 })).toBe('1,234 items/s · about 13 s left');
	});

	it('is unknown before anything is counted, and once it has ended', () => {
		expect(operationPace({ state: 'running', startedAt: started, stages: stages(0, 1_000) }, at(60))).toBeNull();
		expect(operationPace({ state: 'succeeded', startedAt: started, stages: stages(1_000, 1_000) }, at(60))).toBeNull();
		expect(formatPace(null)).toBe('');
	});
});

describe('who may cancel what', () => {
	it('lets the level that starts it cancel it, and never a deletion or an ended operation', () => {
		expect(cancellation({ kind: 'integration.update', scope: 'integration:x', state: 'running' })).toEqual({ allowed: true, permission: 'integrations.manage' });
		expect(cancellation({ kind: 'integrations.update-all', scope: 'integrations', state: 'running' })).toEqual({ allowed: true, permission: 'integrations.delete' });
		expect(cancellation({ kind: 'integration.delete', scope: 'integration:x', state: 'running' })).toMatchObject({ allowed: false, reason: expect.stringMatching(/deletion/) });
		expect(cancellation({ kind: 'integration.update', scope: 'integration:x', state: 'succeeded' })).toMatchObject({ allowed: false });
	});
});

describe('the timeline in words', () => {
	const event = (kind: string, detail: Record<string, unknown>) => ({ id: '1', at: '2026-12-01T10:00:00.000Z', kind, detail });

	it('says which worker was lost and whether the work carried on from its checkpoint', () => {
		const text = timelineText(event('restarted', { step: 'ingestRepo', attempt: 2, reason: 'activity Heartbeat timeout', previousWorker: 'host:1', worker: 'host:2', resumed: true }));
		expect(text.title).toBe('Survived a lost worker: ingest repo restarted (attempt 2)');
		expect(text.detail).toBe('The worker host:1 stopped answering (activity Heartbeat timeout); host:2 took over. It carried on from its last checkpoint.');
	});

	it('names who started and who cancelled, and how it ended', () => {
		expect(timelineText(event('started', { by: 'a@b.example' }))).toEqual({ title: 'Started', detail: 'by a@b.example' });
		expect(timelineText(event('cancel-requested', { by: 'a@b.example' }))).toEqual({ title: 'Cancellation requested', detail: 'by a@b.example' });
		expect(timelineText(event('finished', { state: 'failed', error: 'No route to host.' }))).toEqual({ title: 'Failed', detail: 'No route to host.' });
	});
});
