// Starting long work from the web process: the person starting it gives the organisation and the
// "started by"; the rest is core/operations/start.ts, which the worker's planning shares.
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { readSettings } from '#core/config.ts';
import { OperationAlreadyRunningError } from '#core/operations/queries.ts';
import type { OperationKind } from '#core/operations/registry.ts';
import { startOperation as start, type OperationRequest } from '#core/operations/start.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';

/** Who starts it: a signed-in person, or the system on someone's behalf (a webhook names its provider). */
export type Starter = Pick<SignedInUser, 'organizationId' | 'email'>;

export function startOperation<K extends OperationKind>(user: Starter, request: Omit<OperationRequest<K>, 'organizationId' | 'startedBy'>): Promise<Operation> {
	return start(
		{ db: database().db, temporal: temporal(), io: realtime(), taskQueue: readSettings().taskQueue },
		{ ...request, organizationId: user.organizationId, startedBy: user.email }
	);
}

/** Starts it, or answers `undefined` when one of the same kind and scope is already running. */
export async function startUnlessRunning(start: () => Promise<Operation>): Promise<Operation | undefined> {
	try {
		return await start();
	} catch (error) {
		if (error instanceof OperationAlreadyRunningError) return undefined;
		throw error;
	}
}

/** Starts one operation per item; returns how many started and the names of those already running. */
export async function startEach<T extends { name: string }>(items: readonly T[], start: (item: T) => Promise<Operation>): Promise<{ started: number; skipped: string[] }> {
	let started = 0;
	const skipped: string[] = [];
	for (const item of items) {
		if (await startUnlessRunning(() => start(item))) started++;
		else skipped.push(item.name);
	}
	return { started, skipped };
}
