// The worker process: runs workflows and activities, broadcasts progress to every web process.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { readSettings, requireSetting } from '#core/config.ts';
import { connectDatabase } from '#core/db/connect.ts';
import { createLogger } from '#core/logger.ts';
import { closeRealtime, createRealtimeServer } from '#core/realtime/server.ts';
import { createActivities } from './activities/index.ts';
import { killLeftoverGit, killRunningGit } from '#core/git/processes.ts';
import { removeAbandonedKeys } from '#core/git/ssh-keys.ts';
import { watchForLostOperations } from './lost-operations.ts';
import { recordRetries } from './retries.ts';
import { announceWorker } from './presence.ts';
import { bundleWorkflowsApart } from './workflow-bundle.ts';

const log = createLogger('worker');
// The SDK's own log (bundler output, state changes) only when something is wrong.
Runtime.install({ logger: new DefaultLogger(process.env.TEMPORAL_LOG_LEVEL === 'INFO' ? 'INFO' : 'WARN') });
const settings = readSettings();

// SSH keys of a worker killed while git ran would otherwise stay on disk.
const removedKeys = await removeAbandonedKeys(settings);
if (removedKeys > 0) log.info({ removedKeys }, 'removed SSH key files left by a stopped process');
// A worker killed outright (SIGKILL, a crash) cannot stop the git it started: stop it now, before
// a retry fetches the same mirror beside it.
const leftover = killLeftoverGit(settings.gitMirrorDir);
if (leftover > 0) log.info({ processes: leftover }, 'stopped git left running by a worker that died');
// Whatever way this process ends, no git of its own outlives it.
process.on('exit', killRunningGit);

const database = connectDatabase(requireSetting('DATABASE_URL', settings.databaseUrl), { name: 'tributary-worker' });
const io = createRealtimeServer(database.pool, {
	role: 'worker',
	onError: (error) => log.warn({ err: error.message }, 'realtime adapter error')
});
const connection = await NativeConnection.connect({
	address: requireSetting('TEMPORAL_ADDRESS', settings.temporalAddress)
});
// Asks Temporal where operations' workflows stand (the worker's own connection only runs tasks).
const temporalClient = new Client({
	connection: await Connection.connect({ address: requireSetting('TEMPORAL_ADDRESS', settings.temporalAddress) }),
	namespace: settings.temporalNamespace
});
const identity = `${os.hostname()}:${process.pid}`;
const worker = await Worker.create({
	connection,
	namespace: settings.temporalNamespace,
	taskQueue: settings.taskQueue,
	identity,
	workflowBundle: await bundleWorkflowsApart(fileURLToPath(new URL('../workflows/index.ts', import.meta.url))),
	// Checkpoints (heartbeat details) reach Temporal within a second, not 0.8 × the heartbeat
	// timeout: a retry after a killed worker resumes from where it was, not from up to 8 s before.
	maxHeartbeatThrottleInterval: '1 second',
	activities: createActivities({ db: database.db, pool: database.pool, io, settings }),
	interceptors: {
		activity: [recordRetries({ db: database.db, temporal: temporalClient, identity, onError: (error) => log.warn({ err: String(error) }, 'could not record a retry') })]
	}
});

const lostOperations = watchForLostOperations(
	{ db: database.db, io, temporal: temporalClient, intervalMs: settings.lostOperationsCheckMs },
	{
		onLost: (operation) => log.warn({ operationId: operation.id, kind: operation.kind, error: operation.error }, 'operation lost; marked failed'),
		onError: (error) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not check running operations with Temporal')
	}
);

const presence = announceWorker(database.db, settings.taskQueue, (error) =>
	log.warn({ err: String(error) }, 'could not record worker presence')
);
await presence.first;

let stopping = false;
function stop(reason: string) {
	if (stopping) return;
	stopping = true;
	log.info({ reason }, 'worker stopping');
	worker.shutdown();
	// Activities are cancelled by the shutdown; their git goes now, not when each notices.
	killRunningGit();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Started by `npm start`: end with the supervisor, never outlive it.
process.on('disconnect', () => stop('supervisor went away'));

log.info({ taskQueue: settings.taskQueue, pid: process.pid }, 'worker ready');
process.send?.({ type: 'ready' });
let exitCode = 0;
try {
	await worker.run();
} catch (error) {
	log.error({ err: error instanceof Error ? error.message : String(error) }, 'worker failed');
	exitCode = 1;
} finally {
	await lostOperations.stop();
	await presence.stop();
	await closeRealtime(io);
	await database.close();
	await connection.close();
	await temporalClient.connection.close();
	log.info('worker stopped');
	// Timers of the Socket.IO adapter would keep the process alive after everything closed.
	process.exit(exitCode);
}
