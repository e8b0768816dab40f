// Operation events go to the room of the operation's scope, from whichever process wrote them.
import type { Operation, OperationProgress } from '#lib/operations/operation.ts';
import type { RealtimeServer } from '#lib/server/realtime/server.ts';

export function progressOf(operation: Operation): OperationProgress {
	const { id, kind, scope, state, stages, currentItem, revision } = operation;
	return { id, kind, scope, state, stages, currentItem, revision };
}

export function broadcastStarted(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(operation.scope).emit('operation.started', operation);
}

export function broadcastProgress(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(operation.scope).emit('operation.progressed', progressOf(operation));
}

export function broadcastFinished(io: RealtimeServer | undefined, operation: Operation): void {
	io?.to(operation.scope).emit('operation.finished', operation);
}
