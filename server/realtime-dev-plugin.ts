// `npm run dev`: Vite's dev server hosts the same Socket.IO setup as the production server.
import type { Plugin } from 'vite';
import type { Server as HttpServer } from 'node:http';
import { attachRealtime } from '../src/lib/server/realtime/server.ts';
import { socketRequests } from '../src/lib/server/operations/socket-requests.ts';
import { authenticateSocket } from '../src/lib/server/auth/cookie-header.ts';
import { closeRuntime, database, setRealtime } from '../src/lib/server/runtime.ts';

export function realtimeDevPlugin(): Plugin {
	return {
		name: 'tributary-realtime-dev',
		apply: 'serve',
		configureServer(server) {
			const httpServer = server.httpServer as HttpServer | null;
			if (!httpServer || !process.env.DATABASE_URL) return;
			setRealtime(
				attachRealtime(httpServer, database().pool, {
					onError: (error) => server.config.logger.warn(`realtime: ${error.message}`),
					authenticate: authenticateSocket,
					requests: socketRequests
				})
			);
			// Every config reload builds a new dev server: release this one's sockets and pool.
			httpServer.once('close', () => void closeRuntime());
		}
	};
}
