// Socket.IO for browsers on an HTTP server, wired to this process's runtime: sessions checked at
// the handshake, the sockets' questions answered, and this process's broadcasts sent through it.
// Shared by the production server and `npm run dev` (relative imports: Vite loads this too).
import type { Server as HttpServer } from 'node:http';
import { authenticateSocket } from '#lib/server/auth/cookie-header.ts';
import { socketRequests } from '#lib/server/operations/socket-requests.ts';
import { attachRealtime, type RealtimeServer } from '#core/realtime/server.ts';
import { database, setRealtime } from '#lib/server/runtime.ts';

export function attachBrowserRealtime(httpServer: HttpServer, onError: (error: Error) => void): RealtimeServer {
	const io = attachRealtime(httpServer, database().pool, { onError, authenticate: authenticateSocket, requests: socketRequests });
	setRealtime(io);
	return io;
}
