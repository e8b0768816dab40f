// The one event map shared by the Socket.IO server (web), the broadcaster (worker) and the
// browser client. Events are named in the past tense: they report what happened.
import type { Operation, OperationProgress } from '#lib/operations/operation.ts';

export interface ServerToClientEvents {
	'operation.started': (operation: Operation) => void;
	'operation.progressed': (progress: OperationProgress) => void;
	'operation.finished': (operation: Operation) => void;
}

// The browser only listens for now; subscriptions arrive with permissions (accounts issue).
export type ClientToServerEvents = Record<string, never>;

export interface RealtimePeer {
	role: 'web' | 'worker';
	pid: number;
	host: string;
}

/** Between server processes (web and worker), through the Postgres adapter. */
export interface InterServerEvents {
	'realtime.pinged': (sentAt: number, reply: (peer: RealtimePeer) => void) => void;
}

export type SocketData = Record<string, never>;

/**
 * Every broadcast goes to the room named after the operation's scope ("system" for now). The
 * accounts issue turns scopes into organisation rooms that a socket may join only when allowed.
 */
export const systemRoom = 'system';
