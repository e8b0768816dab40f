// Every git Tributary starts runs in its own process group, so that stopping it also stops what it
// started (ssh, index-pack, upload-pack). Such a group outlives the process that started it unless
// someone kills it: a stopping worker kills its own (killRunningGit); a worker killed outright has
// its launcher kill them (launcher-process.ts); when both die, whoever next works on the same
// mirrors kills what they left (killLeftoverGit, killGitOn), from the small records kept here, one
// file per running git, in `<gitMirrorDir>/.processes`.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface GitRecord {
	/** The git process, which leads its group: its pid is the group's id. */
	pid: number;
	/** When it started (Linux's clock ticks since boot), so that a reused pid is never killed. */
	startedAt: string | null;
	/** The process that started it (a worker, or a web process testing a URL). */
	owner: number;
	ownerStartedAt: string | null;
	/** The mirror it works on, if any. */
	gitDir: string | null;
}

/** This process's running git groups, by pid. */
const running = new Map<number, string>();

const recordsDirectory = (mirrorDir: string) => path.join(mirrorDir, '.processes');

/** A process's start time from /proc (null where there is no /proc, or no such process). */
function startTime(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name, in parentheses, may itself hold spaces: count fields after it.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
	} catch {
		return null;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function killGroup(pid: number): void {
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// Already gone.
	}
}

const ownStartTime = startTime(process.pid);

/** Notes a git that was just started; the returned function forgets it once it has exited. */
export function trackGit(pid: number, mirrorDir: string, gitDir: string | undefined): () => void {
	const file = path.join(recordsDirectory(mirrorDir), String(pid));
	running.set(pid, file);
	try {
		mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
		const record: GitRecord = { pid, startedAt: startTime(pid), owner: process.pid, ownerStartedAt: ownStartTime, gitDir: gitDir ?? null };
		writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
	} catch {
		// Without a record only the clean-up after a crash is lost; git itself is fine.
	}
	return () => {
		running.delete(pid);
		rmSync(file, { force: true });
	};
}

/** Kills every git this process started and that still runs (a worker stopping, or exiting). */
export function killRunningGit(): void {
	for (const [pid, file] of running) {
		killGroup(pid);
		rmSync(file, { force: true });
	}
	running.clear();
}

function readRecords(mirrorDir: string): Array<{ file: string; record: GitRecord }> {
	const dir = recordsDirectory(mirrorDir);
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	const records: Array<{ file: string; record: GitRecord }> = [];
	for (const name of names) {
		const file = path.join(dir, name);
		try {
			records.push({ file, record: JSON.parse(readFileSync(file, 'utf8')) as GitRecord });
		} catch {
			rmSync(file, { force: true });
		}
	}
	return records;
}

/**
 * Kills a recorded git group unless its pid now belongs to another process. A group whose leader
 * has exited keeps its id reserved while any member lives, so killing by that id stays safe.
 */
function killRecorded(file: string, record: GitRecord): boolean {
	const leaderAlive = isAlive(record.pid);
	if (leaderAlive && (record.startedAt === null || startTime(record.pid) !== record.startedAt)) {
		rmSync(file, { force: true });
		return false;
	}
	killGroup(record.pid);
	rmSync(file, { force: true });
	return leaderAlive;
}

const ownerGone = (record: GitRecord) => !isAlive(record.owner) || (record.ownerStartedAt !== null && startTime(record.owner) !== record.ownerStartedAt);

/** At worker start: kills the git groups of processes that died without stopping them. Returns how many. */
export function killLeftoverGit(mirrorDir: string): number {
	let killed = 0;
	for (const { file, record } of readRecords(mirrorDir)) {
		if (record.owner === process.pid && record.ownerStartedAt === ownStartTime) continue;
		if (ownerGone(record) && killRecorded(file, record)) killed++;
	}
	return killed;
}

/**
 * Before a new attempt works on a mirror: kills git that another process (a dead worker, or one
 * whose attempt Temporal already gave up on) still runs there, so two never write it at once.
 */
export function killGitOn(gitDir: string, mirrorDir: string): number {
	let killed = 0;
	for (const { file, record } of readRecords(mirrorDir)) {
		if (record.gitDir !== gitDir || record.owner === process.pid) continue;
		if (killRecorded(file, record)) killed++;
	}
	return killed;
}
