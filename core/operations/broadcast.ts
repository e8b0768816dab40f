// Operation events go to a room of the operation's organisation, from whichever process wrote
// them: no socket of another organisation is in those rooms.
import type { Operation, OperationProgress } from '#core/domain/operations/operation.ts';
import { roomOf } from '#core/domain/realtime/events.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';

export function progressOf(operation: Operation): OperationProgress {
	const { id, organizationId, kind, scope, state, stages, currentItem, revision, cancelledBy, retries, restarts } = operation;
	return { id, organizationId, kind, scope, state, stages, currentItem, revision, cancelledBy, retries, restarts };
}

export function broadcastStarted(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(roomOf(operation)).emit('operation.started', operation);
}

export function broadcastProgress(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(roomOf(operation)).emit('operation.progressed', progressOf(operation));
}

export function broadcastFinished(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(roomOf(operation)).emit('operation.finished', operation);
}
