// Runs `work` over `items`, at most `limit` at once, keeping results in input order. Deterministic:
// it only awaits promises handed to it (child workflows, activities), so replays match.
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	async function lane(): Promise<void> {
		while (next < items.length) {
			const index = next++;
			results[index] = await work(items[index]!);
		}
	}
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => lane()));
	return results;
}
