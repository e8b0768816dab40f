// The web process. Run after `vite build`; `npm start` runs it for you.
import { readSettings } from '#core/config.ts';
import { createLogger } from '#core/logger.ts';
import { startWebServer, type WebServer } from './web-server.ts';

const log = createLogger('web');
const settings = readSettings();

let web: WebServer;
try {
	web = await startWebServer({ port: settings.port, host: process.env.HOST ?? '0.0.0.0', log });
} catch (error) {
	log.error(error instanceof Error ? error.message : String(error));
	process.exit(1);
}
log.info({ port: settings.port, pid: process.pid }, 'web ready');
process.send?.({ type: 'ready' });

let stopping = false;
async function stop(reason: string) {
	if (stopping) return;
	stopping = true;
	log.info({ reason }, 'web stopping');
	await web.close();
	process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// Started by `npm start`: end with the supervisor, never outlive it.
process.on('disconnect', () => void stop('supervisor went away'));
