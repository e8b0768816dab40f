// Pull requests and their activity as stored: one batch at a time, in one statement with the
// repository's cursor, only while the integration is not being deleted. Upserts keyed by
// (repo_id, provider_id) that change a row only when a value differs, so storing a batch again
// writes nothing and the count of rows changed says so.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '#core/db/database.ts';
import type { PullRequestActivityRecord, PullRequestBatch, PullRequestRecord, RemovableActivity } from '#core/providers/provider.ts';
import { holdForWriting } from './queries.ts';

export interface PullRequestOwner {
	organizationId: string;
	integrationId: string;
	repoId: string;
}

type ActivityTable = 'pull_request_reviews' | 'pull_request_review_comments' | 'pull_request_comments';

/** Each stored column, the record's field it comes from and its Postgres type. */
type Columns<R> = ReadonlyArray<{ column: string; field: keyof R & string; type: string }>;

const pullRequestColumns: Columns<PullRequestRecord> = [
	{ column: 'provider_id', field: 'providerId', type: 'text' },
	{ column: 'number', field: 'number', type: 'integer' },
	{ column: 'title', field: 'title', type: 'text' },
	{ column: 'state', field: 'state', type: 'text' },
	{ column: 'draft', field: 'draft', type: 'boolean' },
	{ column: 'author', field: 'author', type: 'text' },
	{ column: 'url', field: 'url', type: 'text' },
	{ column: 'base_ref', field: 'baseRef', type: 'text' },
	{ column: 'head_ref', field: 'headRef', type: 'text' },
	{ column: 'head_sha', field: 'headSha', type: 'text' },
	{ column: 'merge_commit_sha', field: 'mergeCommitSha', type: 'text' },
	{ column: 'additions', field: 'additions', type: 'integer' },
	{ column: 'deletions', field: 'deletions', type: 'integer' },
	{ column: 'created_at', field: 'createdAt', type: 'timestamptz' },
	{ column: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
	{ column: 'first_review_at', field: 'firstReviewAt', type: 'timestamptz' },
	{ column: 'merged_at', field: 'mergedAt', type: 'timestamptz' },
	{ column: 'closed_at', field: 'closedAt', type: 'timestamptz' }
];
const activityColumns: Columns<PullRequestActivityRecord> = [
	{ column: 'provider_id', field: 'providerId', type: 'text' },
	{ column: 'pull_request_provider_id', field: 'pullRequestProviderId', type: 'text' },
	{ column: 'author', field: 'author', type: 'text' },
	{ column: 'state', field: 'state', type: 'text' },
	{ column: 'created_at', field: 'createdAt', type: 'timestamptz' },
	{ column: 'updated_at', field: 'updatedAt', type: 'timestamptz' }
];

/**
 * A data-modifying part of the batch's statement: the rows go in as one JSON array of the
 * records themselves, read back by Postgres with their fields' types. The statement's text stays
 * the same whatever the batch's size, and the worker's only work on the rows is JSON.stringify
 * (native): one array parameter per column cost it more than the rest of the write together.
 * It writes only when the integration was held (`held`), and changes a row only when a value differs.
 */
function upsert<R>(table: string, owner: PullRequestOwner, columns: Columns<R>, rows: readonly R[]): RawBuilder<unknown> {
	const stored = columns.filter((c) => c.column !== 'provider_id');
	const names = (prefix: string, list: Columns<R>) => sql.join(list.map((c) => sql.ref(`${prefix}${c.column}`)));
	return sql`insert into ${sql.table(table)} (organization_id, integration_id, repo_id, ${sql.join(columns.map((c) => sql.ref(c.column)))})
		select ${owner.organizationId}::uuid, ${owner.integrationId}::uuid, ${owner.repoId}::uuid, ${sql.join(columns.map((c) => sql.ref(`r.${c.field}`)))}
		from json_to_recordset(${JSON.stringify(rows)}::json) as r(${sql.join(columns.map((c) => sql`${sql.ref(c.field)} ${sql.raw(c.type)}`))})
		where exists (select from held)
		on conflict (repo_id, provider_id) do update set ${sql.join(stored.map((c) => sql`${sql.ref(c.column)} = ${sql.ref(`excluded.${c.column}`)}`))}
		where (${names(`${table}.`, stored)}) is distinct from (${names('excluded.', stored)})
		returning 1`;
}

/** The last of each provider id: a batch may name one item twice (edited while its pages were read). */
const lastOfEach = <R extends { providerId: string }>(rows: readonly R[] | undefined): R[] => [...new Map((rows ?? []).map((r) => [r.providerId, r])).values()];

/**
 * Stores a batch and the repository's cursor after it, atomically, in one round trip. Returns the
 * rows changed, or null when the integration is being deleted (nothing was written). The
 * integration's row is held for share first (see holdForWriting): a deletion cannot begin while
 * the rows go in, and one that began before finds nothing written behind it.
 */
export async function storePullRequestBatch(db: Kysely<Database>, owner: PullRequestOwner, batch: PullRequestBatch): Promise<number | null> {
	const activity = (table: ActivityTable, rows: PullRequestActivityRecord[] | undefined) => upsert(table, owner, activityColumns, lastOfEach(rows));
	const { rows } = await sql<{ held: boolean; changed: number }>`
		with held as (select from integrations where id = ${owner.integrationId}::uuid and data_status <> 'deleting' for share),
		pull_requests_changed as (${upsert('pull_requests', owner, pullRequestColumns, lastOfEach(batch.pullRequests))}),
		reviews_changed as (${activity('pull_request_reviews', batch.reviews)}),
		review_comments_changed as (${activity('pull_request_review_comments', batch.reviewComments)}),
		comments_changed as (${activity('pull_request_comments', batch.comments)}),
		cursor_stored as (update repos set pull_requests_cursor = ${JSON.stringify(batch.cursor)}::jsonb where id = ${owner.repoId}::uuid and exists (select from held) returning 1)
		select exists (select from held) as held,
			((select count(*) from pull_requests_changed) + (select count(*) from reviews_changed)
				+ (select count(*) from review_comments_changed) + (select count(*) from comments_changed))::int as changed`.execute(db);
	const [result] = rows;
	return result?.held ? result.changed : null;
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
