// How many provider requests run at once for one repository: as many as the run allows while the
// quota is plentiful, fewer as it runs low (each lane keeps this much in reserve), one at the least.
import type { ApiQuota } from '../provider.ts';

const quotaPerLane = 100;

/** How many requests may be in flight now: fewer as the quota runs low, one at the least. */
export function lanesFor(quota: ApiQuota | undefined, most: number): number {
	if (!quota) return most;
	return Math.max(1, Math.min(most, Math.floor(quota.remaining / quotaPerLane)));
}

/** `work` over `items`, in order of results, with as many at once as `lanes()` says when each starts. */
export async function inLanes<T, R>(items: readonly T[], lanes: () => number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	let running = 0;
	let failure: unknown;
	await new Promise<void>((resolve) => {
		const pump = () => {
			if (failure !== undefined && running === 0) return resolve();
			if (next >= items.length && running === 0) return resolve();
			while (failure === undefined && next < items.length && running < lanes()) {
				const index = next++;
				running++;
				work(items[index]!).then(
					(result) => {
						results[index] = result;
						running--;
						pump();
					},
					(error: unknown) => {
						failure ??= error;
						running--;
						pump();
					}
				);
			}
		};
		pump();
	});
	if (failure !== undefined) throw failure;
	return results;
}
