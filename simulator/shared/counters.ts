// Request counters per API, for "the second update made N calls" assertions: every request by
// the kind of its route and by the status it got.

export interface RequestCounters {
	total: number;
	byKind: Record<string, number>;
	byStatus: Record<string, number>;
}

export function newCounters(): RequestCounters {
	return { total: 0, byKind: {}, byStatus: {} };
}

export function countRequest(counters: RequestCounters, kind: string): void {
	counters.total++;
	counters.byKind[kind] = (counters.byKind[kind] ?? 0) + 1;
}

export function countStatus(counters: RequestCounters, status: number): void {
	counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
}

export function resetCounters(counters: RequestCounters): void {
	counters.total = 0;
	counters.byKind = {};
	counters.byStatus = {};
}
