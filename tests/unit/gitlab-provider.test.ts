// GitLab's form, the small rules of its connection test, how its notes become reviews and
// comments, how the merge request list's position moves, and its webhooks — without a server.
import type { MergeRequestSchema } from '@gitbeaker/core';
import { describe, expect, it } from 'vitest';
import { GitLabResponseError, RateLimitedError } from '#core/providers/gitlab/client.ts';
import { missingScopes, parseExpiry } from '#core/providers/gitlab/connection.ts';
import { credentialsFrom, describeCredentials, readBaseUrl } from '#core/providers/gitlab/credentials.ts';
import { describeGitLabError } from '#core/providers/gitlab/errors.ts';
import { gitlabFields } from '#core/providers/gitlab/fields.ts';
import { activityOf, reviewDecision, toMergeRequestRecord } from '#core/providers/gitlab/merge-requests.ts';
import { advanceMark, isPast } from '#core/providers/shared/update-mark.ts';
import { gitlabWebhooks } from '#core/providers/gitlab/webhooks.ts';

const user = { email: 'max@acme.example' } as Parameters<typeof describeCredentials>[1];
const context = { server: 'Your GitLab server (gitlab.example.com)', caField: true };

describe('the GitLab form', () => {
	it('asks for a server address and CA only for a self-managed server', () => {
		expect(gitlabFields('gitlab').map((f) => f.name)).toEqual(['token', 'deploymentsFromTags']);
		expect(gitlabFields('gitlab-self-managed').map((f) => f.name)).toEqual(['baseUrl', 'token', 'caCertificate', 'deploymentsFromTags']);
		expect(gitlabFields('gitlab-self-managed').filter((f) => f.secret).map((f) => f.name)).toEqual(['token']);
	});

	it('reads a server address with its path but without /api/v4, and refuses what is not one', () => {
		expect(readBaseUrl('https://gitlab.example.com/api/v4/', ['https'])).toEqual({ ok: true, value: 'https://gitlab.example.com' });
		expect(readBaseUrl('https://example.com/gitlab/', ['https'])).toEqual({ ok: true, value: 'https://example.com/gitlab' });
		expect(readBaseUrl('http://gitlab.example.com', ['https']).ok).toBe(false);
		expect(readBaseUrl('https://me:pw@gitlab.example.com', ['https'])).toMatchObject({ ok: false, errors: { baseUrl: expect.stringContaining('the token below') } });
	});

	it('takes a token alone, and describes it by its user without any part of it', () => {
		expect(credentialsFrom({ name: 'x', authMethod: 'personal-access-token', token: ' glpat-abc ' })).toEqual({ ok: true, value: { method: 'personal-access-token', token: 'glpat-abc' } });
		expect(credentialsFrom({ name: 'x', authMethod: 'personal-access-token', token: 'glpat a' }).ok).toBe(false);
		expect(credentialsFrom({ name: 'x', authMethod: 'personal-access-token' }).ok).toBe(false);
		const credentials = { method: 'personal-access-token' as const, token: 'glpat-secretsecret' };
		expect(describeCredentials(credentials, user, { username: 'sim-user', bot: false })).toBe('Personal access token of sim-user, entered by max@acme.example');
		expect(describeCredentials(credentials, user, { username: 'project_1_bot', bot: true })).toBe('Group or project access token of project_1_bot, entered by max@acme.example');
		expect(describeCredentials(credentials, user)).not.toMatch(/secret/);
	});
});

describe('the connection test’s rules', () => {
	it('needs read_api, and read_repository for commits; api covers both', () => {
		expect(missingScopes(['read_user'], ['repos', 'pull-requests'])).toEqual(['read_api', 'read_repository']);
		expect(missingScopes(['read_api'], ['pull-requests'])).toEqual([]);
		expect(missingScopes(['read_api'], ['repos'])).toEqual(['read_repository']);
		expect(missingScopes(['api'], ['repos', 'pull-requests'])).toEqual([]);
	});

	it('reads a token’s expiry date as the end of that day', () => {
		expect(parseExpiry('2026-12-11')?.toISOString()).toBe('2026-12-11T23:59:59.000Z');
		expect(parseExpiry(null)).toBeNull();
		expect(parseExpiry('never')).toBeNull();
	});

	it('puts each failure in words: expired, missing scope, rate limit, a redirect', () => {
		expect(describeGitLabError(new GitLabResponseError(401, 'Token has expired.', 'invalid_token', null), context)).toMatchObject({
			category: 'bad-credentials',
			message: expect.stringContaining('it has expired')
		});
		expect(describeGitLabError(new GitLabResponseError(403, 'The request requires higher privileges', 'insufficient_scope', 'api read_api'), context)).toMatchObject({
			category: 'missing-permission',
			message: expect.stringContaining('“api” or “read_api”')
		});
		const limited = describeGitLabError(new RateLimitedError(new Date('2026-12-02T10:15:00Z'), { limit: 2000, remaining: 0, resetAt: new Date('2026-12-02T10:15:00Z') }), context);
		expect(limited).toMatchObject({ category: 'rate-limited', permanent: false, message: expect.stringContaining('10:15 UTC (0 of 2000 requests left)') });
		expect(describeGitLabError(new GitLabResponseError(302, 'a redirect to https://elsewhere.example/', 'redirect', null), context).message).toContain('check the address');
	});
});

const mr = (iid: number, updated: string, extra: Partial<MergeRequestSchema> = {}) =>
	({ iid, updated_at: updated, created_at: '2026-01-01T00:00:00Z', title: `MR ${iid}`, state: 'opened', author: { username: 'li-lei' }, ...extra }) as unknown as MergeRequestSchema;

describe('the position of a list read by update time (GitLab’s, Bitbucket Cloud’s)', () => {
	const item = (id: number, updatedAt: string) => ({ id, updatedAt });
	it('moves to the last update of a page, keeping which items it stored at that instant', () => {
		const page = [item(1, '2026-01-02T00:00:00Z'), item(2, '2026-01-03T00:00:00Z'), item(3, '2026-01-03T00:00:00Z')];
		expect(advanceMark(null, page)).toEqual({ updatedAt: '2026-01-03T00:00:00Z', ids: [2, 3] });
	});

	it('grows at one instant, never goes back, and stays on an empty page', () => {
		const mark = { updatedAt: '2026-01-03T00:00:00Z', ids: [2] };
		expect(advanceMark(mark, [item(2, '2026-01-03T00:00:00.000Z'), item(7, '2026-01-03T00:00:00Z')])).toEqual({ updatedAt: '2026-01-03T00:00:00Z', ids: [2, 7] });
		expect(advanceMark(mark, [item(9, '2026-01-01T00:00:00Z')])).toBe(mark);
		expect(advanceMark(mark, [])).toBe(mark);
	});

	it('leaves out what was stored at the mark’s instant, and nothing else', () => {
		const mark = { updatedAt: '2026-01-03T00:00:00Z', ids: [2] };
		expect([item(2, '2026-01-03T00:00:00+00:00'), item(5, '2026-01-03T00:00:00Z'), item(1, '2026-01-02T23:59:59Z'), item(2, '2026-01-03T00:00:01Z')].map((i) => isPast(i, mark))).toEqual([false, true, false, true]);
		expect(isPast(item(1, '2020-01-01T00:00:00Z'), null)).toBe(true);
	});
});

describe('notes as reviews and comments', () => {
	const note = (id: number, body: string, extra: Record<string, unknown> = {}) => ({ id, body, system: false, author: { username: 'zoe-angstrom' }, created_at: `2026-01-0${id}T00:00:00Z`, updated_at: null, ...extra });
	const notes = [
		note(1, 'Looks close', { type: 'DiffNote' }),
		note(2, 'approved this merge request', { system: true }),
		note(3, 'added 1 commit', { system: true }),
		note(4, 'Thanks!', { author: { username: 'li-lei' } }),
		note(5, 'requested changes', { system: true })
	];

	it('takes approvals and change requests from system notes, diff notes as review comments, the rest as comments', () => {
		expect(notes.map((n) => reviewDecision(n))).toEqual([null, 'approved', null, null, 'changes_requested']);
		const activity = activityOf(12, notes);
		expect(activity.reviews.map((r) => [r.providerId, r.state])).toEqual([
			['2', 'approved'],
			['5', 'changes_requested']
		]);
		expect(activity.reviewComments.map((r) => r.providerId)).toEqual(['1']);
		expect(activity.comments.map((r) => r.providerId)).toEqual(['4']);
		expect(activity.comments[0]).toMatchObject({ pullRequestProviderId: '12', author: 'li-lei', state: null });
	});

	it('dates the first review from the first approval or diff note by someone other than the author', () => {
		const record = toMergeRequestRecord(mr(12, '2026-01-09T00:00:00Z', { state: 'merged', merged_at: '2026-01-08T00:00:00Z' }), notes);
		expect(record).toMatchObject({ providerId: '12', number: 12, state: 'merged', author: 'li-lei', firstReviewAt: new Date('2026-01-01T00:00:00Z') });
		expect(toMergeRequestRecord(mr(13, '2026-01-09T00:00:00Z'), [note(4, 'mine', { type: 'DiffNote', author: { username: 'li-lei' } })]).firstReviewAt).toBeNull();
	});
});

describe('GitLab webhooks', () => {
	const headers = (extra: Record<string, string>) => new Headers({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'uuid-1', ...extra });

	it('accept the secret token alone, in constant time (a prefix or nothing is refused)', async () => {
		expect(await gitlabWebhooks.verify('s3cret', '{}', headers({ 'x-gitlab-token': 's3cret' }))).toBe(true);
		expect(await gitlabWebhooks.verify('s3cret', '{}', headers({ 'x-gitlab-token': 's3cre' }))).toBe(false);
		expect(await gitlabWebhooks.verify('s3cret', '{}', headers({}))).toBe(false);
	});

	it('update the project of a push, and of a note on a merge request; ignore notes elsewhere', () => {
		expect(gitlabWebhooks.read(JSON.stringify({ object_kind: 'push', project_id: 7, project: { id: 7 } }), headers({}))).toMatchObject({
			ok: true,
			delivery: { id: 'uuid-1', event: 'Push Hook' },
			effect: { kind: 'update', repositories: ['7'], what: 'new commits' }
		});
		const onIssue = gitlabWebhooks.read(JSON.stringify({ project: { id: 7 }, object_attributes: { noteable_type: 'Issue' } }), headers({ 'x-gitlab-event': 'Note Hook' }));
		expect(onIssue).toMatchObject({ ok: true, effect: { kind: 'ignored' } });
		const onMr = gitlabWebhooks.read(JSON.stringify({ project: { id: 7 }, object_attributes: { noteable_type: 'MergeRequest' } }), headers({ 'x-gitlab-event': 'Note Hook' }));
		expect(onMr).toMatchObject({ ok: true, effect: { kind: 'update', repositories: ['7'] } });
		expect(gitlabWebhooks.read('not json', headers({})).ok).toBe(false);
		expect(gitlabWebhooks.read('{}', new Headers({ 'x-gitlab-event': 'Push Hook' })).ok).toBe(false);
	});
});
