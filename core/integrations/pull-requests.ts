// Pull requests and their activity as stored: one batch at a time, in one statement with the
// repository's cursor, only while the integration is not being deleted. Upserts keyed by
// (repo_id, provider_id) that change a row only when a value differs, so storing a batch again
// writes nothing and the count of rows changed says so.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '#core/db/database.ts';
import type { PullRequestActivityRecord, PullRequestBatch, PullRequestRecord, RemovableActivity } from '#core/providers/provider.ts';
import { jsonUpsert, lastOfEach, type Columns } from '#core/db/json-upsert.ts';
import { holdForWriting } from './queries.ts';

export interface PullRequestOwner {
	organizationId: string;
	integrationId: string;
	repoId: string;
}

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

/** An upsert of one of the batch's tables ($1: the integration, $2: its organisation, $3: the repository). */
const upsert = <R>(table: string, columns: Columns<R>, rows: string) =>
	jsonUpsert({ table, owner: [{ column: 'organization_id', value: '$2::uuid' }, { column: 'integration_id', value: '$1::uuid' }, { column: 'repo_id', value: '$3::uuid' }], columns, key: ['repo_id', 'provider_id'], rows });

/**
 * The whole batch in one statement, the same text every time (prepared once per connection): the
 * integration's row held for share (see holdForWriting: a deletion cannot begin while the rows go
 * in, and one that began before finds nothing written behind it), the four upserts and the cursor.
 * Against a fast provider the worker's thread is what paces an ingest, and this costs it one round
 * trip and a JSON.stringify per batch where a transaction of separate statements, each with one
 * array per column, cost eight round trips and pg's array literals.
 */
const storeBatchStatement = `
	with held as (select from integrations where id = $1::uuid and data_status <> 'deleting' for share),
	pull_requests_changed as (${upsert('pull_requests', pullRequestColumns, '$4')}),
	reviews_changed as (${upsert('pull_request_reviews', activityColumns, '$5')}),
	review_comments_changed as (${upsert('pull_request_review_comments', activityColumns, '$6')}),
	comments_changed as (${upsert('pull_request_comments', activityColumns, '$7')}),
	cursor_stored as (update repos set pull_requests_cursor = $8::jsonb where id = $3::uuid and exists (select from held) returning 1)
	select exists (select from held) as held,
		((select count(*) from pull_requests_changed) + (select count(*) from reviews_changed)
			+ (select count(*) from review_comments_changed) + (select count(*) from comments_changed))::int as changed`;

const byProviderId = (r: { providerId: string }) => r.providerId;

/**
 * Stores a batch and the repository's cursor after it, atomically, in one round trip. Returns the
 * rows changed, or null when the integration is being deleted (nothing was written).
 */
export async function storePullRequestBatch(pool: pg.Pool, owner: PullRequestOwner, batch: PullRequestBatch): Promise<number | null> {
	const { rows } = await pool.query<{ held: boolean; changed: number }>({
		name: 'store-pull-request-batch',
		text: storeBatchStatement,
		values: [
			owner.integrationId,
			owner.organizationId,
			owner.repoId,
			lastOfEach(batch.pullRequests, byProviderId),
			lastOfEach(batch.reviews, byProviderId),
			lastOfEach(batch.reviewComments, byProviderId),
			lastOfEach(batch.comments, byProviderId),
			JSON.stringify(batch.cursor)
		]
	});
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
