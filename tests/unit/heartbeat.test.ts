// Heartbeats from providers, which call on every answer, go out at most once per window.
import { describe, expect, it } from 'vitest';
import { atMostEvery } from '../../worker/activities/heartbeat.ts';

describe('atMostEvery', () => {
	it('passes the first call at once and drops the rest until the window has passed', () => {
		let now = 1_000;
		const sent: number[] = [];
		const beat = atMostEvery(200, () => sent.push(now), () => now);
		beat();
		for (now = 1_001; now < 1_200; now += 10) beat();
		now = 1_200;
		beat();
		beat();
		now = 1_399;
		beat();
		now = 1_400;
		beat();
		expect(sent).toEqual([1_000, 1_200, 1_400]);
	});
});
