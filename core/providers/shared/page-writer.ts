// Pages (of pull requests, of tickets) stored while the next one is fetched: one write at a time, in order, each
// with the cursor it brings the repository to, never more than one page waiting (memory stays
// flat). A failed write fails the next `write` or `finish`; nothing writes after `finish`.
import type { PullRequestBatch } from '../provider.ts';

export interface PageWriter<Batch = PullRequestBatch> {
	/** Waits for the page before, then starts storing this one. */
	write(batch: Batch, done: number, total: number): Promise<void>;
	/** Waits for the last write; throws its failure. Call in `finally` too: nothing outlives the run. */
	finish(): Promise<void>;
}

/** What a run lends the writer: its store and its progress (PullRequestRun's, TicketRun's). */
export interface PageSink<Batch> {
	store(batch: Batch): Promise<number>;
	progress(done: number, total: number): Promise<void>;
}

export function pageWriter<Batch = PullRequestBatch>(run: PageSink<Batch>): PageWriter<Batch> {
	let writing: Promise<void> = Promise.resolve();
	let failure: { error: unknown } | undefined;
	const finish = async () => {
		await writing;
		if (failure) throw failure.error;
	};
	return {
		finish,
		async write(batch, done, total) {
			await finish();
			writing = (async () => {
				try {
					await run.store(batch);
					await run.progress(done, total);
				} catch (error) {
					failure = { error };
				}
			})();
		}
	};
}
