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

/** Assigns every column from `excluded`. */
const fromExcluded = (columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)]));

async function upsertPullRequests(trx: Transaction<Database>, owner: PullRequestOwner, rows: PullRequestRecord[]): Promise<number> {
	if (rows.length === 0) return 0;
	const result = await trx
		.insertInto('pull_requests')
		.values(
			rows.map((r) => ({
				organization_id: owner.organizationId,
				integration_id: owner.integrationId,
				repo_id: owner.repoId,
				provider_id: r.providerId,
				number: r.number,
				title: r.title,
				state: r.state,
				draft: r.draft,
				author: r.author,
				url: r.url,
				base_ref: r.baseRef,
				head_ref: r.headRef,
				head_sha: r.headSha,
				merge_commit_sha: r.mergeCommitSha,
				additions: r.additions,
				deletions: r.deletions,
				created_at: r.createdAt,
				updated_at: r.updatedAt,
				first_review_at: r.firstReviewAt,
				merged_at: r.mergedAt,
				closed_at: r.closedAt
			}))
		)
		.onConflict((oc) => oc.columns(['repo_id', 'provider_id']).doUpdateSet(fromExcluded(pullRequestColumns)).where(differs('pull_requests', pullRequestColumns)))
		.executeTakeFirst();
	return Number(result.numInsertedOrUpdatedRows ?? 0);
}

async function upsertActivity(trx: Transaction<Database>, table: ActivityTable, owner: PullRequestOwner, rows: PullRequestActivityRecord[]): Promise<number> {
	if (rows.length === 0) return 0;
	// A batch may name one item twice (a comment edited while its pages were read): the last wins.
	const unique = [...new Map(rows.map((r) => [r.providerId, r])).values()];
	const result = await trx
		.insertInto(table)
		.values(
			unique.map((r) => ({
				organization_id: owner.organizationId,
				integration_id: owner.integrationId,
				repo_id: owner.repoId,
				provider_id: r.providerId,
				pull_request_provider_id: r.pullRequestProviderId,
				author: r.author,
				state: r.state,
				created_at: r.createdAt,
				updated_at: r.updatedAt
			}))
		)
		.onConflict((oc) => oc.columns(['repo_id', 'provider_id']).doUpdateSet(fromExcluded(activityColumns)).where(differs(table, activityColumns)))
		.executeTakeFirst();
	return Number(result.numInsertedOrUpdatedRows ?? 0);
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
