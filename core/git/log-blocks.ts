// `git log` in blocks, two at once. One `git log` computes every commit's diff on one core, and
// that is most of an ingest's time; the same commits listed first (`git rev-list`, the same walk
// in the same order, a tenth of the cost) and shown a block at a time (`git log --no-walk`) give
// byte for byte the same output, while the next block's git runs beside the one being read.
// The reader sees one stream in log order, as from a single `git log`: the rest of the ingest
// (batches, resume after a kill, progress) does not know the difference.
import type { Readable } from 'node:stream';
import type { GitProcess } from './run-git.ts';

/** Commits per `git log`: enough that starting git is noise, few enough that a block read ahead stays small. */
export const blockCommits = 2_500;

/** Starts git with these arguments and this standard input (the caller's runner: its settings, mirror and signal). */
export type StartGit = (args: string[], stdin: string) => Promise<GitProcess>;

/** Commit ids from `git rev-list` output, `size` at a time, read only as fast as blocks are wanted. */
async function* idBlocks(list: Readable, size: number): AsyncGenerator<string[]> {
	let block: string[] = [];
	let partial = '';
	for await (const chunk of list as AsyncIterable<Buffer>) {
		const lines = (partial + chunk.toString('latin1')).split('\n');
		partial = lines.pop()!;
		for (const line of lines) {
			if (!line) continue;
			block.push(line);
			if (block.length === size) {
				yield block;
				block = [];
			}
		}
	}
	if (partial) block.push(partial);
	if (block.length > 0) yield block;
}

/** One block's `git log`, its output kept as it arrives so git never waits for the reader. */
class LogBlock {
	readonly #chunks: Buffer[] = [];
	#ended = false;
	#failure: unknown = null;
	#wake: (() => void) | null = null;
	readonly git: GitProcess;

	constructor(git: GitProcess) {
		this.git = git;
		git.stdout.on('data', (chunk: Buffer) => {
			this.#chunks.push(chunk);
			this.#notify();
		});
		git.done.then(
			() => {
				this.#ended = true;
				this.#notify();
			},
			(error: unknown) => {
				this.#failure = error;
				this.#notify();
			}
		);
	}

	#notify(): void {
		const wake = this.#wake;
		this.#wake = null;
		wake?.();
	}

	/** The block's output in order, as git writes it; throws git's failure. */
	async *read(): AsyncGenerator<Buffer> {
		for (;;) {
			if (this.#failure) throw this.#failure;
			const chunk = this.#chunks.shift();
			if (chunk) {
				yield chunk;
				continue;
			}
			if (this.#ended) return;
			await new Promise<void>((resolve) => (this.#wake = resolve));
		}
	}
}

/**
 * The output of `git log <logArguments> <revisions>`, produced by `rev-list` and blocks of
 * `git log --no-walk=unsorted`, at most `logsAtOnce` of them running. Stops every git it started
 * when the reader stops early.
 */
export function blockedLog(
	start: StartGit,
	logArguments: readonly string[],
	revisionArgs: readonly string[],
	revisions: string,
	{ commitsPerBlock = blockCommits, logsAtOnce = 2 } = {}
): AsyncIterable<Buffer> {
	return (async function* () {
		const list = await start(['rev-list', ...revisionArgs], revisions);
		const blocks = idBlocks(list.stdout, commitsPerBlock);
		const running: LogBlock[] = [];
		let listed = false;
		const startNext = async () => {
			const next = await blocks.next();
			if (next.done) {
				listed = true;
				return;
			}
			running.push(new LogBlock(await start([...logArguments, '--no-walk=unsorted', '--stdin'], next.value.join('\n') + '\n')));
		};
		let finished = false;
		try {
			while (!listed && running.length < logsAtOnce) await startNext();
			while (running.length > 0) {
				yield* running[0]!.read();
				running.shift();
				if (!listed) await startNext();
			}
			await list.done;
			finished = true;
		} finally {
			// The reader stopped early (an error while writing, a cancelled activity): stop git too.
			if (!finished) {
				list.kill();
				for (const block of running) block.git.kill();
				// rev-list's output waits unread: git's exit is only seen once the pipe is closed.
				await blocks.return(undefined);
				list.stdout.destroy();
			}
		}
	})();
}
