// One ingest at a time per mirror. A retry can start while the attempt before it still runs: its
// worker may have missed heartbeats without dying, and git does not know Temporal gave up on it.
// The newer attempt wins: it stops the older one (its git is killed, its next git refused) and
// waits for it to let go, so two fetches never write the same mirror at once.
import { GitError } from './git-errors.ts';
import type { Mirror } from './mirror.ts';
import { killGitOn } from './processes.ts';

export interface MirrorLock {
	/** Aborted when a newer attempt takes the mirror over: every git of this attempt stops. */
	signal: AbortSignal;
	release(): void;
}

const holders = new Map<string, { controller: AbortController; released: Promise<void> }>();

/** How long a newer attempt waits for the older one to let go before it goes ahead anyway. */
const takeOverWaitMs = 30_000;

export async function lockMirror(mirror: Mirror): Promise<MirrorLock> {
	const { gitDir } = mirror;
	for (let previous = holders.get(gitDir); previous; previous = holders.get(gitDir)) {
		previous.controller.abort(
			new GitError({ kind: 'other', permanent: false, message: 'A newer attempt of this update took the repository over; this one stopped.' })
		);
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([previous.released, new Promise((resolve) => (timer = setTimeout(resolve, takeOverWaitMs)))]);
		clearTimeout(timer);
		if (holders.get(gitDir) === previous) holders.delete(gitDir);
	}
	// Git another process left running here (a killed worker's, or one Temporal gave up on).
	killGitOn(gitDir, mirror.settings.gitMirrorDir);

	const controller = new AbortController();
	let release!: () => void;
	const holder = { controller, released: new Promise<void>((resolve) => (release = resolve)) };
	holders.set(gitDir, holder);
	return {
		signal: controller.signal,
		release() {
			if (holders.get(gitDir) === holder) holders.delete(gitDir);
			release();
		}
	};
}
