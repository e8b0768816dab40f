// An SSH private key is written to a 0600 file while git runs, and removed when git ends. A
// process killed meanwhile (SIGKILL, a crash, the machine stopping) cannot remove it: the next
// worker start does, for every key whose process is gone.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sshKeyFolder, type GitSettings } from './run-git.ts';

function isRunning(pid: number): boolean {
	// A key with this process's own number was left by an earlier process that had it.
	if (pid === process.pid) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it runs, as another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Removes the key files of processes that no longer run; returns how many. */
export async function removeAbandonedKeys(settings: GitSettings): Promise<number> {
	const folder = sshKeyFolder(settings);
	const names = await readdir(folder).catch(() => [] as string[]);
	const abandoned = names.filter((name) => {
		const pid = /^key-(\d+)-/.exec(name)?.[1];
		// Keys named before they carried a process number are older than any running git.
		return pid === undefined || !isRunning(Number(pid));
	});
	await Promise.all(abandoned.map((name) => rm(path.join(folder, name), { force: true })));
	return abandoned.length;
}
