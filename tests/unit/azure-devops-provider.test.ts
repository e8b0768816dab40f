// Azure DevOps's form, its errors in Azure's words, how threads and votes become comments and
// reviews, the incremental scheme (against an in-memory Azure that pages and filters as the REST
// API does), and its service hooks — without a server.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FormContext, PullRequestActivityRecord, PullRequestBatch, PullRequestRecord, PullRequestRun } from '#core/providers/provider.ts';
import { azureDevOps } from '#core/providers/azure-devops/index.ts';
import { accountOf, checkAzureConnection } from '#core/providers/azure-devops/connection.ts';
import { cloneUrlOf, groupRepositories } from '#core/providers/azure-devops/discovery.ts';
import { AzureRateLimitedError, AzureResponseError, azureErrors, describeAzureError, scopesNamed } from '#core/providers/azure-devops/errors.ts';
import {
	commentsOf,
	freshOf,
	ingestWithSession,
	markAfter,
	pageQuery,
	positionAfter,
	reviewStateOf,
	reviewsOf,
	toPullRequestRecord
} from '#core/providers/azure-devops/pull-requests.ts';
import { azureCredentialsFrom, describeAzureCredentials, openAzureSession, readAzureQuota, readAzureUrl, type AzureSession } from '#core/providers/azure-devops/session.ts';
import type { AzPullRequest, AzThread } from '#core/providers/azure-devops/types.ts';
import { azureWebhooks } from '#core/providers/azure-devops/webhooks.ts';

const user = { email: 'max@acme.example' } as Parameters<typeof describeAzureCredentials>[1];
const errors = azureErrors('https://dev.azure.com/contoso');

describe('the Azure DevOps form', () => {
	it('asks for the organization URL, a token (the only secret), a CA and tags', () => {
		expect(azureDevOps.fields.map((f) => f.name)).toEqual(['baseUrl', 'token', 'caCertificate', 'deploymentsFromTags']);
		expect(azureDevOps.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['token']);
		const base = azureDevOps.fields.find((f) => f.name === 'baseUrl')!;
		expect(base).toMatchObject({ label: 'Organization URL', placeholder: 'https://dev.azure.com/your-organization' });
		expect(azureDevOps.fields.find((f) => f.name === 'token')!.help).toMatch(/Code: Read and Project and Team: Read/);
	});

	it('reads dev.azure.com, visualstudio.com and a server collection, dropping /_apis… and what follows the organization', () => {
		expect(readAzureUrl('https://dev.azure.com/contoso/', ['https'])).toEqual({ ok: true, value: 'https://dev.azure.com/contoso' });
		expect(readAzureUrl('https://dev.azure.com/contoso/Fabrikam/_git/web', ['https'])).toEqual({ ok: true, value: 'https://dev.azure.com/contoso' });
		expect(readAzureUrl('https://dev.azure.com/contoso/_apis/projects', ['https'])).toEqual({ ok: true, value: 'https://dev.azure.com/contoso' });
		expect(readAzureUrl('https://contoso.visualstudio.com', ['https'])).toEqual({ ok: true, value: 'https://contoso.visualstudio.com' });
		expect(readAzureUrl('https://tfs.example.com/tfs/DefaultCollection/_apis/', ['https'])).toEqual({ ok: true, value: 'https://tfs.example.com/tfs/DefaultCollection' });
		expect(readAzureUrl('https://dev.azure.com', ['https'])).toMatchObject({ ok: false, errors: { baseUrl: expect.stringContaining('Add your organization') } });
		expect(readAzureUrl('http://tfs.example.com/tfs', ['https']).ok).toBe(false);
		expect(readAzureUrl('https://me:pat@dev.azure.com/contoso', ['https'])).toMatchObject({ ok: false, errors: { baseUrl: expect.stringContaining('personal access token below') } });
	});

	it('takes a token alone, and describes it by its user without any part of it', () => {
		expect(azureCredentialsFrom({ name: 'x', authMethod: 'personal-access-token', token: ' abc234 ' })).toEqual({ ok: true, value: { method: 'personal-access-token', token: 'abc234' } });
		expect(azureCredentialsFrom({ name: 'x', authMethod: 'personal-access-token', token: 'a b' }).ok).toBe(false);
		expect(azureCredentialsFrom({ name: 'x', authMethod: 'personal-access-token' }).ok).toBe(false);
		const credentials = { method: 'personal-access-token' as const, token: 'secretsecret' };
		expect(describeAzureCredentials(credentials, user, 'sim@example.com')).toBe('Personal access token of sim@example.com, entered by max@acme.example');
		expect(describeAzureCredentials(credentials, user)).not.toMatch(/secret/);
	});

	it('reads the whole form, every field’s error at once, and keeps a stored token only for the same address', () => {
		const context = { settings: { gitAllowedSchemes: ['https'] } } as unknown as FormContext;
		const read = azureDevOps.readForm({ name: 'Contoso', authMethod: 'personal-access-token', baseUrl: 'https://dev.azure.com/contoso', token: 'abc' }, context);
		expect(read).toMatchObject({ ok: true, value: { baseUrl: 'https://dev.azure.com/contoso', credentials: { token: 'abc' }, settings: { caCertificate: null } } });
		const bad = azureDevOps.readForm({ name: 'Contoso', authMethod: 'personal-access-token', baseUrl: 'ftp://x', caCertificate: 'nope' }, context);
		expect(bad.ok ? [] : Object.keys(bad.errors).sort()).toEqual(['baseUrl', 'caCertificate', 'token']);
		const editing = { ...context, editing: { id: 'i', authMethod: 'personal-access-token', baseUrl: 'https://dev.azure.com/contoso', settings: {}, repositories: [] } } as FormContext;
		expect(azureDevOps.readForm({ name: 'C', authMethod: 'personal-access-token', baseUrl: 'https://dev.azure.com/contoso' }, editing)).toMatchObject({ ok: true, value: { keepCredentials: true } });
		expect(azureDevOps.readForm({ name: 'C', authMethod: 'personal-access-token', baseUrl: 'https://dev.azure.com/other' }, editing)).toMatchObject({ ok: false, errors: { token: expect.stringContaining('never sent to a new address') } });
	});
});

describe('Azure DevOps errors, in its words', () => {
	it('tells an expired, a revoked and an unknown token apart, and says what to do', () => {
		const expired = describeAzureError(new AzureResponseError(401, 'Access Denied: The Personal Access Token used has expired.'), errors);
		expect(expired).toMatchObject({ category: 'bad-credentials', message: expect.stringMatching(/Azure DevOps \(dev\.azure\.com\/contoso\) refused the personal access token .*: it has expired\. Create a new personal access token/) });
		expect(describeAzureError(new AzureResponseError(401, 'Access Denied: The Personal Access Token used has been revoked.'), errors).message).toMatch(/: it was revoked\./);
		expect(describeAzureError(new AzureResponseError(401, "TF400813: The user '' is not authorized to access this resource."), errors).message).toMatch(/revoked, has expired, was mistyped or belongs to another organization/);
	});

	it('names a missing scope as a missing permission', () => {
		expect(scopesNamed('The requested operation requires scope vso.code. The access token does not have it.')).toEqual(['vso.code']);
		const failure = describeAzureError(new AzureResponseError(401, 'The requested operation requires scope vso.code. The access token does not have it.'), errors);
		expect(failure).toMatchObject({ category: 'missing-permission', missingScopes: ['vso.code'], message: expect.stringContaining('lacks the scope “vso.code”') });
	});

	it('reads the sign-in page (203) as credentials not accepted', () => {
		expect(describeAzureError(new AzureResponseError(203, '', null, true), errors)).toMatchObject({
			category: 'bad-credentials',
			message: expect.stringContaining('answered with its sign-in page: it did not accept the credentials')
		});
	});

	it('says not found, server errors, the rate limit and network failures with the CA fix', () => {
		expect(describeAzureError(new AzureResponseError(404, 'TF200016: The following project does not exist: X.'), errors)).toMatchObject({ category: 'not-found', message: expect.stringContaining('TF200016') });
		expect(describeAzureError(new AzureResponseError(404, "The organization 'nope' could not be found.", 'OrganizationNotFoundException'), errors).message).toMatch(/no such organization/);
		expect(describeAzureError(new AzureResponseError(503, 'down'), errors)).toMatchObject({ category: 'server-error', permanent: false, message: expect.stringContaining('(503) several times in a row') });
		const limited = describeAzureError(new AzureRateLimitedError(new Date('2026-12-02T10:15:00Z')), errors);
		expect(limited).toMatchObject({ category: 'rate-limited', permanent: false, resetAt: new Date('2026-12-02T10:15:00Z'), message: expect.stringContaining('until about 10:15 UTC') });
		const tls = describeAzureError(Object.assign(new Error('fetch failed'), { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' } }), errors);
		expect(tls).toMatchObject({ category: 'tls', message: expect.stringContaining('“CA certificate” field') });
		const dns = describeAzureError(Object.assign(new Error('fetch failed'), { cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' } }), errors);
		expect(dns).toMatchObject({ category: 'dns', message: expect.stringContaining('(dev.azure.com/contoso) could not be found') });
	});

	it('reads the quota only when Azure reports it', () => {
		expect(readAzureQuota(new Headers())).toBeUndefined();
		const quota = readAzureQuota(new Headers({ 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1800000000' }));
		expect(quota).toEqual({ limit: 200, remaining: 12, resetAt: new Date(1_800_000_000_000) });
	});

	it('knows the anonymous identity from a person', () => {
		expect(accountOf({ id: 'a', descriptor: 'System:PublicAccess;a', providerDisplayName: 'Anonymous' })).toBeNull();
		expect(accountOf({ id: 'b', providerDisplayName: 'Sim User', properties: { Account: { $value: 'sim@example.com' } } })).toBe('sim@example.com');
	});
});

describe('a session, against a local server', () => {
	it('sends the token as basic auth’s password with an empty user name and api-version 7.1, and reads a 203 sign-in page as refused credentials', async () => {
		const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
		const server = createServer((req, res) => {
			seen.push({ url: req.url ?? '', headers: req.headers });
			res.writeHead(203, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Azure DevOps Services | Sign In</title>');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme`;
			const session = openAzureSession(
				{ baseUrl, settings: {}, credentials: { method: 'personal-access-token', token: 'pat52' } },
				{ gitAllowedSchemes: ['http', 'https'], gitMirrorDir: '/tmp', gitPrivateNetworks: ['127.0.0.0/8'] },
				{ retries: 0 }
			);
			const report = await checkAzureConnection(session, ['repos', 'pull-requests']);
			expect(report).toMatchObject({ ok: false, failure: 'bad-credentials', failed: 1, message: expect.stringContaining('answered with its sign-in page: it did not accept the credentials') });
			expect(seen[0]!.url).toBe('/acme/_apis/connectionData?api-version=7.1');
			expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from(':pat52').toString('base64')}`);
		} finally {
			server.close();
		}
	});
});

describe('discovery', () => {
	const project = { id: 'p1', name: 'Acme Inc' };
	it('groups repositories by project, with clone URLs without their user name, on the organization’s origin only', () => {
		const groups = groupRepositories(
			'https://dev.azure.com/acme',
			[project, { id: 'p2', name: 'Empty' }],
			[{ id: 'ABC', name: 'api', project, remoteUrl: 'https://acme@dev.azure.com/acme/Acme%20Inc/_git/api', isDisabled: true, isFork: false }],
			errors
		);
		expect(groups).toEqual([
			{
				providerId: 'p1',
				name: 'Acme Inc',
				url: 'https://dev.azure.com/acme/Acme%20Inc',
				repositories: [{ providerId: 'abc', url: 'https://dev.azure.com/acme/Acme%20Inc/_git/api', display: 'Acme Inc/api', name: 'Acme Inc/api', groupProviderId: 'p1', archived: true, imported: false, fork: false }]
			},
			{ providerId: 'p2', name: 'Empty', url: 'https://dev.azure.com/acme/Empty', repositories: [] }
		]);
		expect(cloneUrlOf('https://acme@evil.example/acme/x/_git/y', 'https://dev.azure.com/acme')).toBeUndefined();
		expect(() => groupRepositories('https://dev.azure.com/acme', [project], [{ id: 'x', name: 'y', project, remoteUrl: 'https://evil.example/y' }], errors)).toThrow(/another server, evil\.example/);
	});
});

const identity = (id: string) => ({ id, uniqueName: `${id}@example.com`, displayName: id });
const thread = (id: number, extra: Partial<AzThread> & { comments?: AzThread['comments'] } = {}): AzThread => ({
	id,
	publishedDate: `2026-01-0${id}T00:00:00Z`,
	lastUpdatedDate: `2026-01-0${id}T00:00:00Z`,
	isDeleted: false,
	threadContext: null,
	comments: [{ id: 1, parentCommentId: 0, author: identity('zoe'), commentType: 'text', publishedDate: `2026-01-0${id}T00:00:00Z`, lastUpdatedDate: `2026-01-0${id}T00:00:00Z` }],
	...extra
});
const voteThread = (id: number, voter: string, vote: number): AzThread =>
	thread(id, {
		properties: { CodeReviewThreadType: { $value: 'VoteUpdate' }, CodeReviewVoteResult: { $value: String(vote) }, CodeReviewVotedByIdentity: { $value: '1' } },
		identities: { '1': identity(voter) },
		comments: [{ id: 1, author: identity(voter), commentType: 'system', content: `${voter} voted ${vote}`, publishedDate: `2026-01-0${id}T00:00:00Z` }]
	});

describe('threads and votes', () => {
	const pr: AzPullRequest = { pullRequestId: 7, status: 'active', creationDate: '2026-01-01T00:00:00Z', createdBy: identity('li') };
	const threads = [
		thread(2, {
			threadContext: { filePath: '/src/a.ts' },
			comments: [
				{ id: 1, author: identity('zoe'), commentType: 'text', publishedDate: '2026-01-02T00:00:00Z' },
				{ id: 2, parentCommentId: 1, author: identity('li'), commentType: 'text', publishedDate: '2026-01-02T01:00:00Z', lastContentUpdatedDate: '2026-01-02T02:00:00Z' },
				{ id: 3, author: identity('zoe'), commentType: 'text', isDeleted: true, publishedDate: '2026-01-02T03:00:00Z' }
			]
		}),
		thread(3),
		voteThread(4, 'zoe', 10),
		voteThread(5, 'ann', -10),
		voteThread(6, 'bob', 5),
		voteThread(7, 'bob', 0),
		thread(8, { isDeleted: true }),
		thread(9, { properties: { CodeReviewThreadType: { $value: 'StatusUpdate' } } })
	];

	it('makes threads on a file review comments (replies included), others comments, and leaves out system, deleted and vote threads', () => {
		const { reviewComments, comments } = commentsOf(7, threads);
		expect(reviewComments.map((c) => [c.providerId, c.author])).toEqual([
			['7:2:1', 'zoe@example.com'],
			['7:2:2', 'li@example.com']
		]);
		expect(reviewComments[1]!.updatedAt).toEqual(new Date('2026-01-02T02:00:00Z'));
		expect(comments.map((c) => c.providerId)).toEqual(['7:3:1']);
	});

	it('maps votes: 10 and 5 approved, -10 and -5 changes requested, a reset vote dismissed, never voting nothing', () => {
		expect([10, 5, -5, -10].map((v) => reviewStateOf(v, false))).toEqual(['approved', 'approved', 'changes_requested', 'changes_requested']);
		expect(reviewStateOf(0, true)).toBe('dismissed');
		expect(reviewStateOf(0, false)).toBeNull();
		const reviewers = [
			{ ...identity('zoe'), vote: 10 },
			{ ...identity('ann'), vote: -10 },
			{ ...identity('bob'), vote: 0 },
			{ ...identity('cat'), vote: 0 },
			{ ...identity('team'), vote: 10, isContainer: true }
		];
		const reviews = reviewsOf(pr, reviewers, threads);
		expect(reviews.map((r: PullRequestActivityRecord) => [r.providerId, r.state, r.createdAt.toISOString()])).toEqual([
			['vote:7:zoe', 'approved', '2026-01-04T00:00:00.000Z'],
			['vote:7:ann', 'changes_requested', '2026-01-05T00:00:00.000Z'],
			['vote:7:bob', 'dismissed', '2026-01-07T00:00:00.000Z']
		]);
	});

	it('builds the record in our words: state, refs, shas, dates from the threads', () => {
		const completed: AzPullRequest = {
			...pr,
			status: 'completed',
			title: 'Add things',
			isDraft: false,
			closedDate: '2026-01-03T00:00:00.1234567Z',
			sourceRefName: 'refs/heads/feature/x',
			targetRefName: 'refs/heads/main',
			lastMergeSourceCommit: { commitId: 'aaa' },
			lastMergeCommit: { commitId: 'bbb' }
		};
		const record: PullRequestRecord = toPullRequestRecord(completed, threads, 'https://x/pullrequest/7');
		expect(record).toMatchObject({
			providerId: '7',
			number: 7,
			state: 'merged',
			author: 'li@example.com',
			baseRef: 'main',
			headRef: 'feature/x',
			headSha: 'aaa',
			mergeCommitSha: 'bbb',
			createdAt: new Date('2026-01-01T00:00:00Z'),
			mergedAt: new Date('2026-01-03T00:00:00.123Z'),
			closedAt: new Date('2026-01-03T00:00:00.123Z'),
			// The latest thread not deleted (9, a status change).
			updatedAt: new Date('2026-01-09T00:00:00Z'),
			// Zoe's comment on a file, the day before her vote.
			firstReviewAt: new Date('2026-01-02T00:00:00Z')
		});
		expect(toPullRequestRecord({ ...completed, status: 'abandoned' }, [], 'u')).toMatchObject({ state: 'closed', mergedAt: null, mergeCommitSha: null, updatedAt: new Date('2026-01-03T00:00:00.123Z') });
		expect(toPullRequestRecord({ ...pr, isDraft: true }, [], 'u')).toMatchObject({ state: 'open', draft: true, closedAt: null, firstReviewAt: null });
	});
});

describe('the incremental scheme’s pure parts', () => {
	const item = (id: number, at: string, status: AzPullRequest['status'] = 'completed'): AzPullRequest => ({ pullRequestId: id, status, creationDate: at, closedDate: at });

	it('asks the closed list from the mark, every page 1 ms past the oldest instant read', () => {
		expect(pageQuery('closed', null, null)).toMatchObject({ 'searchCriteria.status': 'all', 'searchCriteria.queryTimeRangeType': 'closed', 'searchCriteria.minTime': '2000-01-01T00:00:00.000Z', $top: 100 });
		const mark = { updatedAt: '2026-01-05T00:00:00.000Z', ids: [3] };
		const before = { at: '2026-01-09T00:00:00.000Z', ids: [8, 9] };
		expect(pageQuery('closed', mark, before)).toMatchObject({ 'searchCriteria.minTime': mark.updatedAt, 'searchCriteria.maxTime': '2026-01-09T00:00:00.001Z', $top: 102 });
		expect(pageQuery('active', mark, null)).toEqual({ 'searchCriteria.status': 'active', $top: 100 });
	});

	it('leaves out what was read at the position’s instant and what the mark stored; moves on to the last instant', () => {
		const before = { at: '2026-01-09T00:00:00.000Z', ids: [9] };
		const mark = { updatedAt: '2026-01-05T00:00:00.000Z', ids: [3] };
		const page = [item(9, '2026-01-09T00:00:00.0004Z'), item(8, '2026-01-09T00:00:00Z'), item(4, '2026-01-06T00:00:00Z'), item(3, '2026-01-05T00:00:00Z'), item(2, '2026-01-05T00:00:00Z')];
		expect(freshOf('closed', page, before, mark).map((p) => p.pullRequestId)).toEqual([8, 4, 2]);
		expect(positionAfter('closed', before, page)).toEqual({ at: '2026-01-05T00:00:00.000Z', ids: [3, 2] });
		expect(positionAfter('closed', { at: '2026-01-05T00:00:00.000Z', ids: [1] }, page)).toEqual({ at: '2026-01-05T00:00:00.000Z', ids: [1, 3, 2] });
		expect(markAfter(null, page)).toEqual({ updatedAt: '2026-01-09T00:00:00.000Z', ids: [8, 9] });
		expect(markAfter({ updatedAt: '2026-02-01T00:00:00.000Z', ids: [1] }, page)).toEqual({ updatedAt: '2026-02-01T00:00:00.000Z', ids: [1] });
		expect(freshOf('active', [item(5, '2026-01-01T00:00:00Z', 'active'), item(6, '2026-01-01T00:00:00Z', 'completed')], null, mark).map((p) => p.pullRequestId)).toEqual([5]);
	});
});

/** An in-memory Azure repository that lists pull requests as the REST API does (status, time range, min/max time, $top). */
class FakeAzure {
	prs: AzPullRequest[] = [];
	threads = new Map<number, AzThread[]>();
	threadReads = 0;
	listReads = 0;
	/** Fails the nth thread read from now (a kill, a 5xx). */
	failAfter: number | null = null;
	clock = Date.parse('2026-01-01T00:00:00Z');

	tick() {
		this.clock += 1000;
		return new Date(this.clock).toISOString().replace('Z', '4567Z');
	}
	open(n: number) {
		for (let i = 0; i < n; i++) {
			const id = this.prs.length + 1;
			this.prs.push({ pullRequestId: id, status: 'active', creationDate: this.tick(), title: `PR ${id}`, createdBy: identity('li'), reviewers: [] });
			this.threads.set(id, [thread(1)]);
		}
	}
	close(id: number, status: 'completed' | 'abandoned') {
		const pr = this.prs.find((p) => p.pullRequestId === id)!;
		pr.status = status;
		pr.closedDate = this.tick();
	}
	session(): AzureSession {
		return {
			baseUrl: 'https://dev.azure.com/acme',
			quota: () => undefined,
			credentials: { method: 'personal-access-token', token: 't' },
			caCertificate: null,
			errors,
			git: { gitAllowedSchemes: ['https'], gitMirrorDir: '/tmp' },
			post: () => Promise.reject(new Error('This fake Azure answers GET only.')),
			get: async <T,>(path: string, query: Record<string, string | number | undefined> = {}) => {
				const threads = /\/pullRequests\/(\d+)\/threads$/.exec(path);
				if (threads) {
					if (this.failAfter !== null && this.failAfter-- <= 0) throw new Error('killed');
					this.threadReads++;
					return { data: { value: structuredClone(this.threads.get(Number(threads[1])) ?? []) } as T, headers: new Headers() };
				}
				this.listReads++;
				const status = String(query['searchCriteria.status'] ?? 'active');
				const closed = query['searchCriteria.queryTimeRangeType'] === 'closed';
				const min = query['searchCriteria.minTime'] ? Date.parse(String(query['searchCriteria.minTime'])) : null;
				const max = query['searchCriteria.maxTime'] ? Date.parse(String(query['searchCriteria.maxTime'])) : null;
				// Azure keeps ten-millionths: compare finer than milliseconds (the fake's dates end in 4567).
				const at = (pr: AzPullRequest) => Date.parse((closed ? pr.closedDate : pr.creationDate) ?? '') + 0.4567;
				const list = this.prs
					.filter((pr) => status === 'all' || pr.status === status)
					.filter((pr) => (min === null && max === null) || (closed ? pr.closedDate : pr.creationDate))
					.filter((pr) => (min === null || at(pr) >= min) && (max === null || at(pr) <= max))
					.sort((a, b) => at(b) - at(a));
				return { data: { value: structuredClone(list.slice(0, Number(query.$top ?? 101))) } as T, headers: new Headers() };
			}
		};
	}
}

function fakeRun(stored: { cursor: Record<string, unknown> | null; rows: Map<string, string> }): PullRequestRun & { changed: number } {
	const run = {
		changed: 0,
		repo: { id: 'r', providerId: 'guid-1', name: 'Acme Inc/api', url: 'https://dev.azure.com/acme/Acme%20Inc/_git/api' },
		cursor: stored.cursor,
		concurrency: 4,
		async store(batch: PullRequestBatch) {
			let changed = 0;
			const put = (key: string, value: unknown) => {
				const text = JSON.stringify(value);
				if (stored.rows.get(key) !== text) changed++;
				stored.rows.set(key, text);
			};
			for (const pr of batch.pullRequests ?? []) put(`pr:${pr.providerId}`, pr);
			for (const table of ['reviews', 'reviewComments', 'comments'] as const) for (const row of batch[table] ?? []) put(`${table}:${row.providerId}`, row);
			stored.cursor = batch.cursor;
			run.changed += changed;
			return changed;
		},
		existing: async () => new Set<string>(),
		progress: async () => {},
		quota: () => {}
	};
	return run;
}

describe('the incremental ingest against an in-memory Azure', () => {
	it('stores every pull request once, writes nothing the second time, and brings closings, reopenings and comments', async () => {
		const azure = new FakeAzure();
		azure.open(250);
		for (const id of [3, 50, 120, 121, 240]) azure.close(id, id % 2 ? 'completed' : 'abandoned');
		const stored = { cursor: null as Record<string, unknown> | null, rows: new Map<string, string>() };
		await ingestWithSession(azure.session(), fakeRun(stored));
		const prs = () => [...stored.rows.keys()].filter((k) => k.startsWith('pr:'));
		expect(prs()).toHaveLength(250);
		expect(azure.threadReads).toBe(250);
		expect(stored.cursor).toMatchObject({ version: 1, mark: { ids: [240] } });
		expect(stored.cursor).not.toHaveProperty('pass');

		azure.threadReads = 0;
		const again = fakeRun(stored);
		await ingestWithSession(azure.session(), again);
		expect(again.changed).toBe(0);
		// Open pull requests are read again (their threads may have changed); closed ones are not.
		expect(azure.threadReads).toBe(245);

		azure.close(10, 'completed');
		azure.threads.get(20)!.push(thread(2, { publishedDate: azure.tick(), lastUpdatedDate: new Date(azure.clock).toISOString() }));
		const third = fakeRun(stored);
		await ingestWithSession(azure.session(), third);
		expect(JSON.parse(stored.rows.get('pr:10')!)).toMatchObject({ state: 'merged' });
		expect(stored.rows.has('comments:20:2:1')).toBe(true);
		// PR 10 closed, PR 20 updated, and its comment.
		expect(third.changed).toBe(3);
	});

	it('resumes a run stopped mid-page from its stored cursor, skipping nothing and storing nothing twice', async () => {
		const azure = new FakeAzure();
		azure.open(330);
		for (let id = 1; id <= 330; id += 3) azure.close(id, 'completed');
		const stored = { cursor: null as Record<string, unknown> | null, rows: new Map<string, string>() };
		azure.failAfter = 150;
		await expect(ingestWithSession(azure.session(), fakeRun(stored))).rejects.toThrow('killed');
		const partial = [...stored.rows.keys()].filter((k) => k.startsWith('pr:')).length;
		expect(partial).toBeGreaterThan(0);
		expect(partial).toBeLessThan(330);
		expect(stored.cursor).toHaveProperty('pass');
		// Meanwhile one more opens and one closes: both still arrive.
		azure.open(1);
		azure.close(2, 'abandoned');
		azure.failAfter = null;
		azure.threadReads = 0;
		await ingestWithSession(azure.session(), fakeRun(stored));
		// The closed pull requests already stored are not read again.
		expect(azure.threadReads).toBe(220);
		// Pull request 2 closed after the pass had read the closed list: the next pass finds it, past the mark.
		expect(stored.cursor).not.toHaveProperty('pass');
		await ingestWithSession(azure.session(), fakeRun(stored));
		expect([...stored.rows.keys()].filter((k) => k.startsWith('pr:'))).toHaveLength(331);
		expect(JSON.parse(stored.rows.get('pr:2')!)).toMatchObject({ state: 'closed' });
		const settled = fakeRun(stored);
		await ingestWithSession(azure.session(), settled);
		expect(settled.changed).toBe(0);
	});
});

describe('Azure DevOps service hooks', () => {
	const auth = (user: string, password: string) => new Headers({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
	const event = (eventType: string, resource: unknown) => JSON.stringify({ id: '6d1c9a3e-0b1f-4c59-9f7e-2d6f0b6d1a11', eventType, resource, subscriptionId: 's', notificationId: 3 });

	it('accept the secret as basic auth’s password, whatever the user name; refuse anything else', async () => {
		expect(await azureWebhooks.verify('s3cret', '{}', auth('anything', 's3cret'))).toBe(true);
		expect(await azureWebhooks.verify('s3cret', '{}', auth('', 's3cret'))).toBe(true);
		expect(await azureWebhooks.verify('s3cret', '{}', auth('x', 's3cre'))).toBe(false);
		expect(await azureWebhooks.verify('s3cret', '{}', new Headers({ authorization: 'Bearer s3cret' }))).toBe(false);
		expect(await azureWebhooks.verify('s3cret', '{}', new Headers())).toBe(false);
	});

	it('update the repository of a push, a pull request event and a comment; ignore other events', () => {
		expect(azureWebhooks.read(event('git.push', { repository: { id: 'ABC' } }), new Headers())).toEqual({
			ok: true,
			delivery: { id: '6d1c9a3e-0b1f-4c59-9f7e-2d6f0b6d1a11', event: 'git.push', action: null },
			effect: { kind: 'update', repositories: ['abc'], what: 'new commits or tags' }
		});
		expect(azureWebhooks.read(event('git.pullrequest.updated', { repository: { id: 'r1' } }), new Headers())).toMatchObject({ effect: { kind: 'update', repositories: ['r1'] } });
		expect(azureWebhooks.read(event('ms.vss-code.git-pullrequest-comment-event', { comment: {}, pullRequest: { repository: { id: 'r2' } } }), new Headers())).toMatchObject({
			effect: { kind: 'update', repositories: ['r2'], what: 'a comment' }
		});
		expect(azureWebhooks.read(event('git.pullrequest.merged', { repository: { id: 'r3' } }), new Headers())).toMatchObject({ effect: { kind: 'update', repositories: ['r3'], what: 'a merged pull request' } });
		expect(azureWebhooks.read(event('git.pullrequest.created', {}), new Headers())).toMatchObject({ ok: true, effect: { kind: 'ignored', reason: 'it names no repository' } });
		expect(azureWebhooks.read(event('workitem.updated', {}), new Headers())).toMatchObject({ ok: true, effect: { kind: 'ignored' } });
		expect(azureWebhooks.read('not json', new Headers()).ok).toBe(false);
		expect(azureWebhooks.read('{"eventType":"git.push"}', new Headers()).ok).toBe(false);
	});
});
