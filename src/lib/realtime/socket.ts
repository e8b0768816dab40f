// The browser's one Socket.IO connection, opened on first use.
import { io, type Socket } from 'socket.io-client';
import { keepConnected } from './connection.svelte.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#core/domain/realtime/events.ts';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RealtimeSocket | undefined;

export function realtimeSocket(): RealtimeSocket {
	// Websocket only, like the server: no sticky sessions needed behind a load balancer.
	if (!socket) {
		socket = io({ transports: ['websocket'] });
		keepConnected(socket);
	}
	return socket;
}
