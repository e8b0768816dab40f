// The web process's HTTP server: SvelteKit's adapter-node handler plus Socket.IO. Used by
// web/index.ts and by the benchmarks, which measure the real thing in their own process.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '#core/logger.ts';
import type { RealtimeServer } from '#core/realtime/server.ts';
import { closeRuntime } from '#lib/server/runtime.ts';
import { attachBrowserRealtime } from './browser-realtime.ts';

export interface WebServer {
	server: http.Server;
	io: RealtimeServer;
	close(): Promise<void>;
}

export async function startWebServer(options: { port: number; host: string; log: Logger }): Promise<WebServer> {
	const { log } = options;
	const handlerFile = fileURLToPath(new URL('../build/handler.js', import.meta.url));
	if (!existsSync(handlerFile)) {
		throw new Error('build/handler.js is missing: run `npm run build` first (npm start does it for you).');
	}
	// adapter-node assumes https unless told otherwise, which would make every form post look
	// cross-site on plain http. This server speaks plain http, so it says so through a header of its
	// own that it always overwrites (a client cannot smuggle it in). Behind a TLS proxy, set ORIGIN or
	// PROTOCOL_HEADER as adapter-node documents, and this stays out of the way.
	const ownProtocolHeader = 'x-tributary-protocol';
	const trustOwnHeader = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
	if (trustOwnHeader) process.env.PROTOCOL_HEADER = ownProtocolHeader;
	const { handler } = (await import(handlerFile)) as { handler: http.RequestListener };

	const server = http.createServer((req, res) => {
		if (trustOwnHeader) req.headers[ownProtocolHeader] = 'http';
		handler(req, res);
	});
	const io = attachBrowserRealtime(server, (error) => log.warn({ err: error.message }, 'realtime adapter error'));

	await new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is already in use: set PORT to another port.`) : error)
		);
		server.listen(options.port, options.host, resolve);
	});
	return {
		server,
		io,
		async close() {
			server.closeIdleConnections();
			// Closes Socket.IO (and with it the HTTP server), Temporal's connection and the pool.
			await closeRuntime();
		}
	};
}
