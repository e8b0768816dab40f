// Bitbucket's pure pieces, both editions: signatures, deliveries read into effects, quotas, the
// mapping of comments, activity and approvals onto the seam's records, addresses.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hubSignatureValid } from '#core/providers/shared/hub-signature.ts';
import { commentsOf, reviewsOf, toPullRequestRecord } from '#core/providers/bitbucket-cloud/pull-requests.ts';
import { cloneOriginOf, readCloudQuota, withoutUser } from '#core/providers/bitbucket-cloud/session.ts';
import { cloudWebhooks } from '#core/providers/bitbucket-cloud/webhooks.ts';
import { activityOf, toPullRequestRecord as toServerRecord } from '#core/providers/bitbucket-data-center/pull-requests.ts';
import { readDataCenterQuota, readDataCenterUrl } from '#core/providers/bitbucket-data-center/session.ts';
import { dataCenterWebhooks } from '#core/providers/bitbucket-data-center/webhooks.ts';

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('signatures (X-Hub-Signature)', () => {
	it('accepts the HMAC of the body under the secret, and nothing else', () => {
		const body = '{"a":1}';
		expect(hubSignatureValid('s3cret', body, sign('s3cret', body))).toBe(true);
		expect(hubSignatureValid('s3cret', body, sign('s3cret', body).toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
		expect(hubSignatureValid('s3cret', `${body} `, sign('s3cret', body))).toBe(false);
		expect(hubSignatureValid('other', body, sign('s3cret', body))).toBe(false);
		expect(hubSignatureValid('s3cret', body, null)).toBe(false);
		expect(hubSignatureValid('s3cret', body, createHmac('sha256', 's3cret').update(body).digest('hex'))).toBe(false);
		expect(hubSignatureValid('s3cret', body, 'sha256=abc')).toBe(false);
	});
});

describe('Bitbucket Cloud deliveries', () => {
	const headers = (event: string, id = 'req-1') => new Headers({ 'x-event-key': event, 'x-request-uuid': id });
	it('a push or pull request event updates the repository it names; a deleted comment is removed', () => {
		expect(cloudWebhooks.read(JSON.stringify({ repository: { uuid: '{r1}' } }), headers('repo:push'))).toMatchObject({
			ok: true,
			delivery: { id: 'req-1', event: 'repo', action: 'push' },
			effect: { kind: 'update', repositories: ['{r1}'] }
		});
		expect(cloudWebhooks.read(JSON.stringify({ repository: { uuid: '{r1}' } }), headers('pullrequest:approved'))).toMatchObject({ effect: { kind: 'update', what: 'an approval' } });
		expect(cloudWebhooks.read(JSON.stringify({ repository: { uuid: '{r1}' }, comment: { id: 7, inline: { path: 'a' } } }), headers('pullrequest:comment_deleted'))).toMatchObject({
			effect: { kind: 'removed', table: 'pull_request_review_comments', providerId: '7' }
		});
		expect(cloudWebhooks.read(JSON.stringify({ repository: { uuid: '{r1}' }, comment: { id: 8 } }), headers('pullrequest:comment_deleted'))).toMatchObject({ effect: { table: 'pull_request_comments' } });
	});
	it('ignores what it does not read, and refuses what is not a delivery', () => {
		expect(cloudWebhooks.read(JSON.stringify({ repository: { uuid: '{r1}' } }), headers('issue:created'))).toMatchObject({ effect: { kind: 'ignored' } });
		expect(cloudWebhooks.read('not json', headers('repo:push'))).toMatchObject({ ok: false });
		expect(cloudWebhooks.read('{}', new Headers({ 'x-event-key': 'repo:push' }))).toMatchObject({ ok: false });
	});
});

describe('Bitbucket Data Center deliveries', () => {
	const headers = (event: string) => new Headers({ 'x-event-key': event, 'x-request-id': 'dc-1' });
	it('a ping is a ping; a push, a review or a comment updates the repository; a deleted comment is removed', () => {
		expect(dataCenterWebhooks.read('{"test":true}', headers('diagnostics:ping'))).toMatchObject({ ok: true, effect: { kind: 'ping' } });
		expect(dataCenterWebhooks.read(JSON.stringify({ repository: { id: 12 } }), headers('repo:refs_changed'))).toMatchObject({
			delivery: { id: 'dc-1', event: 'repo', action: 'refs_changed' },
			effect: { kind: 'update', repositories: ['12'] }
		});
		expect(dataCenterWebhooks.read(JSON.stringify({ pullRequest: { toRef: { repository: { id: 12 } } } }), headers('pr:reviewer:needs_work'))).toMatchObject({
			delivery: { event: 'pr', action: 'reviewer:needs_work' },
			effect: { kind: 'update', repositories: ['12'] }
		});
		expect(dataCenterWebhooks.read(JSON.stringify({ pullRequest: { toRef: { repository: { id: 12 } } }, comment: { id: 5 }, commentAnchor: { path: 'x' } }), headers('pr:comment:deleted'))).toMatchObject({
			effect: { kind: 'removed', repository: '12', table: 'pull_request_review_comments', providerId: '5' }
		});
	});
});

describe('quotas', () => {
	it('Cloud: the limit, and a fifth left once Bitbucket says it is near', () => {
		expect(readCloudQuota(new Headers())).toBeUndefined();
		expect(readCloudQuota(new Headers({ 'x-ratelimit-limit': '1000' }))).toMatchObject({ limit: 1000, remaining: 1000 });
		expect(readCloudQuota(new Headers({ 'x-ratelimit-limit': '1000', 'x-ratelimit-nearlimit': 'true' }))).toMatchObject({ limit: 1000, remaining: 200 });
	});
	it('Data Center: the bucket, refilled at its fill rate', () => {
		const quota = readDataCenterQuota(new Headers({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '10', 'x-ratelimit-fillrate': '5', 'x-ratelimit-interval-seconds': '1' }))!;
		expect(quota).toMatchObject({ limit: 60, remaining: 10 });
		expect(quota.resetAt.getTime() - Date.now()).toBeGreaterThan(9_000);
		expect(quota.resetAt.getTime() - Date.now()).toBeLessThanOrEqual(10_000);
		expect(readDataCenterQuota(new Headers({ 'x-ratelimit-limit': '60' }))).toBeUndefined();
	});
});

describe('Cloud pull requests', () => {
	const user = (name: string) => ({ type: 'user', uuid: `{${name}}`, nickname: name }) as never;
	const activity = [
		{ approval: { date: '2026-01-03T00:00:00+00:00', user: user('zoe') } },
		{ changes_request: { date: '2026-01-02T00:00:00+00:00', user: user('li') } },
		{ update: { date: '2026-01-04T00:00:00+00:00', state: 'MERGED', author: user('li') } },
		{ approval: { date: '2026-01-05T00:00:00+00:00', user: user('ana') } }
	];
	const comments = [
		{ id: 1, user: user('zoe'), created_on: '2026-01-01T12:00:00+00:00', inline: { path: 'a.ts' } },
		{ id: 2, user: user('ana'), created_on: '2026-01-01T13:00:00+00:00' },
		{ id: 3, user: user('ana'), created_on: '2026-01-01T14:00:00+00:00', deleted: true }
	];
	it('approvals and change requests are reviews; inline comments review comments; deleted ones are left out', () => {
		expect(reviewsOf(9, activity).map((r) => [r.state, r.author])).toEqual([
			['approved', 'zoe'],
			['changes_requested', 'li'],
			['approved', 'ana']
		]);
		const split = commentsOf(9, comments);
		expect(split.reviewComments.map((c) => c.providerId)).toEqual(['1']);
		expect(split.comments.map((c) => c.providerId)).toEqual(['2']);
	});
	it('a merged pull request takes its merge time from the activity; the first review is someone else’s', () => {
		const record = toPullRequestRecord(
			{ type: 'pullrequest', id: 9, title: 'T', state: 'MERGED', author: user('li'), created_on: '2026-01-01T00:00:00+00:00', updated_on: '2026-01-06T00:00:00+00:00', links: { html: { href: 'https://bb/x/9' } } } as never,
			activity,
			comments
		);
		expect(record).toMatchObject({ providerId: '9', state: 'merged', author: 'li', url: 'https://bb/x/9' });
		expect(record.mergedAt?.toISOString()).toBe('2026-01-04T00:00:00.000Z');
		expect(record.closedAt?.toISOString()).toBe('2026-01-04T00:00:00.000Z');
		// li's own change request does not count; zoe's inline comment (Jan 1, noon) is the first.
		expect(record.firstReviewAt?.toISOString()).toBe('2026-01-01T12:00:00.000Z');
	});
});

describe('Data Center activities', () => {
	it('approvals and "needs work" are reviews; anchored comments and their replies review comments; other comments and replies comments', () => {
		const activities = [
			{ id: 1, action: 'APPROVED', createdDate: 3, user: { slug: 'zoe' } },
			{ id: 2, action: 'REVIEWED', createdDate: 2, user: { slug: 'li' } },
			{ id: 3, action: 'COMMENTED', commentAction: 'ADDED', commentAnchor: { path: 'a' }, comment: { id: 30, author: { slug: 'zoe' }, createdDate: 1, updatedDate: 1, comments: [{ id: 31, author: { slug: 'li' }, createdDate: 4 }] } },
			{ id: 4, action: 'COMMENTED', commentAction: 'ADDED', comment: { id: 40, author: { slug: 'ana' }, createdDate: 5, updatedDate: 9, comments: [{ id: 41, createdDate: 6 }] } },
			{ id: 5, action: 'COMMENTED', commentAction: 'EDITED', comment: { id: 40, createdDate: 5 } },
			{ id: 6, action: 'OPENED', createdDate: 0 }
		];
		const activity = activityOf(7, activities);
		expect(activity.reviews.map((r) => [r.providerId, r.state])).toEqual([
			['1', 'approved'],
			['2', 'changes_requested']
		]);
		expect(activity.reviewComments.map((c) => c.providerId)).toEqual(['30', '31']);
		expect(activity.comments.map((c) => c.providerId)).toEqual(['40', '41']);
		expect(activity.comments[0]!.updatedAt?.getTime()).toBe(9);
		const record = toServerRecord({ id: 7, state: 'DECLINED', closedDate: 10, createdDate: 0, updatedDate: 10, author: { user: { slug: 'li' } } }, 'https://bb', 'ACME', 'api', activity);
		expect(record).toMatchObject({ state: 'closed', url: 'https://bb/projects/ACME/repos/api/pull-requests/7', mergedAt: null });
		expect(record.firstReviewAt?.getTime()).toBe(1);
	});
});

describe('addresses', () => {
	it('a Data Center address loses the API path people paste with it', () => {
		expect(readDataCenterUrl('https://bitbucket.example.com/ctx/rest/api/1.0/', ['https'])).toEqual({ ok: true, value: 'https://bitbucket.example.com/ctx' });
		expect(readDataCenterUrl('http://bitbucket.example.com', ['https']).ok).toBe(false);
	});
	it('Cloud clones on bitbucket.org beside api.bitbucket.org; clone URLs lose their user name', () => {
		expect(cloneOriginOf('https://api.bitbucket.org/2.0')).toBe('https://bitbucket.org');
		expect(cloneOriginOf('http://127.0.0.1:9/bitbucket-cloud/2.0')).toBe('http://127.0.0.1:9');
		expect(withoutUser('https://sim-user@bitbucket.org/acme/api.git')).toBe('https://bitbucket.org/acme/api.git');
	});
});
