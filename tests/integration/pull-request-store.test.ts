// Storing a batch of pull requests (core/integrations/pull-requests.ts) on a real Postgres: every
// field as the provider gave it, the cursor with the rows, nothing changed by the same batch
// twice, the last of an item named twice, and nothing at all written once a deletion has begun.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePullRequestBatch, type PullRequestOwner } from '#core/integrations/pull-requests.ts';
import { createGenericGitIntegration } from '#core/providers/generic-git/create.ts';
import type { PullRequestActivityRecord, PullRequestBatch, PullRequestRecord } from '#core/providers/provider.ts';
import { createTestSystem, signedInUser, type TestSystem } from '../support/system.ts';

let system: TestSystem;

beforeAll(async () => {
	system = await createTestSystem();
	await system.seedDemo();
});
afterAll(async () => {
	await system?.stop();
});

async function newOwner(name: string): Promise<PullRequestOwner> {
	const admin = await signedInUser(system, 'admin@acme.example');
	const integration = await createGenericGitIntegration(system.database.db, admin, {
		name,
		repositories: [{ url: `https://git.example/${name}.git`, display: `git.example/${name}.git`, name }],
		credentials: { method: 'none' },
		deploymentsFromTags: false
	});
	const repo = await system.database.db.selectFrom('repos').select(['id', 'organization_id']).where('integration_id', '=', integration.id).executeTakeFirstOrThrow();
	return { organizationId: repo.organization_id, integrationId: integration.id, repoId: repo.id };
}

const pullRequest = (n: number, changes: Partial<PullRequestRecord> = {}): PullRequestRecord => ({
	providerId: `pr-${n}`,
	number: n,
	// Quotes, a backslash, braces and commas, non-Latin text and an emoji: text goes in as given.
	title: `Fix "quoting" \\ {braces}, commas — 修正 ${n} 🚀`,
	state: 'merged',
	draft: false,
	author: n % 2 === 0 ? null : 'alice',
	url: `https://git.example/pulls/${n}`,
	baseRef: 'main',
	headRef: `feature/${n}`,
	headSha: 'a'.repeat(40),
	mergeCommitSha: null,
	additions: 10 * n,
	deletions: null,
	createdAt: new Date('2026-01-02T03:04:05.678Z'),
	updatedAt: new Date('2026-02-03T04:05:06.789Z'),
	firstReviewAt: null,
	mergedAt: new Date('2026-02-03T04:05:06.789Z'),
	closedAt: new Date('2026-02-03T04:05:06.789Z'),
	...changes
});

const review = (id: string, pr: number, state: string): PullRequestActivityRecord => ({
	providerId: id,
	pullRequestProviderId: `pr-${pr}`,
	author: 'bob',
	state,
	createdAt: new Date('2026-01-05T00:00:00.000Z'),
	updatedAt: null
});

async function storedPullRequests(owner: PullRequestOwner) {
	return system.database.db.selectFrom('pull_requests').selectAll().where('repo_id', '=', owner.repoId).orderBy('number').execute();
}

describe('storing a batch of pull requests', () => {
	it('stores every field as given, with the cursor, and counts the rows it changed', async () => {
		const owner = await newOwner('store-fields');
		const batch: PullRequestBatch = {
			pullRequests: [pullRequest(1), pullRequest(2)],
			reviews: [review('r-1', 1, 'approved')],
			reviewComments: [{ ...review('rc-1', 1, 'x'), state: null, updatedAt: new Date('2026-01-06T00:00:00.000Z') }],
			comments: [],
			cursor: { version: 1, mark: { updatedAt: '2026-02-03T04:05:06.789Z', ids: [1, 2] } }
		};
		expect(await storePullRequestBatch(system.database.pool, owner, batch)).toBe(4);

		const [first, second] = await storedPullRequests(owner);
		expect(first).toMatchObject({
			provider_id: 'pr-1',
			number: 1,
			title: pullRequest(1).title,
			state: 'merged',
			draft: false,
			author: 'alice',
			head_sha: 'a'.repeat(40),
			merge_commit_sha: null,
			additions: 10,
			deletions: null,
			created_at: new Date('2026-01-02T03:04:05.678Z'),
			first_review_at: null,
			merged_at: new Date('2026-02-03T04:05:06.789Z'),
			organization_id: owner.organizationId,
			integration_id: owner.integrationId
		});
		expect(second).toMatchObject({ provider_id: 'pr-2', author: null });
		const reviews = await system.database.db.selectFrom('pull_request_reviews').selectAll().where('repo_id', '=', owner.repoId).execute();
		expect(reviews).toMatchObject([{ provider_id: 'r-1', pull_request_provider_id: 'pr-1', author: 'bob', state: 'approved', updated_at: null }]);
		const reviewComments = await system.database.db.selectFrom('pull_request_review_comments').selectAll().where('repo_id', '=', owner.repoId).execute();
		expect(reviewComments).toMatchObject([{ provider_id: 'rc-1', state: null, updated_at: new Date('2026-01-06T00:00:00.000Z') }]);
		const repo = await system.database.db.selectFrom('repos').select('pull_requests_cursor').where('id', '=', owner.repoId).executeTakeFirstOrThrow();
		expect(repo.pull_requests_cursor).toEqual(batch.cursor);
	});

	it('changes nothing when the same batch comes again, and only what differs when one item changed', async () => {
		const owner = await newOwner('store-again');
		const batch: PullRequestBatch = { pullRequests: [pullRequest(1), pullRequest(2)], reviews: [review('r-1', 1, 'approved')], cursor: { page: 1 } };
		expect(await storePullRequestBatch(system.database.pool, owner, batch)).toBe(3);
		expect(await storePullRequestBatch(system.database.pool, owner, batch)).toBe(0);
		const edited = { ...batch, pullRequests: [pullRequest(1), pullRequest(2, { title: 'Renamed', draft: true })], cursor: { page: 2 } };
		expect(await storePullRequestBatch(system.database.pool, owner, edited)).toBe(1);
		expect((await storedPullRequests(owner)).map((r) => [r.title === 'Renamed', r.draft])).toEqual([
			[false, false],
			[true, true]
		]);
		const repo = await system.database.db.selectFrom('repos').select('pull_requests_cursor').where('id', '=', owner.repoId).executeTakeFirstOrThrow();
		expect(repo.pull_requests_cursor).toEqual({ page: 2 });
	});

	it('keeps the last of an item the batch names twice', async () => {
		const owner = await newOwner('store-twice');
		const batch: PullRequestBatch = {
			pullRequests: [pullRequest(7, { title: 'Before' }), pullRequest(7, { title: 'After' })],
			comments: [
				{ ...review('c-1', 7, 'x'), state: null, author: 'first' },
				{ ...review('c-1', 7, 'x'), state: null, author: 'edited' }
			],
			cursor: {}
		};
		expect(await storePullRequestBatch(system.database.pool, owner, batch)).toBe(2);
		expect((await storedPullRequests(owner)).map((r) => r.title)).toEqual(['After']);
		const comments = await system.database.db.selectFrom('pull_request_comments').select('author').where('repo_id', '=', owner.repoId).execute();
		expect(comments).toEqual([{ author: 'edited' }]);
	});

	it('writes nothing, not even the cursor, once the integration is being deleted', async () => {
		const owner = await newOwner('store-deleting');
		await system.database.db.updateTable('integrations').set({ data_status: 'deleting' }).where('id', '=', owner.integrationId).execute();
		const batch: PullRequestBatch = { pullRequests: [pullRequest(1)], reviews: [review('r-1', 1, 'approved')], cursor: { page: 1 } };
		expect(await storePullRequestBatch(system.database.pool, owner, batch)).toBeNull();
		expect(await storedPullRequests(owner)).toEqual([]);
		const reviews = await system.database.db.selectFrom('pull_request_reviews').select('provider_id').where('repo_id', '=', owner.repoId).execute();
		expect(reviews).toEqual([]);
		const repo = await system.database.db.selectFrom('repos').select('pull_requests_cursor').where('id', '=', owner.repoId).executeTakeFirstOrThrow();
		expect(repo.pull_requests_cursor).toBeNull();
	});

	it('holds off a deletion until its rows are in: the deletion then finds them', async () => {
		const owner = await newOwner('store-held');
		const big: PullRequestBatch = { pullRequests: Array.from({ length: 5_000 }, (_, i) => pullRequest(i + 1)), cursor: { page: 1 } };
		const storing = storePullRequestBatch(system.database.pool, owner, big);
		// A deletion begins by marking the integration; it waits for the batch's share lock.
		await new Promise((resolve) => setTimeout(resolve, 5));
		const marking = system.database.db.updateTable('integrations').set({ data_status: 'deleting' }).where('id', '=', owner.integrationId).execute();
		const [stored] = await Promise.all([storing, marking]);
		// Either the batch went in whole before the mark, or nothing of it did.
		const count = (await storedPullRequests(owner)).length;
		expect(stored === null ? count : stored).toBe(stored === null ? 0 : 5_000);
		expect(count).toBe(stored === null ? 0 : 5_000);
	});
});
