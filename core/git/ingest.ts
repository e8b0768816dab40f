// Ingesting one repository: fetch its mirror, stream the commits that are new since its cursor
// into the database while git is still producing them, and bring its tags up to date.
//
// Idempotent by construction: every write skips rows whose primary key exists, so running again
// (from the same cursor, or from none) never duplicates anything. The repos row is the caller's:
// it stores the returned tips as the next cursor once this has succeeded.
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { copyFromStream, copyInsertTexts } from '#core/db/bulk.ts';
import type { Database } from '#core/db/database.ts';
import { abandonedCommits, reachableCommits, type CommitList } from './abandoned.ts';
import { commitColumns, CommitRowEncoder, fileColumns, type CommitRowBatch } from './commit-rows.ts';
import { countNewCommits, readTags, revisionsSince, startLog, type GitTag } from './log.ts';
import { openMirror, syncMirror, type Mirror, type Tips } from './mirror.ts';
import type { GitProgress } from './progress.ts';
import { hasEscapedBytes } from './ref-names.ts';
import type { GitCredentials, GitSettings } from './run-git.ts';
import type { IngestSkips } from './skipped.ts';

export interface IngestDependencies {
	db: Kysely<Database>;
	pool: pg.Pool;
	settings: GitSettings;
}

export interface IngestInput {
	repo: { id: string; organizationId: string; integrationId: string; url: string; cursor: Tips | null };
	credentials: GitCredentials;
	/**
	 * How many commits an interrupted run of the same cursor reported as written. Their writes
	 * are skipped once one query per batch confirms they are there (the mirror may have moved
	 * since, so the count alone is not trusted).
	 */
	resumeAfter?: number;
	/** Called after each batch is stored (and once when the total is known). */
	onProgress(done: number, total: number): Promise<void> | void;
	/** Hears git's progress while it fetches. */
	onFetchProgress?(progress: GitProgress): void;
	/** Stops git, and the writes between batches, when aborted (a cancelled or superseded attempt). */
	signal?: AbortSignal;
}

export interface IngestResult {
	/** The branch and tag tips now ingested: the next run's cursor. */
	tips: Tips;
	/** Commits new since the cursor (written now or by the interrupted run this one resumed). */
	newCommits: number;
	/** Stored commits no branch or tag reaches any more, now removed with their files. */
	abandonedCommits: number;
	/** What this run read but could not store as it is (see skipped.ts). */
	skipped: IngestSkips;
	commitsCount: number;
	tagsCount: number;
}

// Big enough that per-batch overhead vanishes, small enough to keep memory flat; a batch also
// ends early when its commits touch very many files (a vendoring commit can touch 100,000).
const batchCommits = 2_000;
const batchFiles = 50_000;
const minBatchCommits = 250;

export async function ingestRepository(deps: IngestDependencies, input: IngestInput): Promise<IngestResult> {
	const { db, pool, settings } = deps;
	const { repo } = input;
	const owner = [repo.organizationId, repo.integrationId, repo.id] as const;

	const { signal } = input;
	const tips = await syncMirror(repo.id, repo.url, input.credentials, settings, { signal, onProgress: input.onFetchProgress });
	const mirror: Mirror = { ...openMirror(repo.id, settings), signal };
	const revisions = revisionsSince(tips, repo.cursor);

	// The log first (starting a process blocks this one for a moment, and the log is the long
	// pole). Counting is a fraction of its cost: it runs alongside. Tags are independent of the
	// commits: they are read and stored while the log runs too.
	const log = await startLog(mirror, revisions);
	const totalPromise = countNewCommits(mirror, revisions);
	const tagsStored = readTags(mirror).then(async (tags) => {
		await replaceTags(db, owner, tags);
		return { tagDates: tags.filter((tag) => tag.dateOutOfRange).length, tagNames: tags.filter((tag) => hasEscapedBytes(tag.name)).length };
	});
	tagsStored.catch(() => {});

	/** Stores one batch, its files and its commits together: a commit row always means its files are stored too. */
	async function writeBatch(batch: CommitRowBatch, claimedWritten: number): Promise<void> {
		signal?.throwIfAborted();
		let { commits, files } = batch;
		if (claimedWritten > 0) {
			const claimed = batch.shas.slice(0, claimedWritten);
			const present = await db.selectFrom('commits').select('sha').where('repo_id', '=', repo.id).where('sha', 'in', claimed).execute();
			const stored = new Set(present.map((row) => row.sha));
			const missing = batch.shas.map((sha, index) => index >= claimedWritten || !stored.has(sha));
			commits = rowsOf(batch.commits, batch.commitOffsets, missing);
			files = rowsOf(batch.files, batch.fileOffsets, missing);
		}
		// One transaction, committed without waiting for the disk: a batch lost to a crash of Postgres
		// is found missing by the check above on resume and written again, and the cursor is only
		// stored afterwards, by a commit that waits, which makes every batch before it durable too.
		await copyInsertTexts(
			pool,
			[
				{ table: 'commit_files', columns: fileColumns, text: files },
				{ table: 'commits', columns: commitColumns, text: commits }
			],
			{ deferDurability: true }
		);
	}

	const resumeAfter = Math.max(0, input.resumeAfter ?? 0);
	// One batch is written while the next is read; at most one write is in flight, so memory
	// stays bounded and batches land in log order. Progress is reported after each batch is
	// stored, in order, once the count is in (progress never claims a commit too early); writes
	// never wait for the count, so git is never held up by it.
	let writing: Promise<void> = Promise.resolve();
	let reporting: Promise<void> = totalPromise.then((total) => input.onProgress(Math.min(resumeAfter, total), total));
	let writerBusy = false;
	let failure: unknown = null;
	const watch = <T>(promise: Promise<T>) => {
		promise.catch((error: unknown) => (failure ??= error));
		return promise;
	};
	void watch(reporting);

	const rows = new CommitRowEncoder(owner);
	let seen = 0;
	const flush = async () => {
		const batch = rows.take();
		if (!batch) return;
		seen += batch.shas.length;
		const end = seen;
		const claimed = Math.max(0, Math.min(batch.shas.length, resumeAfter - (end - batch.shas.length)));
		await writing;
		writerBusy = true;
		const written = watch(
			writeBatch(batch, claimed).finally(() => {
				writerBusy = false;
				rows.recycle(batch);
			})
		);
		writing = written;
		const previousReport = reporting;
		reporting = watch(Promise.all([previousReport, written, totalPromise]).then(([, , total]) => input.onProgress(end, total)));
	};

	for await (const chunk of log) {
		if (failure) throw failure;
		rows.push(chunk);
		// A full batch waits for the writer; a smaller one goes as soon as the writer is idle, so
		// little is left to write once git is done.
		const pending = rows.pendingCommits;
		if (pending >= batchCommits || rows.pendingFiles >= batchFiles || (!writerBusy && pending >= minBatchCommits)) await flush();
	}
	rows.end();
	await flush();
	await writing;
	await reporting;
	const tagSkips = await tagsStored;

	const abandoned = await removeAbandonedCommits(pool, mirror, repo.id, repo.cursor, tips);

	const [commitsCount, tagsCount] = await Promise.all([countRows(db, 'commits', repo.id), countRows(db, 'tags', repo.id)]);
	const skipped = { commits: rows.unstorableCommits, ...tagSkips };
	return { tips, newCommits: seen, abandonedCommits: abandoned, skipped, commitsCount, tagsCount };
}

/** The rows of the commits whose entry in `keep` is true, from a batch's text and offsets. */
function rowsOf(text: Buffer, offsets: number[], keep: boolean[]): Buffer {
	const parts: Buffer[] = [];
	for (let i = 0; i < keep.length; i++) if (keep[i]) parts.push(text.subarray(offsets[i], offsets[i + 1]));
	return Buffer.concat(parts);
}

/**
 * Removes the stored commits (and their files) that no branch or tag reaches any more. Usually
 * git says which, from the tips ingested last time; when the mirror no longer has those, every
 * stored commit is checked against what is reachable now. Either way git's list goes straight
 * into a temporary table and Postgres compares and deletes: nothing here grows with the history.
 */
async function removeAbandonedCommits(pool: pg.Pool, mirror: Mirror, repoId: string, previous: Tips | null, tips: Tips): Promise<number> {
	const abandoned = await abandonedCommits(mirror, previous, tips);
	if (abandoned === null) return 0;
	const client = await pool.connect();
	let failure: Error | undefined;
	try {
		await client.query('create temp table if not exists abandoned_commits (sha text not null)');
		await client.query('truncate abandoned_commits');
		if (abandoned) {
			await copyGitList(client, 'abandoned_commits', abandoned);
		} else {
			await client.query('create temp table if not exists reachable_commits (sha text not null)');
			await client.query('truncate reachable_commits');
			await copyGitList(client, 'reachable_commits', reachableCommits(mirror));
			await client.query('analyze reachable_commits');
			await client.query(
				`insert into abandoned_commits select c.sha from commits c
				where c.repo_id = $1 and not exists (select 1 from reachable_commits r where r.sha = c.sha)`,
				[repoId]
			);
		}
		// A thousand at a time, each batch committing alone, its commits and their files together.
		let removed = 0;
		for (;;) {
			const result = await client.query<{ listed: number; removed: number }>(
				`with batch as (
					delete from abandoned_commits where ctid = any(array(select ctid from abandoned_commits limit 1000)) returning sha
				), files as (
					delete from commit_files f using batch where f.repo_id = $1 and f.sha = batch.sha
				), gone as (
					delete from commits c using batch where c.repo_id = $1 and c.sha = batch.sha returning 1
				)
				select (select count(*) from batch)::int as listed, (select count(*) from gone)::int as removed`,
				[repoId]
			);
			const row = result.rows[0]!;
			removed += row.removed;
			if (row.listed === 0) break;
		}
		await client.query('drop table if exists abandoned_commits, reachable_commits');
		return removed;
	} catch (error) {
		failure = error as Error;
		throw error;
	} finally {
		client.release(failure);
	}
}

/** Streams the ids git lists (one a line, which is COPY's text format) into a one-column table. */
async function copyGitList(client: pg.PoolClient, table: string, list: CommitList): Promise<void> {
	const git = await list();
	try {
		await copyFromStream(client, table, ['sha'], git.stdout);
		await git.done;
	} catch (error) {
		git.kill();
		throw error;
	}
}

/** Makes the repo's tags exactly `tags`: new and moved ones upserted, vanished ones deleted. */
async function replaceTags(db: Kysely<Database>, owner: readonly [string, string, string], tags: GitTag[]): Promise<void> {
	const [organizationId, integrationId, repoId] = owner;
	await db.transaction().execute(async (trx) => {
		for (let i = 0; i < tags.length; i += 1_000) {
			const rows = tags.slice(i, i + 1_000).map((tag) => ({
				organization_id: organizationId,
				integration_id: integrationId,
				repo_id: repoId,
				name: tag.name,
				sha: tag.sha,
				tagged_at: tag.taggedAt
			}));
			await trx
				.insertInto('tags')
				.values(rows)
				.onConflict((oc) =>
					oc
						.columns(['repo_id', 'name'])
						.doUpdateSet((eb) => ({ sha: eb.ref('excluded.sha'), tagged_at: eb.ref('excluded.tagged_at') }))
						// Unchanged tags are left alone: no dead rows for every update of every repository.
						.where((eb) =>
							eb.or([eb('tags.sha', 'is distinct from', eb.ref('excluded.sha')), eb('tags.tagged_at', 'is distinct from', eb.ref('excluded.tagged_at'))])
						)
				)
				.execute();
		}
		const names = tags.map((tag) => tag.name);
		await trx
			.deleteFrom('tags')
			.where('repo_id', '=', repoId)
			.where((eb) => eb('name', '<>', eb.fn<string>('all', [eb.val(names)])))
			.execute();
	});
}

async function countRows(db: Kysely<Database>, table: 'commits' | 'tags', repoId: string): Promise<number> {
	const row = await db
		.selectFrom(table)
		.select((eb) => eb.fn.countAll<string>().as('count'))
		.where('repo_id', '=', repoId)
		.executeTakeFirstOrThrow();
	return Number(row.count);
}
