// One line per benchmark, as the project states it:
// BENCH <id> <name> value=<n> unit=<u> baseline=<n> ratio=<n> target=<op><n>
export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return Number.NaN;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index]!;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function benchLine(input: { id: string; name: string; value: number; unit: string; baseline: number; target: string }): string {
	const ratio = input.baseline === 0 ? Number.NaN : input.value / input.baseline;
	return `BENCH ${input.id} ${input.name} value=${round(input.value)} unit=${input.unit} baseline=${round(input.baseline)} ratio=${round(ratio)} target=${input.target}`;
}
