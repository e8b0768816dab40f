import { describe, expect, it } from 'vitest';
import { applyProgress, operationPercent, operationTotals, type OperationProgress } from '#core/domain/operations/operation.ts';

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
		const held: OperationProgress = { id: 'op', organizationId: 'org', kind: 'k', scope: 's', state: 'running', stages, currentItem: 'x', revision: 7 };
		const older = { ...held, revision: 6, currentItem: 'old' };
		const newer = { ...held, revision: 8, currentItem: 'new' };
		expect(applyProgress(held, older)).toBe(held);
		expect(applyProgress(held, newer).currentItem).toBe('new');
		expect(applyProgress(held, { ...newer, id: 'other' })).toBe(held);
	});
});
