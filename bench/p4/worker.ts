// A worker process for the P4 benchmark: the product's realtime and progress modules, a real
// Temporal worker, in a process of its own (as the product's worker is).
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { readSettings, requireSetting } from '#core/config.ts';
import { connectDatabase } from '#core/db/connect.ts';
import { closeRealtime, createRealtimeServer } from '#core/realtime/server.ts';
import { createProgressReporter } from '../../worker/activities/progress.ts';
import { createBenchActivities } from './activities.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });
const settings = readSettings();
const database = connectDatabase(requireSetting('DATABASE_URL', settings.databaseUrl), { name: 'tributary-bench-worker' });
const io = createRealtimeServer(database.pool, { role: 'worker', onError: (error) => console.error(error.message) });
const connection = await NativeConnection.connect({ address: requireSetting('TEMPORAL_ADDRESS', settings.temporalAddress) });
const worker = await Worker.create({
	connection,
	namespace: settings.temporalNamespace,
	taskQueue: settings.taskQueue,
	workflowsPath: fileURLToPath(new URL('./workflow.ts', import.meta.url)),
	activities: createBenchActivities({ db: database.db, io, progress: createProgressReporter(database.db, database.pool, io) })
});
process.on('SIGTERM', () => worker.shutdown());
process.on('disconnect', () => worker.shutdown());
process.send?.({ type: 'ready' });
await worker.run();
await closeRealtime(io);
await database.close();
await connection.close();
process.exit(0);
