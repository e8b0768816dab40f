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
	/** What it acts on, named when it started (an integration's name outlives the integration). */
	subjectLabel: string | null;
	/** Who asked for it to stop (an email), once someone has. */
	cancelledBy: string | null;
	/** Attempts of its activities after the first, and how many of those followed a lost worker. */
	retries: number;
	restarts: number;
}

/** One entry of an operation's timeline: started, a stage done, a retry or restart, a cancellation request, its end. */
export interface OperationEvent {
	id: string;
	at: string;
	kind: string;
	detail: Record<string, unknown>;
}

/** The part of an operation that changes while it runs (the payload of `operation.progressed`). */
export type OperationProgress = Pick<
	Operation,
	'id' | 'organizationId' | 'kind' | 'scope' | 'state' | 'stages' | 'currentItem' | 'revision' | 'cancelledBy' | 'retries' | 'restarts'
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

/**
 * How fast a running operation moves and when it should end, from its counts so far: items per
 * second since it started, and the seconds its remaining items take at that rate. Unknown (null)
 * until it has counted something, and for an operation that has ended.
 */
export function operationPace(
	operation: Pick<Operation, 'stages' | 'state' | 'startedAt'>,
	now: number
): { perSecond: number; remainingSeconds: number } | null {
	if (operation.state !== 'running') return null;
	const { done, total } = operationTotals(operation.stages);
	const elapsed = (now - Date.parse(operation.startedAt)) / 1000;
	if (done === 0 || elapsed <= 0) return null;
	const perSecond = done / elapsed;
	return { perSecond, remainingSeconds: Math.max(0, total - done) / perSecond };
}

/**
 * Whether an operation can be cancelled, and the permission that takes: the one that starts it.
 * A deletion cannot: half an integration would be left, with nothing to resume it but deleting
 * again. Ended operations have nothing to stop.
 */
export function cancellation(
	operation: Pick<Operation, 'kind' | 'scope' | 'state'>
): { allowed: true; permission: 'integrations.manage' | 'integrations.delete' | 'system.run' } | { allowed: false; reason: string } {
	if (operation.state !== 'running') return { allowed: false, reason: 'It has already ended.' };
	if (operation.kind === 'integration.delete') return { allowed: false, reason: 'A deletion cannot be stopped once it has started.' };
	if (operation.kind === 'system.self-check') return { allowed: true, permission: 'system.run' };
	// Actions for all integrations are the delete level's; those of one integration the manage level's.
	return { allowed: true, permission: operation.scope === 'integrations' ? 'integrations.delete' : 'integrations.manage' };
}
