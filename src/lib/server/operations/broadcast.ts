// Operation events go to a room of the operation's organisation, from whichever process wrote
// them: no socket of another organisation is in those rooms.
import { can, type Actor } from '#lib/accounts/permissions.ts';
import type { SignedInUser } from '#lib/accounts/user.ts';
import type { Operation, OperationProgress } from '#lib/operations/operation.ts';
import { integrationsRoom, organizationRoom } from '#lib/realtime/events.ts';
import type { RealtimeServer } from '#lib/server/realtime/server.ts';

export function progressOf(operation: Operation): OperationProgress {
	const { id, organizationId, kind, scope, state, stages, currentItem, revision } = operation;
	return { id, organizationId, kind, scope, state, stages, currentItem, revision };
}

/** System operations go to everyone in the organisation; integration work only to its viewers. */
export function roomOf(operation: Pick<Operation, 'organizationId' | 'scope'>): string {
	return operation.scope === 'system' ? organizationRoom(operation.organizationId) : integrationsRoom(operation.organizationId);
}

/** Whether a user's sockets are in the operation's room: the same rule, asked of one user. */
export function canWatch(user: Pick<SignedInUser, 'organizationId'> & Actor, operation: Pick<Operation, 'organizationId' | 'scope'>): boolean {
	if (operation.organizationId !== user.organizationId) return false;
	return operation.scope === 'system' || can(user, 'integrations.view');
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
