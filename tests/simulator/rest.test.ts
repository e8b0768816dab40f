// The simulated GitHub REST API as the field client (octokit 5) sees it: shapes, pagination,
// the GHES prefix, credentials and what each kind of token may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestError } from 'octokit';
import { github, startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';

let sim: RunningSimulator;
beforeAll(async () => {
	sim = await startTestSimulator('rest');
});
afterAll(() => sim?.stop());

async function status(promise: Promise<unknown>): Promise<number> {
	try {
		await promise;
		return 200;
	} catch (error) {
		if (error instanceof RequestError) return error.status;
		throw error;
	}
}

describe('pull requests', () => {
	it('paginates every pull request of a repository, exactly as many as the stats say', async () => {
		const octokit = github(sim.http, sim.tokens.classic);
		const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: 'acme', repo: 'api', state: 'all', sort: 'updated', direction: 'asc', per_page: 7 });
		const stats = await sim.control.stats();
		const truth = stats.repositories.find((r) => r.repository === 'acme/api')!;
		expect(pulls).toHaveLength(truth.pullRequests);
		expect(new Set(pulls.map((p) => p.number)).size).toBe(truth.pullRequests);
		const updated = pulls.map((p) => p.updated_at);
		expect(updated).toEqual([...updated].sort());
		expect(pulls.filter((p) => p.state === 'open')).toHaveLength(truth.open);
		expect(pulls.filter((p) => p.merged_at !== null)).toHaveLength(truth.merged);
		expect(pulls.some((p) => p.draft)).toBe(true);
		expect(pulls.some((p) => p.user === null)).toBe(true);
		// Lists carry no line counts, as on GitHub.
		expect(pulls[0]).not.toHaveProperty('additions');
	});

	it('gives one pull request with its counts, merge state and real shas of the repository', async () => {
		const octokit = github(sim.http, sim.tokens.classic);
		const merged = (await octokit.rest.pulls.list({ owner: 'acme', repo: 'api', state: 'closed', per_page: 100 })).data.find((p) => p.merged_at)!;
		const { data: pull } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'api', pull_number: merged.number });
		expect(pull).toMatchObject({ number: merged.number, merged: true, state: 'closed', base: { ref: 'main', repo: { full_name: 'acme/api' } } });
		expect(pull.additions).toBeGreaterThan(0);
		expect(pull.commits).toBeGreaterThan(0);
		expect(pull.changed_files).toBeGreaterThan(0);
		expect(pull.merge_commit_sha).toMatch(/^[0-9a-f]{40}$/);
		expect(pull.head.sha).toMatch(/^[0-9a-f]{40}$/);
		const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: 'acme', repo: 'api', pull_number: merged.number });
		expect(reviews.every((r) => ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'].includes(r.state))).toBe(true);
		expect(await status(octokit.rest.pulls.get({ owner: 'acme', repo: 'api', pull_number: 9999 }))).toBe(404);
	});

	it('lists the review and conversation comments of the whole repository, as many as the stats say, since a time', async () => {
		const octokit = github(sim.http, sim.tokens.classic);
		const truth = (await sim.control.stats()).repositories.find((r) => r.repository === 'acme/web')!;
		const review = await octokit.paginate(octokit.rest.pulls.listReviewCommentsForRepo, { owner: 'acme', repo: 'web', sort: 'updated', direction: 'asc', per_page: 100 });
		const conversation = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { owner: 'acme', repo: 'web', sort: 'updated', direction: 'asc', per_page: 100 });
		expect(review).toHaveLength(truth.reviewComments);
		expect(conversation).toHaveLength(truth.comments);
		expect(conversation.every((c) => /\/issues\/\d+$/.test(c.issue_url))).toBe(true);
		const middle = conversation[Math.floor(conversation.length / 2)]!.updated_at;
		const since = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { owner: 'acme', repo: 'web', sort: 'updated', direction: 'asc', since: middle, per_page: 100 });
		expect(since).toEqual(conversation.filter((c) => c.updated_at >= middle));
		const pull = Number(conversation[0]!.issue_url.split('/').at(-1));
		const perPull = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'acme', repo: 'web', issue_number: pull });
		expect(perPull.map((c) => c.id)).toEqual(conversation.filter((c) => c.issue_url.endsWith(`/issues/${pull}`)).map((c) => c.id).sort((a, b) => a - b));
	});

	it('answers a conditional request for unchanged data with 304, free of the rate limit', async () => {
		const octokit = github(sim.http, sim.tokens.classic);
		const first = await octokit.rest.pulls.get({ owner: 'globex', repo: 'api', pull_number: 3 });
		const again = (await octokit.rest.pulls
			.get({ owner: 'globex', repo: 'api', pull_number: 3, headers: { 'if-none-match': first.headers.etag } })
			.catch((e: unknown) => e)) as RequestError;
		expect(again.status).toBe(304);
		expect(again.response?.headers['x-ratelimit-used']).toBe(first.headers['x-ratelimit-used']);
	});
});

describe('GitHub Enterprise Server paths', () => {
	it('serves the same API under /api/v3 and keeps the prefix in Link URLs', async () => {
		const octokit = github(`${sim.http}/api/v3`, sim.tokens.classic);
		const response = await octokit.rest.pulls.list({ owner: 'acme', repo: 'api', state: 'all', per_page: 5 });
		expect(response.headers.link).toContain(`${sim.http}/api/v3/repos/acme/api/pulls?`);
		expect(response.headers.link).toMatch(/rel="next".*rel="last"/);
		expect(response.data[0]!.url).toContain('/api/v3/repos/acme/api/pulls/');
		const all = await octokit.paginate(octokit.rest.pulls.list, { owner: 'acme', repo: 'api', state: 'all', per_page: 100 });
		expect(all).toHaveLength(40);
	});
});

describe('credentials', () => {
	it('refuses a bad token with 401 Bad credentials', async () => {
		const error = (await github(sim.http, 'ghp_not_a_real_token').rest.users.getAuthenticated().catch((e: unknown) => e)) as RequestError;
		expect(error.status).toBe(401);
		expect(error.response?.data).toMatchObject({ message: 'Bad credentials', status: '401' });
	});

	it('shows a classic token its scopes, and one without `repo` cannot see private repositories', async () => {
		const full = await github(sim.http, sim.tokens.classic).rest.users.getAuthenticated();
		expect(full.data.login).toBe('sim-user');
		expect(full.headers['x-oauth-scopes']).toBe('repo, read:org');
		const limited = github(sim.http, sim.tokens.classicReadUser);
		const me = await limited.rest.users.getAuthenticated();
		expect(me.headers['x-oauth-scopes']).toBe('read:user');
		expect(me.headers['x-oauth-scopes']?.split(', ')).not.toContain('repo');
		expect(await status(limited.rest.repos.get({ owner: 'acme', repo: 'api' }))).toBe(404);
		expect((await limited.rest.repos.get({ owner: 'acme', repo: 'web' })).data.private).toBe(false);
	});

	it('gives a fine-grained token its first organisation only, without scope headers', async () => {
		const octokit = github(sim.http, sim.tokens.fineGrained);
		const repo = await octokit.rest.repos.get({ owner: 'acme', repo: 'api' });
		expect(repo.headers['x-oauth-scopes']).toBeUndefined();
		expect(await status(octokit.rest.repos.get({ owner: 'globex', repo: 'api' }))).toBe(404);
		const listed = await octokit.paginate(octokit.rest.repos.listForOrg, { org: 'globex' });
		expect(listed.map((r) => r.full_name)).toEqual(['globex/web']);
	});

	it('tells when a token expires, and a revoked token is refused', async () => {
		const octokit = github(sim.http, sim.tokens.expiring);
		const me = await octokit.rest.users.getAuthenticated();
		const expires = Date.parse(String(me.headers['github-authentication-token-expiration']).replace(' UTC', 'Z').replace(' ', 'T'));
		expect(expires - Date.now()).toBeGreaterThan(9 * 86_400_000);
		await sim.control.revokeToken(sim.tokens.expiring);
		expect(await status(octokit.rest.users.getAuthenticated())).toBe(401);
	});

	it('lists the user’s own repositories and those of their organisations', async () => {
		const octokit = github(sim.http, sim.tokens.classic);
		const own = await octokit.paginate(octokit.rest.repos.listForAuthenticatedUser, { affiliation: 'owner' });
		expect(own.map((r) => r.full_name).sort()).toEqual(['sim-user/dotfiles', 'sim-user/web']);
		expect(own.find((r) => r.name === 'web')!.fork).toBe(true);
		const all = await octokit.paginate(octokit.rest.repos.listForAuthenticatedUser, {});
		expect(all).toHaveLength(sim.repos.length);
		const repo = await octokit.rest.repos.get({ owner: 'acme', repo: 'worker' });
		expect(repo.data).toMatchObject({ archived: true, default_branch: 'main', clone_url: `${sim.http}/acme/worker.git` });
		const orgs = await octokit.rest.orgs.listForAuthenticatedUser();
		expect(orgs.data.map((o) => o.login)).toEqual(['acme', 'globex']);
	});
});

describe('request counters', () => {
	it('count the API calls of each kind, for "the second update made N calls" assertions', async () => {
		await sim.control.resetRequestCounters();
		const octokit = github(sim.http, sim.tokens.classic);
		await octokit.paginate(octokit.rest.pulls.list, { owner: 'globex', repo: 'web', state: 'all', per_page: 10 });
		const { requests } = await sim.control.stats();
		expect(requests.byKind['pulls.list']).toBe(4);
		expect(requests.total).toBe(4);
	});
});
