// `npm run dev`: Vite's dev server hosts the same Socket.IO setup as the production server.
import type { Plugin } from 'vite';
import type { Server as HttpServer } from 'node:http';
import { closeRuntime } from '#lib/server/runtime.ts';
import { attachBrowserRealtime } from './browser-realtime.ts';

export function realtimeDevPlugin(): Plugin {
	return {
		name: 'tributary-realtime-dev',
		apply: 'serve',
		configureServer(server) {
			const httpServer = server.httpServer as HttpServer | null;
			if (!httpServer || !process.env.DATABASE_URL) return;
			attachBrowserRealtime(httpServer, (error) => server.config.logger.warn(`realtime: ${error.message}`));
			// Every config reload builds a new dev server: release this one's sockets and pool.
			httpServer.once('close', () => void closeRuntime());
		}
	};
}
