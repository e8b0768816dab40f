// Pull requests and their activity as stored: one batch at a time in one transaction with the
// repository's cursor, only while the integration is not being deleted. Upserts keyed by
// (repo_id, provider_id) that change a row only when a value differs, so running a batch again
// writes nothing and the count of rows changed says so.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { PullRequestActivityRecord, PullRequestBatch, PullRequestRecord, RemovableActivity } from '#core/providers/provider.ts';
import { holdForWriting } from './queries.ts';

export interface PullRequestOwner {
	organizationId: string;
	integrationId: string;
	repoId: string;
}

type ActivityTable = 'pull_request_reviews' | 'pull_request_review_comments' | 'pull_request_comments';

const pullRequestColumns = [
	'number',
	'title',
	'state',
	'draft',
	'author',
	'url',
	'base_ref',
	'head_ref',
	'head_sha',
	'merge_commit_sha',
	'additions',
	'deletions',
	'created_at',
	'updated_at',
	'first_review_at',
	'merged_at',
	'closed_at'
] as const;
const activityColumns = ['pull_request_provider_id', 'author', 'state', 'created_at', 'updated_at'] as const;

/** `(t.a, t.b…) is distinct from (excluded.a, excluded.b…)`: an upsert changes only rows that differ. */
const differs = (table: string, columns: readonly string[]) =>
	sql<boolean>`(${sql.join(columns.map((c) => sql.ref(`${table}.${c}`)))}) is distinct from (${sql.join(columns.map((c) => sql.ref(`excluded.${c}`)))})`;

/** `a = excluded.a, b = excluded.b…` */
const fromExcluded = (columns: readonly string[]) => sql.join(columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`));

/**
 * Rows go in as one array per column, unnested: the statement's text and its parameters stay the
 * same size whatever the page's size (a VALUES list of 100 pull requests is 2,100 parameters for
 * Postgres to parse and plan each time; this is 21).
 */
function upsert(table: string, owner: PullRequestOwner, columns: ReadonlyArray<{ name: string; type: string; values: unknown[] }>, updated: readonly string[]) {
	const names = columns.map((c) => c.name);
	return sql`
		insert into ${sql.table(table)} (organization_id, integration_id, repo_id, ${sql.join(names.map((n) => sql.ref(n)))})
		select ${owner.organizationId}::uuid, ${owner.integrationId}::uuid, ${owner.repoId}::uuid, ${sql.join(names.map((n) => sql.ref(`r.${n}`)))}
		from unnest(${sql.join(columns.map((c) => sql`${c.values}::${sql.raw(c.type)}[]`))}) as r(${sql.join(names.map((n) => sql.ref(n)))})
		on conflict (repo_id, provider_id) do update set ${fromExcluded(updated)}
		where ${differs(table, updated)}`;
}

async function upsertPullRequests(trx: Transaction<Database>, owner: PullRequestOwner, rows: PullRequestRecord[]): Promise<number> {
	if (rows.length === 0) return 0;
	const column = <T>(name: string, type: string, value: (r: PullRequestRecord) => T) => ({ name, type, values: rows.map(value) });
	const result = await upsert(
		'pull_requests',
		owner,
		[
			column('provider_id', 'text', (r) => r.providerId),
			column('number', 'integer', (r) => r.number),
			column('title', 'text', (r) => r.title),
			column('state', 'text', (r) => r.state),
			column('draft', 'boolean', (r) => r.draft),
			column('author', 'text', (r) => r.author),
			column('url', 'text', (r) => r.url),
			column('base_ref', 'text', (r) => r.baseRef),
			column('head_ref', 'text', (r) => r.headRef),
			column('head_sha', 'text', (r) => r.headSha),
			column('merge_commit_sha', 'text', (r) => r.mergeCommitSha),
			column('additions', 'integer', (r) => r.additions),
			column('deletions', 'integer', (r) => r.deletions),
			column('created_at', 'timestamptz', (r) => r.createdAt),
			column('updated_at', 'timestamptz', (r) => r.updatedAt),
			column('first_review_at', 'timestamptz', (r) => r.firstReviewAt),
			column('merged_at', 'timestamptz', (r) => r.mergedAt),
			column('closed_at', 'timestamptz', (r) => r.closedAt)
		],
		pullRequestColumns
	).execute(trx);
	return Number(result.numAffectedRows ?? 0);
}

async function upsertActivity(trx: Transaction<Database>, table: ActivityTable, owner: PullRequestOwner, rows: PullRequestActivityRecord[]): Promise<number> {
	if (rows.length === 0) return 0;
	// A batch may name one item twice (a comment edited while its pages were read): the last wins.
	const unique = [...new Map(rows.map((r) => [r.providerId, r])).values()];
	const column = <T>(name: string, type: string, value: (r: PullRequestActivityRecord) => T) => ({ name, type, values: unique.map(value) });
	const result = await upsert(
		table,
		owner,
		[
			column('provider_id', 'text', (r) => r.providerId),
			column('pull_request_provider_id', 'text', (r) => r.pullRequestProviderId),
			column('author', 'text', (r) => r.author),
			column('state', 'text', (r) => r.state),
			column('created_at', 'timestamptz', (r) => r.createdAt),
			column('updated_at', 'timestamptz', (r) => r.updatedAt)
		],
		activityColumns
	).execute(trx);
	return Number(result.numAffectedRows ?? 0);
}

/**
 * Stores a batch and the repository's cursor after it, atomically. Returns the rows changed, or
 * null when the integration is being deleted (nothing was written).
 */
export async function storePullRequestBatch(db: Kysely<Database>, owner: PullRequestOwner, batch: PullRequestBatch): Promise<number | null> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, owner.integrationId))) return null;
		const pullRequests = [...new Map((batch.pullRequests ?? []).map((r) => [r.providerId, r])).values()];
		let changed = await upsertPullRequests(trx, owner, pullRequests);
		changed += await upsertActivity(trx, 'pull_request_reviews', owner, batch.reviews ?? []);
		changed += await upsertActivity(trx, 'pull_request_review_comments', owner, batch.reviewComments ?? []);
		changed += await upsertActivity(trx, 'pull_request_comments', owner, batch.comments ?? []);
		await trx.updateTable('repos').set({ pull_requests_cursor: JSON.stringify(batch.cursor) }).where('id', '=', owner.repoId).execute();
		return changed;
	});
}

/** Of these provider ids, those of pull requests the repository holds. */
export async function existingPullRequests(db: Kysely<Database>, repoId: string, providerIds: string[]): Promise<Set<string>> {
	if (providerIds.length === 0) return new Set();
	const rows = await db.selectFrom('pull_requests').select('provider_id').where('repo_id', '=', repoId).where('provider_id', 'in', providerIds).execute();
	return new Set(rows.map((r) => r.provider_id));
}

export async function countPullRequests(db: Kysely<Database>, repoId: string): Promise<number> {
	const row = await db.selectFrom('pull_requests').select(sql<number>`count(*)::int`.as('n')).where('repo_id', '=', repoId).executeTakeFirstOrThrow();
	return row.n;
}

/**
 * Removes one item of pull request activity the provider says was deleted, from the repository
 * the integration holds under that provider id. Returns how many rows went (0: never stored, or
 * the integration is being deleted and writes nothing).
 */
export async function removePullRequestActivity(
	db: Kysely<Database>,
	integrationId: string,
	repositoryProviderId: string,
	table: RemovableActivity,
	providerId: string
): Promise<number> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integrationId))) return 0;
		const result = await trx
			.deleteFrom(table)
			.where('integration_id', '=', integrationId)
			.where('provider_id', '=', providerId)
			.where('repo_id', 'in', (eb) => eb.selectFrom('repos').select('id').where('integration_id', '=', integrationId).where('provider_id', '=', repositoryProviderId))
			.executeTakeFirst();
		return Number(result.numDeletedRows);
	});
}
