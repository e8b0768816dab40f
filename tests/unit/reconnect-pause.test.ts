// A refused handshake is tried again after a pause that doubles, up to a ceiling, with jitter.
import { describe, expect, it } from 'vitest';
import { pauseAfter } from '../../src/lib/realtime/reconnect-pause.ts';

describe('the pause before another handshake', () => {
	it('doubles from one second up to thirty', () => {
		const longest = (refusals: number) => pauseAfter(refusals, () => 1);
		expect([1, 2, 3, 4, 5, 6, 7, 20].map(longest)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
	});

	it('is never shorter than half of that, so pages cut off together spread out', () => {
		expect(pauseAfter(3, () => 0)).toBe(2_000);
		expect(pauseAfter(3, () => 0.5)).toBe(3_000);
	});
});
