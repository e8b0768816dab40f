// The operation model shared by server, worker and browser: one run of long work with live
// progress. Every long action of the product (self-check, update, delete, bulk actions) is one.

export const operationStates = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type OperationState = (typeof operationStates)[number];

/** One step of an operation with its own count, e.g. "Postgres round trips 12 / 20". */
export interface OperationStage {
	key: string;
	label: string;
	done: number;
	total: number;
}

export interface Operation {
	id: string;
	organizationId: string;
	kind: string;
	scope: string;
	state: OperationState;
	stages: OperationStage[];
	currentItem: string | null;
	startedBy: string | null;
	startedAt: string;
	endedAt: string | null;
	error: string | null;
	result: Record<string, unknown> | null;
	workflowId: string;
	/** Grows with every write; lets a browser ignore an event older than what it already shows. */
	revision: number;
}

/** The part of an operation that changes while it runs (the payload of `operation.progressed`). */
export type OperationProgress = Pick<
	Operation,
	'id' | 'organizationId' | 'kind' | 'scope' | 'state' | 'stages' | 'currentItem' | 'revision'
>;

export function operationTotals(stages: readonly OperationStage[]): { done: number; total: number } {
	let done = 0;
	let total = 0;
	for (const stage of stages) {
		done += Math.min(stage.done, stage.total);
		total += stage.total;
	}
	return { done, total };
}

/** Whole percent, 0–100; an operation with nothing to count is 0 until it ends. */
export function operationPercent(operation: Pick<Operation, 'stages' | 'state'>): number {
	if (operation.state === 'succeeded') return 100;
	const { done, total } = operationTotals(operation.stages);
	return total === 0 ? 0 : Math.floor((done / total) * 100);
}

/**
 * Applies a progress event to what a viewer holds, unless the event is older than it (events
 * travel through several connections and may overtake one another).
 */
export function applyProgress<T extends OperationProgress>(current: T, event: OperationProgress): T {
	if (event.id !== current.id || event.revision <= current.revision) return current;
	return { ...current, ...event };
}
