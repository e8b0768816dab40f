// The web process: SvelteKit's adapter-node handler plus Socket.IO on one HTTP server.
// Run after `vite build`; `npm start` runs it for you.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSettings } from '#lib/server/config.ts';
import { createLogger } from '#lib/server/logger.ts';
import { attachRealtime } from '#lib/server/realtime/server.ts';
import { closeRuntime, database, setRealtime } from '#lib/server/runtime.ts';

const log = createLogger('web');
const settings = readSettings();
const handlerFile = fileURLToPath(new URL('../build/handler.js', import.meta.url));
if (!existsSync(handlerFile)) {
	log.error('build/handler.js is missing: run `npm run build` first (npm start does it for you).');
	process.exit(1);
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
setRealtime(attachRealtime(server, database().pool, (error) => log.warn({ err: error.message }, 'realtime adapter error')));

server.once('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EADDRINUSE') {
		log.error(`Port ${settings.port} is already in use: set PORT to another port.`);
	} else {
		log.error({ err: error.message }, 'web server failed');
	}
	process.exit(1);
});
server.listen(settings.port, process.env.HOST ?? '0.0.0.0', () => {
	log.info({ port: settings.port, pid: process.pid }, 'web ready');
	process.send?.({ type: 'ready' });
});

let stopping = false;
async function stop(reason: string) {
	if (stopping) return;
	stopping = true;
	log.info({ reason }, 'web stopping');
	// Socket.IO's close also closes the HTTP server; open sockets are told to go.
	server.closeIdleConnections();
	await closeRuntime();
	process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('disconnect', () => void stop('supervisor went away'));
