// The one module that knows how Socket.IO crosses processes. Today it is
// @socket.io/postgres-adapter (LISTEN/NOTIFY), which serves one modest cluster; a larger one swaps
// in a Redis-streams or NATS adapter here and nowhere else.
import os from 'node:os';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import type pg from 'pg';
import { createAsyncCommitPool } from '#core/db/connect.ts';
import { Server } from 'socket.io';
import type {
	ClientToServerEvents,
	InterServerEvents,
	RealtimePeer,
	ServerToClientEvents,
	SocketData
} from '#core/domain/realtime/events.ts';
import { can, type Actor } from '#core/domain/accounts/permissions.ts';
import { integrationsRoom, maxRequestedOperations, organizationRoom, roomOf, sessionRoom, signInRefusal, userRoom } from '#core/domain/realtime/events.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { leavePresence, servePresence, type IntegrationCheck } from './presence.ts';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Each server's own connections for the adapter (createAsyncCommitPool), ended with it. */
const adapterPools = new WeakMap<RealtimeServer, pg.Pool>();

export interface RealtimeOptions {
	role: RealtimePeer['role'];
	/** Where adapter errors go; they must never reach browsers. */
	onError: (error: Error) => void;
}

/**
 * A Socket.IO server joined to the cluster through Postgres. Without an HTTP server (the worker)
 * it only broadcasts: its events reach the browsers connected to every web process.
 */
export function createRealtimeServer(pool: pg.Pool, options: RealtimeOptions): RealtimeServer {
	const io: RealtimeServer = new Server({
		// Websocket only: long-polling would need sticky sessions behind a load balancer.
		transports: ['websocket'],
		serveClient: false,
		// A dropped connection is noticed within 15 s (the defaults take up to 45): presence leaves
		// with it, and the browser starts reconnecting sooner.
		pingInterval: 10_000,
		pingTimeout: 5_000
	});
	const adapterPool = createAsyncCommitPool(pool, `tributary-realtime-${options.role}`);
	adapterPools.set(io, adapterPool);
	io.adapter(createAdapter(adapterPool, { errorHandler: options.onError, heartbeatInterval: 5_000 }));
	const self: RealtimePeer = { role: options.role, pid: process.pid, host: os.hostname() };
	io.on('realtime.pinged', (_sentAt, reply) => reply(self));
	return io;
}

export interface Handshake {
	user: SocketData['user'];
	sessionId: string;
}

/** What a signed-in socket may ask of the server; each answer is limited to what the user may see. */
export interface SocketRequests {
	/** The operations among `ids` of the user's organisation, as they are now. */
	operations: (user: SocketData['user'], ids: string[]) => Promise<Operation[]>;
	/** Whether the integration is the user's organisation's (presence on its pages). */
	ownsIntegration: IntegrationCheck;
}

/**
 * Whether a handshake comes from a page of this site. Browsers send Origin with every WebSocket
 * handshake, and the session cookie goes along whichever site's page opens the socket: without
 * this, any site a signed-in person visits could listen to their organisation. The site is
 * ORIGIN when set (behind a proxy), else the host the request was sent to (HOST_HEADER's, when
 * set), as adapter-node reads them for pages.
 */
export function isOwnOrigin(headers: IncomingHttpHeaders, env: NodeJS.ProcessEnv = process.env): boolean {
	const origin = headers.origin;
	if (!origin) return false;
	try {
		if (env.ORIGIN) return new URL(origin).origin === new URL(env.ORIGIN).origin;
		const host = headers[(env.HOST_HEADER || 'host').toLowerCase()];
		return typeof host === 'string' && new URL(origin).host === new URL(`http://${host}`).host;
	} catch {
		return false;
	}
}

/** The rooms a socket of `user` belongs in, besides its session's. */
function roomsOf(user: SocketData['user']): string[] {
	const rooms = [organizationRoom(user.organizationId), userRoom(user.id)];
	if (can(user, 'integrations.view')) rooms.push(integrationsRoom(user.organizationId));
	return rooms;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Serves browsers on an HTTP server (the web process, and Vite's dev server). A socket must
 * present a valid session cookie at its handshake; it is then put in its own organisation's,
 * user's and session's rooms and nowhere else. Without a session it gets nothing.
 */
export function attachRealtime(
	httpServer: HttpServer,
	pool: pg.Pool,
	options: {
		onError: (error: Error) => void;
		authenticate: (cookieHeader: string | undefined) => Promise<Handshake | null>;
		requests: SocketRequests;
	}
): RealtimeServer {
	const io = createRealtimeServer(pool, { role: 'web', onError: options.onError });
	io.attach(httpServer, {
		allowRequest: (request, allow) => {
			const own = isOwnOrigin(request.headers);
			allow(own ? null : 'Not from this site.', own);
		}
	});
	io.use((socket, next) => {
		options.authenticate(socket.request.headers.cookie).then(
			(handshake) => {
				if (!handshake) return next(new Error(signInRefusal));
				socket.data.user = handshake.user;
				socket.data.sessionId = handshake.sessionId;
				next();
			},
			() => next(new Error('Could not check your session; try again.'))
		);
	});
	io.on('connection', (socket) => {
		const { user, sessionId } = socket.data;
		void socket.join([...roomsOf(user), sessionRoom(sessionId)]);
		// Anything from a browser is untrusted: malformed requests get no answer at all.
		socket.on('operations.requested', (ids, reply) => {
			if (typeof reply !== 'function' || !Array.isArray(ids) || ids.length > maxRequestedOperations) return;
			const wanted = ids.filter((id): id is string => typeof id === 'string' && uuidPattern.test(id));
			// Only what this socket's rooms would be told about: the same rule as every broadcast.
			const watched = (operations: Operation[]) => reply(operations.filter((operation) => socket.rooms.has(roomOf(operation))));
			options.requests.operations(socket.data.user, wanted).then(watched, (error: unknown) => {
				options.onError(error instanceof Error ? error : new Error(String(error)));
				reply([]);
			});
		});
		servePresence(io, socket, options.requests.ownsIntegration, options.onError);
	});
	return io;
}

/** Closes the browser connections of a user or a session, whichever process holds them. */
export function disconnectUser(io: RealtimeServer | undefined, userId: string): void {
	io?.in(userRoom(userId)).disconnectSockets(true);
}

/**
 * A user's level changed: their sockets, on every process, join or leave the rooms that level
 * hears (a user moved from view to none hears no more integration news). Resolves once the change
 * has gone out to the other processes, ahead of any later event.
 */
export async function applyLevelToSockets(
	io: RealtimeServer | undefined,
	user: Actor & { id: string; organizationId: string }
): Promise<void> {
	if (!io) return;
	const adapter = io.of('/').adapter;
	const sockets = { rooms: new Set([userRoom(user.id)]), except: new Set<string>() };
	const room = [integrationsRoom(user.organizationId)];
	// The cluster adapter publishes through Postgres and returns a promise; the typings say void.
	const published: Promise<void> | void = can(user, 'integrations.view') ? adapter.addSockets(sockets, room) : adapter.delSockets(sockets, room);
	await published;
	await leavePresence(io, userRoom(user.id), user);
}

export function disconnectSession(io: RealtimeServer | undefined, sessionId: string): void {
	io?.in(sessionRoom(sessionId)).disconnectSockets(true);
}

/**
 * Asks every other process in the cluster to answer; proves the path through Postgres both ways.
 * Returns whoever answered within the adapter's 5 s (a process that just died is still counted
 * as a member until its heartbeats stop, so it only delays the answer).
 */
export function pingCluster(io: RealtimeServer): Promise<RealtimePeer[]> {
	return new Promise((resolve) => {
		io.serverSideEmit('realtime.pinged', Date.now(), (_error: Error | null, peers: RealtimePeer[]) => resolve(peers ?? []));
	});
}

/**
 * Whether the adapter's LISTEN connection is up. The adapter keeps it private; this is the one
 * place that looks inside, so an adapter upgrade breaks one function, loudly, in a test.
 */
export function isListening(io: RealtimeServer): boolean {
	const adapter = io.of('/').adapter as unknown as { client?: { client?: unknown } };
	return adapter.client?.client !== undefined;
}

/** Leaves the cluster: releases the LISTEN connection; closes the HTTP side when there is one. */
export async function closeRealtime(io: RealtimeServer): Promise<void> {
	// A server never attached to HTTP has no engine, and Server.close() would throw on it.
	if ((io as unknown as { engine?: unknown }).engine) {
		await io.close();
	} else {
		await io.of('/').adapter.close();
	}
	const pool = adapterPools.get(io);
	if (pool) {
		// The adapter says goodbye to the cluster (ADAPTER_CLOSE) with a NOTIFY it does not wait for:
		// ending its connections first would lose it, and every other process would count this one
		// in for each presence list until its heartbeats time out (10 s of waiting answers).
		const deadline = Date.now() + 2_000;
		while ((pool.waitingCount > 0 || pool.idleCount < pool.totalCount) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
		if (!pool.ended) await pool.end();
	}
}
