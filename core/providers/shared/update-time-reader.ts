// An incremental read of pull requests listed by update time, oldest change first (GitLab's
// updated_after, Bitbucket Cloud's `updated_on >=`): every page starts again from the mark
// (update-mark.ts), leaving out what was stored at its instant; a page all at one instant pages on.
// For each item past the mark, its details (notes, comments, activity) are read in lanes; each page
// is stored with the cursor it brings the repository to, while the next is fetched (page-writer.ts),
// so a retried, killed or rate-limited run carries on from the last page stored.
import type { PullRequestBatch, PullRequestRun } from '../provider.ts';
import { inLanes } from './lanes.ts';
import { pageWriter } from './page-writer.ts';
import { advanceMark, isPast, type UpdateMark, type Updated } from './update-mark.ts';

/** A read under way: from where the list is read, and how far it got. Stored as JSON. */
export type UpdateTimePass = { since: UpdateMark | null; page: number; done: number; total: number };
/** The cursor: the mark of the last read that ended, and the read under way, if any. */
export type UpdateTimeCursor<Version extends number> = { version: Version; mark: UpdateMark | null; pass?: UpdateTimePass };

export interface UpdateTimeList<Item, Detail> {
	perPage: number;
	/** One page of the list from `since` (inclusive), oldest change first; `total` when the provider tells it. */
	page(since: UpdateMark | null, page: number): Promise<{ items: Item[]; more: boolean; total: number | null }>;
	updated(item: Item): Updated;
	/** What else an item needs (its notes, comments…). */
	details(item: Item): Promise<Detail>;
	/** The rows of a page's items and their details. */
	rows(details: Detail[]): Omit<PullRequestBatch, 'cursor'>;
}

export async function readByUpdateTime<Item, Detail, Version extends number>(
	run: PullRequestRun,
	cursor: UpdateTimeCursor<Version>,
	lanes: () => number,
	list: UpdateTimeList<Item, Detail>,
	heartbeat: () => void
): Promise<void> {
	let pass: UpdateTimePass = cursor.pass ?? { since: cursor.mark, page: 1, done: 0, total: 0 };
	const writer = pageWriter(run);
	try {
		for (;;) {
			const { items, more, total: listed } = await list.page(pass.since, pass.page);
			heartbeat();
			const fresh = items.filter((item) => isPast(list.updated(item), pass.since));
			const details = await inLanes(fresh, lanes, async (item) => {
				const detail = await list.details(item);
				heartbeat();
				return detail;
			});
			const since = advanceMark(pass.since, items.map((item) => list.updated(item)));
			const done = pass.done + fresh.length;
			const remaining = more ? (listed !== null && Number.isFinite(listed) ? Math.max(1, listed - pass.page * list.perPage) : list.perPage) : 0;
			const total = done + remaining;
			// A new instant starts again from page 1 (from it); a page all at one instant pages on.
			const after: UpdateTimePass = { since, page: since && pass.since && since.updatedAt === pass.since.updatedAt ? pass.page + 1 : 1, done, total };
			const stored: UpdateTimeCursor<Version> = more ? { version: cursor.version, mark: cursor.mark, pass: after } : { version: cursor.version, mark: since };
			await writer.write({ ...list.rows(details), cursor: stored }, done, total);
			if (!more) break;
			pass = after;
		}
	} finally {
		// Nothing of this run writes after it ended, whichever way it ended.
		await writer.finish().catch(() => {});
	}
	await writer.finish();
}
