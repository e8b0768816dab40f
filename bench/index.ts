// `npm run bench`: each benchmark measures the product beside a baseline in the same run and
// prints one BENCH line. Engines are real and fresh: a Postgres and a Temporal of their own.
import { createDatabase, databaseUrl, dropDatabase, startTestEngines } from '../tests/support/engines.ts';
import { buildIfStale } from '../scripts/build.ts';
import { requireNode } from '../scripts/node-version.ts';
import { benchProgressToBrowser } from './p4/progress-to-browser.ts';

requireNode();
const root = new URL('..', import.meta.url).pathname;
await buildIfStale(root, (line) => console.log(`[bench] ${line}`));
const engines = await startTestEngines();
const name = `tributary_bench_${process.pid}`;
await createDatabase(engines.postgresUrl, name, engines.templateDatabase);
const taskQueue = `bench-${process.pid}`;
Object.assign(process.env, {
	DATABASE_URL: databaseUrl(engines.postgresUrl, name),
	TEMPORAL_ADDRESS: engines.temporalAddress,
	TEMPORAL_TASK_QUEUE: taskQueue,
	LOG_LEVEL: 'warn',
	NODE_ENV: 'production'
});

const lines: string[] = [];
let failed = false;
try {
	lines.push(await benchProgressToBrowser({ temporalAddress: engines.temporalAddress, taskQueue }));
} catch (error) {
	failed = true;
	console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
	await dropDatabase(engines.postgresUrl, name).catch(() => {});
	await engines.stop();
}
console.log('');
for (const line of lines) console.log(line);
process.exit(failed ? 1 : 0);
