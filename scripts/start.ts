// `npm start` (and `npm run dev` with --dev): the whole system on one machine. Brings up
// PostgreSQL and Temporal (embedded unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise),
// migrates, builds when sources changed, then runs and supervises the worker and the web server.
// Ctrl-C stops everything in order: web and worker first, Temporal, then PostgreSQL.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readSettings } from '#core/config.ts';
import { connectDatabase } from '#core/db/connect.ts';
import { migrateToLatest } from '#core/db/migrate.ts';
import { buildIfStale } from './build.ts';
import { startDemoSimulator } from './engines/simulator.ts';
import type { RunningSimulator } from '../simulator/launch.ts';
import { addDemoAzureIntegration, addDemoBitbucketIntegration, addDemoGitHubIntegration, addDemoGitLabIntegration, addDemoIntegration, addDemoJiraIntegration, connectDemoWebhook, demoRepositoryPaths, readDemoSignIns, saveDemoSignIns, seedDemo, signInLine } from './demo-data.ts';
import { devSecretKey } from './secret-key.ts';
import { isPortFree, waitForPort } from './engines/ports.ts';
import { startEmbeddedPostgres } from './engines/postgres.ts';
import { stopChild, writePidFile } from './engines/processes.ts';
import { startTemporalDevServer } from './engines/temporal.ts';
import { requireNode } from './node-version.ts';
import { logFormat, logRelay } from './log-lines.ts';

const dev = process.argv.includes('--dev');
const say = (line: string) => console.log(`[tributary] ${line}`);
const root = path.resolve(import.meta.dirname, '..');

requireNode();
const settings = readSettings();
const format = logFormat();
mkdirSync(path.join(settings.dataDir, 'run'), { recursive: true });

const stops: Array<() => Promise<void>> = [];
const children = new Set<ChildProcess>();
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
	if (!shuttingDown) {
		shuttingDown = true;
		say('stopping…');
		await Promise.all([...children].map((child) => stopChild(child, 'SIGTERM', 15_000)));
		for (const stop of stops.reverse()) await stop().catch((error) => say(`while stopping: ${String(error)}`));
		say('stopped');
	}
	process.exit(code);
}
// Ctrl-C in a terminal reaches this process twice: from the terminal (the whole foreground group)
// and from npm, which passes on what it receives. The two arrive together; only a Ctrl-C pressed
// again a moment later means "stop now, without waiting".
let firstInterrupt = 0;
process.on('SIGINT', () => {
	if (!shuttingDown) {
		firstInterrupt = Date.now();
		return void shutdown(0);
	}
	if (Date.now() - firstInterrupt > 1_000) process.exit(130);
});
process.on('SIGTERM', () => void shutdown(0));
// Whoever started this process (npm, a service manager) may end without a signal reaching it (it
// was killed, or a shell between them did not pass it on): then stop in order rather than run on,
// holding the port, with nobody to stop it. Linux hands an orphan to another parent.
const startedBy = process.ppid;
setInterval(() => {
	if (process.ppid !== startedBy && !shuttingDown) {
		say('the process that started this one has ended');
		void shutdown(0);
	}
}, 500).unref();

try {
	await main();
} catch (error) {
	// A step cut short by a stop under way (a Ctrl-C reaches the programs a step runs too) is no
	// failure: that stop goes on, in order, and ends the process.
	if (!shuttingDown) {
		console.error(`\n[tributary] ${error instanceof Error ? error.message : String(error)}\n`);
		await shutdown(1);
	}
}

async function main() {
	if (!(await isPortFree(settings.port, '0.0.0.0'))) {
		throw new Error(`Port ${settings.port} is already in use. Set PORT to another port, e.g. PORT=3100 npm start.`);
	}

	let databaseUrl = settings.databaseUrl;
	let seeded = false;
	if (databaseUrl) {
		say(`PostgreSQL: DATABASE_URL (${redact(databaseUrl)})`);
	} else {
		say('starting embedded PostgreSQL…');
		const postgres = await startEmbeddedPostgres(settings.dataDir);
		stops.push(postgres.stop);
		databaseUrl = postgres.url;
	}
	const database = connectDatabase(databaseUrl, { max: 2, name: 'tributary-migrate' });
	try {
		const applied = await migrateToLatest(database.db);
		if (applied.length > 0) say(`database migrated: ${applied.join(', ')}`);
		// Demo data only in the embedded database, and only while it has no organisation yet: never
		// in a database you configured.
		if (!settings.databaseUrl && !(await database.db.selectFrom('organizations').select('id').limit(1).executeTakeFirst())) {
			seeded = true;
			saveDemoSignIns(settings.dataDir, await seedDemo(database.db));
			say('demo organisations and users created');
		}
	} finally {
		await database.close();
	}

	let temporalAddress = settings.temporalAddress;
	let temporalUiUrl = settings.temporalUiUrl;
	if (temporalAddress) {
		say(`Temporal: TEMPORAL_ADDRESS (${temporalAddress})`);
	} else {
		say('starting the Temporal dev server…');
		const temporal = await startTemporalDevServer(settings.dataDir, say);
		stops.push(temporal.stop);
		temporalAddress = temporal.address;
		temporalUiUrl ??= temporal.uiUrl;
	}

	if (!dev) await buildIfStale(root, say);

	// On embedded defaults, a simulated GitHub Enterprise Server for the demo (never with your own database).
	let simulator: RunningSimulator | undefined;
	if (!settings.databaseUrl) {
		simulator = await startDemoSimulator(settings.dataDir);
		stops.push(() => simulator!.stop());
	}

	const env: NodeJS.ProcessEnv = {
		...process.env,
		TRIBUTARY_SECRET_KEY: process.env.TRIBUTARY_SECRET_KEY ?? devSecretKey(settings.dataDir, say),
		// Local paths stay off (TRIBUTARY_GIT_SCHEMES: https and ssh unless set), but for the
		// embedded-default demo's own repositories.
		TRIBUTARY_GIT_LOCAL_REPOS: process.env.TRIBUTARY_GIT_LOCAL_REPOS ?? (settings.databaseUrl ? '' : demoRepositoryPaths(root, settings.dataDir).join(path.delimiter)),
		// The demo simulator answers on loopback, which is otherwise refused (like any private address).
		TRIBUTARY_GIT_PRIVATE_NETWORKS: process.env.TRIBUTARY_GIT_PRIVATE_NETWORKS ?? (simulator ? '127.0.0.1/32' : ''),
		DATABASE_URL: databaseUrl,
		TEMPORAL_ADDRESS: temporalAddress,
		TEMPORAL_UI_URL: temporalUiUrl ?? '',
		TRIBUTARY_DATA_DIR: settings.dataDir,
		PORT: String(settings.port),
		NODE_ENV: dev ? 'development' : 'production',
	};

	const worker = supervise('worker', path.join(root, 'worker/index.ts'), [], env);
	const web = dev
		? supervise('web', path.join(root, 'node_modules/vite/bin/vite.js'), ['dev', '--port', String(settings.port), '--strictPort'], env)
		: supervise('web', path.join(root, 'web/index.ts'), [], env);
	await Promise.all([worker, web]);
	// The simulated GitHub first: it is ready at once, while the demo repository takes a while to generate.
	if (simulator) {
		if (seeded) {
			await addDemoGitHubIntegration(simulator, env, say);
			await addDemoGitLabIntegration(simulator, env, say);
			await addDemoBitbucketIntegration(simulator, env, say);
			await addDemoAzureIntegration(simulator, env, say);
			await addDemoJiraIntegration(simulator, env, say);
		}
		await connectDemoWebhook(simulator, `http://127.0.0.1:${settings.port}`, env, say);
	}
	if (seeded) await addDemoIntegration(root, settings.dataDir, env, say);

	console.log('');
	say(`app:         http://localhost:${settings.port}`);
	say(`system page: http://localhost:${settings.port}/system`);
	if (temporalUiUrl) say(`Temporal UI: ${temporalUiUrl}`);
	if (simulator) {
		say(`simulator:   ${simulator.https} (a simulated GitHub Enterprise Server for the demo, not GitHub; its control API: ${simulator.http}/_simulator/stats)`);
		say(`             ${simulator.gitlab.https} (a simulated self-managed GitLab, not GitLab; ${simulator.http}/_simulator/gitlab/stats)`);
		say(`             ${simulator.bitbucketDataCenter.https} (a simulated Bitbucket Data Center, not Bitbucket; ${simulator.http}/_simulator/bitbucket-dc/stats)`);
		say(`             ${simulator.azureDevOps.https}/${simulator.azureDevOps.organizations[0]} (a simulated Azure DevOps organisation, not Azure; ${simulator.http}/_simulator/azure-devops/stats)`);
		say(`             ${simulator.jiraDataCenter.https} (a simulated Jira Data Center, not Jira; ${simulator.http}/_simulator/jira/dc/stats)`);
	}
	if (!settings.databaseUrl) {
		say(`database:    ${databaseUrl}`);
		for (const signIn of readDemoSignIns(settings.dataDir)) console.log(signInLine(signIn));
	}
	say(`logs:        ${path.join(settings.dataDir, 'logs')}${format === 'json' ? '' : ' (JSON; LOG_FORMAT=json prints it here too)'}`);
	say('press Ctrl-C to stop');
}

/**
 * Runs a Node program and restarts it when it dies unexpectedly (a crashed or killed worker comes
 * back, and Temporal hands it the work it was doing). Resolves when the first run is ready.
 */
function supervise(name: string, file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
	const pidFile = path.join(settings.dataDir, 'run', `${name}.pid`);
	let restarts = 0;
	const logs = logRelay(name, settings.dataDir, format);
	return new Promise((resolveReady, rejectReady) => {
		let ready = false;
		const launch = () => {
			const child = fork(file, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
			children.add(child);
			logs.attach(child.stdout!, child.stderr!);
			writePidFile(pidFile, child.pid);
			child.on('message', (message: { type?: string }) => {
				if (message?.type === 'ready' && !ready) {
					ready = true;
					resolveReady();
				}
			});
			// Vite sends no "ready" message: its dev server is ready once its port answers.
			if (file.endsWith('vite.js')) {
				waitForPort(settings.port, 60_000).then(
					() => !ready && ((ready = true), resolveReady()),
					(error: Error) => rejectReady(error)
				);
			}
			child.once('exit', (code, signal) => {
				children.delete(child);
				if (shuttingDown) return;
				if (!ready) return rejectReady(new Error(`The ${name} stopped while starting (${signal ?? `exit ${code}`}).`));
				restarts++;
				const delay = Math.min(1_000 * restarts, 10_000);
				say(`${name} stopped (${signal ?? `exit ${code}`}); restarting in ${delay / 1000} s`);
				setTimeout(() => !shuttingDown && launch(), delay);
			});
		};
		launch();
	});
}

function redact(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return 'unparsable URL';
	}
}
