// The simulated Jira Cloud (under /jira-cloud) and Jira Data Center (under /jira-dc), one model
// seen by both, as jira.js (with schema mismatches thrown) and raw HTTP see them: credentials,
// the caller and their permissions, projects, JQL search with its paging and time zones,
// changelogs, rate limits, faults, HTTPS with the simulator's CA, and webhooks.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCloudClient, isRateLimitError } from 'jira.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import type { JiraChangelogPage, JiraEnhancedSearchPage, JiraErrorBody, JiraHistoryJson, JiraIssueJson, JiraSearchPage } from '../../simulator/jira/types.ts';
import type { JiraWebhookPayload } from '../../simulator/jira/webhooks.ts';

const TICKETS = 120;
let sim: RunningSimulator;
beforeAll(async () => {
	// Little git (the Jira sites do not use it), enough tickets for ties and long changelogs.
	sim = await startTestSimulator('jira', { orgs: 1, reposPerOrg: 1, pullRequests: 5, commits: 10, tickets: TICKETS });
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim?.stop());

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const cloudAuth = () => basic(sim.jiraCloud.email, sim.jiraCloud.tokens.full);
const dcAuth = () => `Bearer ${sim.jiraDataCenter.tokens.full}`;

function cloud(path: string, init: RequestInit = {}, authorization: string | null = cloudAuth()): Promise<Response> {
	const headers = { ...(authorization ? { authorization } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) };
	return fetch(`${sim.jiraCloud.http}/rest/api/3${path}`, { ...init, headers });
}

function dc(path: string, init: RequestInit = {}, authorization: string | null = dcAuth()): Promise<Response> {
	const headers = { ...(authorization ? { authorization } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) };
	return fetch(`${sim.jiraDataCenter.http}/rest/api/2${path}`, { ...init, headers });
}

async function json<T>(response: Response, status = 200): Promise<T> {
	expect(response.status).toBe(status);
	return (await response.json()) as T;
}

/** jira.js as a product would make it, but failing on any answer its schemas reject. */
function jiraJs(token = sim.jiraCloud.tokens.full, email = sim.jiraCloud.email) {
	return createCloudClient({ host: sim.jiraCloud.http, auth: { type: 'basic', email, apiToken: token }, onSchemaMismatch: 'throw' });
}

const query = (params: Record<string, string | number>) => `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

/** A wall-clock minute of `zone`, as a JQL literal takes it (`2026-07-08 11:55`). */
function wallMinute(ms: number, zone: string): string {
	const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms));
	const part = (type: string) => parts.find((p) => p.type === type)!.value;
	return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

describe('credentials', () => {
	it('refuses Cloud calls without credentials, with a bad token, or with another account’s email', async () => {
		const none = await cloud('/myself', {}, null);
		expect(await json<JiraErrorBody>(none, 401)).toEqual({ errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });
		expect(none.headers.get('x-seraph-loginreason')).toBeNull();
		const bad = await cloud('/myself', {}, basic(sim.jiraCloud.email, 'ATATT3xFfGF0wrong'));
		expect(bad.status).toBe(401);
		expect(bad.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
		expect((await cloud('/myself', {}, basic(sim.jiraCloud.noBrowseEmail, sim.jiraCloud.tokens.full))).status).toBe(401);
		// A bearer token is OAuth's on Cloud, not an API token's.
		expect((await cloud('/myself', {}, `Bearer ${sim.jiraCloud.tokens.full}`)).status).toBe(401);
		// Cloud tokens are not Data Center's, nor the other way round.
		expect((await dc('/myself', {}, `Bearer ${sim.jiraCloud.tokens.full}`)).status).toBe(401);
	});

	it('takes a Data Center token as a bearer token and the password over basic, and nothing else', async () => {
		expect((await dc('/myself')).status).toBe(200);
		expect((await dc('/myself', {}, basic(sim.jiraDataCenter.username, sim.jiraDataCenter.password))).status).toBe(200);
		const wrong = await dc('/myself', {}, basic(sim.jiraDataCenter.username, 'nope'));
		expect(await json<JiraErrorBody>(wrong, 401)).toEqual({ errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
		expect(wrong.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
		expect((await dc('/myself', {}, basic(sim.jiraDataCenter.username, sim.jiraDataCenter.tokens.full))).status).toBe(401);
		expect((await dc('/myself', {}, null)).status).toBe(401);
		// serverInfo answers anyone: it is how a client tells Cloud from Data Center.
		expect(await json<{ deploymentType: string; baseUrl: string }>(await dc('/serverInfo', {}, null))).toMatchObject({ deploymentType: 'Server', baseUrl: sim.jiraDataCenter.http });
		expect((await jiraJs().serverInfo.getServerInfo()).deploymentType).toBe('Cloud');
	});
});

describe('the caller and their permissions', () => {
	it('answers /myself in each site’s dialect, with the profile’s time zone', async () => {
		const me = await jiraJs().myself.getCurrentUser();
		expect(me).toMatchObject({ accountType: 'atlassian', emailAddress: 'sim-user@example.com', displayName: 'Sam Simulator', active: true, timeZone: 'Europe/Berlin' });
		expect(me.accountId).toMatch(/^712020:[0-9a-f-]{36}$/);
		const dcMe = await json<{ name: string; key: string; timeZone: string }>(await dc('/myself'));
		expect(dcMe).toMatchObject({ name: 'sim-user', key: 'JIRAUSER10000', timeZone: 'America/New_York' });
	});

	it('requires `permissions` on Cloud, and tells who may browse projects', async () => {
		expect(await json<JiraErrorBody>(await cloud('/mypermissions'), 400)).toMatchObject({ errorMessages: ["The 'permissions' query parameter is required."] });
		const full = await jiraJs().permissions.getMyPermissions({ permissions: 'BROWSE_PROJECTS,CREATE_ISSUES' });
		expect(full.permissions!.BROWSE_PROJECTS).toMatchObject({ id: '10', key: 'BROWSE_PROJECTS', name: 'Browse Projects', type: 'PROJECT', havePermission: true });
		const viewer = jiraJs(sim.jiraCloud.tokens.noBrowse, sim.jiraCloud.noBrowseEmail);
		expect((await viewer.permissions.getMyPermissions({ permissions: 'BROWSE_PROJECTS' })).permissions!.BROWSE_PROJECTS.havePermission).toBe(false);
		expect((await viewer.projects.searchProjects()).values).toEqual([]);
		expect((await viewer.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'updated >= -3650d' })).issues).toEqual([]);
		// To someone who cannot browse it, a project does not exist.
		const hidden = await cloud(`/search/jql${query({ jql: 'project = CORE' })}`, {}, basic(sim.jiraCloud.noBrowseEmail, sim.jiraCloud.tokens.noBrowse));
		expect(await json<JiraErrorBody>(hidden, 400)).toEqual({ errorMessages: ["The value 'CORE' does not exist for the field 'project'."], errors: {}, warningMessages: [] });
		// Data Center answers every permission when none is named.
		const all = await json<{ permissions: Record<string, { havePermission: boolean }> }>(await dc('/mypermissions'));
		expect(all.permissions.BROWSE_PROJECTS!.havePermission).toBe(true);
		expect(Object.keys(all.permissions).length).toBeGreaterThan(3);
	});
});

describe('projects, statuses and fields', () => {
	it('pages Cloud’s project search and lists every project at once on Data Center', async () => {
		expect(sim.jiraCloud.projects).toEqual(['CORE', 'WEB', 'OPS']);
		const first = await jiraJs().projects.searchProjects({ maxResults: 2 });
		expect(first).toMatchObject({ startAt: 0, maxResults: 2, total: 3, isLast: false });
		expect(first.values.map((p) => p.key)).toEqual(['CORE', 'OPS']);
		expect(first.nextPage).toContain('startAt=2');
		const second = await json<{ values: Array<{ key: string }>; isLast: boolean; nextPage?: string }>(await fetch(first.nextPage!, { headers: { authorization: cloudAuth() } }));
		expect(second).toMatchObject({ isLast: true, values: [{ key: 'WEB' }] });
		expect(second.nextPage).toBeUndefined();
		const dcProjects = await json<Array<{ key: string; id: string }>>(await dc('/project'));
		expect(dcProjects.map((p) => p.key)).toEqual(['CORE', 'WEB', 'OPS']);
		expect(dcProjects[0]!.id).toBe('10000');
	});

	it('gives each project its own workflow, and each site its own story points field', async () => {
		const core = await jiraJs().projects.getAllStatuses({ projectIdOrKey: 'CORE' });
		expect(core.map((t) => [t.name, t.subtask])).toEqual([['Story', false], ['Bug', false], ['Task', false], ['Epic', false], ['Sub-task', true]]);
		expect(core[0]!.statuses.map((s) => [s.name, s.statusCategory?.key])).toEqual([
			['To Do', 'new'],
			['In Progress', 'indeterminate'],
			['In Review', 'indeterminate'],
			['Done', 'done'],
			["Won't Do", 'done']
		]);
		const ops = await json<Array<{ statuses: Array<{ name: string }> }>>(await dc('/project/OPS/statuses'));
		expect(ops[0]!.statuses.map((s) => s.name)).toEqual(['To Do', 'In Progress', 'Blocked', 'In Review', 'Done', 'Released', "Won't Do"]);
		expect(await json<JiraErrorBody>(await cloud('/project/NOPE/statuses'), 404)).toEqual({ errorMessages: ["No project could be found with key 'NOPE'."], errors: {} });

		const cloudFields = await jiraJs().issueFields.getFields();
		expect(cloudFields.find((f) => f.id === 'customfield_10016')).toMatchObject({ name: 'Story point estimate', custom: true, schema: { custom: 'com.pyxis.greenhopper.jira:jsw-story-points' } });
		const dcFields = await json<Array<{ id: string; name: string; schema?: { custom?: string } }>>(await dc('/field'));
		expect(dcFields.find((f) => f.id === 'customfield_10002')).toMatchObject({ name: 'Story Points', schema: { custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float' } });
		expect(dcFields.some((f) => f.id === 'customfield_10016')).toBe(false);
	});
});

describe('Cloud’s enhanced search', () => {
	it('pages with nextPageToken until isLast, every ticket exactly once, ids only unless fields are asked', async () => {
		const client = jiraJs();
		const seen: string[] = [];
		let nextPageToken: string | undefined;
		let pages = 0;
		do {
			const page = await client.issueSearch.searchAndReconsileIssuesUsingJql({ jql: 'project in (CORE, WEB, OPS) ORDER BY updated ASC', maxResults: 50, nextPageToken });
			expect(Object.keys(page)).not.toContain('total');
			for (const issue of page.issues!) {
				expect(Object.keys(issue)).toEqual(['id']);
				seen.push(issue.id!);
			}
			nextPageToken = page.nextPageToken ?? undefined;
			pages++;
			expect(page.isLast).toBe(nextPageToken === undefined);
		} while (nextPageToken);
		expect(pages).toBe(Math.ceil((3 * TICKETS) / 50));
		expect(new Set(seen).size).toBe(seen.length);
		const stats = await sim.control.jira.cloud.stats();
		expect(seen.length).toBe(stats.projects.reduce((n, p) => n + p.tickets, 0));

		const withFields = await json<JiraEnhancedSearchPage>(await cloud('/search/jql', { method: 'POST', body: JSON.stringify({ jql: 'project = WEB ORDER BY key ASC', fields: ['summary', 'status', 'customfield_10016'], maxResults: 500 }) }));
		expect(withFields.issues).toHaveLength(100);
		expect(withFields.issues![0]).toMatchObject({ key: 'WEB-1', fields: { summary: expect.any(String), status: { statusCategory: { key: expect.any(String) } } } });
		expect(Object.keys(withFields.issues![0]!.fields!).sort()).toEqual(['customfield_10016', 'status', 'summary']);
		expect(await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'project = WEB', nextPageToken: 'garbage' })}`), 400)).toMatchObject({ errorMessages: [expect.any(String)] });
	});

	it('refuses the removed /search, unbounded queries and JQL it does not know, as Jira does', async () => {
		const removed = await json<JiraErrorBody>(await cloud(`/search${query({ jql: 'project = CORE' })}`), 410);
		expect(removed.errorMessages[0]).toMatch(/^The requested API has been removed\. Please migrate to the \/rest\/api\/3\/search\/jql API/);
		expect((await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'ORDER BY updated' })}`), 400)).errorMessages[0]).toMatch(/^Unbounded JQL queries are not allowed here/);
		expect(await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'project = "NOPE"' })}`), 400)).toEqual({ errorMessages: ["The value 'NOPE' does not exist for the field 'project'."], errors: {}, warningMessages: [] });
		expect((await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'project CORE' })}`), 400)).errorMessages[0]).toMatch(/^Error in the JQL Query: Expecting operator but got 'CORE'/);
		expect((await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'updated >= "2026-02-30 10:00"' })}`), 400)).errorMessages[0]).toMatch(/^Date value '2026-02-30 10:00' for field 'updated' is invalid/);
		expect((await json<JiraErrorBody>(await cloud(`/search/jql${query({ jql: 'bogus = 1' })}`), 400)).errorMessages[0]).toBe("Field 'bogus' does not exist or you do not have permission to view it.");
		// The forms real clients send all work.
		for (const jql of ['project = "CORE" AND updated >= "2026/01/01 00:00"', 'project in (CORE, WEB) AND updated > -3650d ORDER BY updated DESC, key ASC', 'project = 10000 AND created <= "2099-01-01" ORDER BY id']) {
			expect((await cloud(`/search/jql${query({ jql })}`)).status).toBe(200);
		}
	});

	it('reads JQL dates on the searcher’s wall clock, to the minute', async () => {
		const page = await json<JiraEnhancedSearchPage>(await cloud(`/search/jql${query({ jql: 'project = CORE ORDER BY updated DESC', fields: 'updated', maxResults: 100 })}`));
		const issues = page.issues!.map((i) => ({ key: i.key!, updated: Date.parse(String(i.fields!.updated)) }));
		// Jira writes times on the caller's clock: Berlin is an hour or two ahead of UTC.
		expect(String(page.issues![0]!.fields!.updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]00$/);
		// Tickets sharing a minute: a client paging by `updated` meets ties.
		const minutes = issues.map((i) => Math.floor(i.updated / 60_000));
		expect(new Set(minutes).size).toBeLessThan(minutes.length);

		const { key, updated } = issues[7]!;
		const found = async (jql: string, search = cloud) => {
			const answer = await search(search === cloud ? `/search/jql${query({ jql, fields: 'key' })}` : `/search${query({ jql, fields: 'key' })}`);
			const body = await json<{ issues: Array<{ key?: string }> }>(answer);
			return body.issues.some((i) => i.key === key);
		};
		const berlin = wallMinute(updated, 'Europe/Berlin');
		const berlinNext = wallMinute(updated + 60_000, 'Europe/Berlin');
		expect(await found(`key = ${key} AND updated >= "${berlin}"`)).toBe(true);
		expect(await found(`key = ${key} AND updated >= "${berlinNext}"`)).toBe(false);
		expect(await found(`key = ${key} AND updated < "${berlinNext}"`)).toBe(true);
		// Minute precision: not after the minute it happened in.
		expect(await found(`key = ${key} AND updated > "${berlin}"`)).toBe(false);
		// The UTC wall clock's next minute is hours earlier in Berlin: a client that sends UTC misses it.
		expect(await found(`key = ${key} AND updated < "${wallMinute(updated + 60_000, 'UTC')}"`)).toBe(false);
		// Data Center's profile is in New York.
		expect(await found(`key = ${key} AND updated >= "${wallMinute(updated, 'America/New_York')}"`, dc)).toBe(true);
		expect(await found(`key = ${key} AND updated >= "${wallMinute(updated + 60_000, 'America/New_York')}"`, dc)).toBe(false);
	});
});

describe('changelogs', () => {
	it('embeds the latest 40 histories in Cloud’s search, pages the rest, and bulk-fetches status changes', async () => {
		const page = await json<JiraEnhancedSearchPage>(await cloud(`/search/jql${query({ jql: 'project = CORE ORDER BY key ASC', fields: 'status', expand: 'changelog', maxResults: 100 })}`));
		const long = page.issues!.find((i) => i.changelog!.total! > 40)!;
		expect(long).toBeDefined();
		expect(long.changelog).toMatchObject({ startAt: 0, maxResults: 40 });
		expect(long.changelog!.histories).toHaveLength(40);

		// The whole changelog, page by page, oldest first.
		const histories: JiraHistoryJson[] = [];
		let startAt = 0;
		for (;;) {
			const changelog = await json<JiraChangelogPage>(await cloud(`/issue/${long.key}/changelog${query({ startAt, maxResults: 30 })}`));
			expect(changelog.total).toBe(long.changelog!.total);
			histories.push(...changelog.values);
			if (changelog.isLast) break;
			expect(changelog.nextPage).toContain(`startAt=${startAt + 30}`);
			startAt += 30;
		}
		expect(histories).toHaveLength(long.changelog!.total!);
		expect(histories.slice(-40).map((h) => h.id)).toEqual(long.changelog!.histories!.map((h) => h.id));
		const created = histories.map((h) => Date.parse(String(h.created)));
		expect(created).toEqual([...created].sort((a, b) => a - b));
		// jira.js reads the same pages.
		expect((await jiraJs().issues.getChangeLogs({ issueIdOrKey: long.key!, maxResults: 500 })).values).toHaveLength(Math.min(100, histories.length));

		// Non-status changes are in there too: a client must pick the status items.
		const items = histories.flatMap((h) => h.items!);
		expect(items.some((i) => i.field === 'status' && i.fieldId === 'status')).toBe(true);
		const statusChanges = histories.filter((h) => h.items!.some((i) => i.field === 'status')).length;

		const sample = [...page.issues!.slice(0, 29).filter((i) => i !== long), long];
		const keys = sample.map((i) => i.key!);
		const expected = new Map<string, number>();
		for (const issue of sample) {
			const all = await json<JiraChangelogPage>(await cloud(`/issue/${issue.key}/changelog${query({ maxResults: 100 })}`));
			let values = all.values;
			if (!all.isLast) values = [...values, ...(await json<JiraChangelogPage>(await cloud(`/issue/${issue.key}/changelog${query({ startAt: 100, maxResults: 100 })}`))).values];
			expected.set(issue.id!, values.filter((h) => h.items!.some((i) => i.field === 'status')).length);
		}
		const bulk = new Map<string, number>();
		let nextPageToken: string | undefined;
		do {
			const answer = await jiraJs().issues.getBulkChangelogs({ issueIdsOrKeys: keys, fieldIds: ['status'], maxResults: 25, nextPageToken });
			for (const log of answer.issueChangeLogs!) {
				for (const history of log.changeHistories!) expect(history.items!.every((i) => i.fieldId === 'status')).toBe(true);
				bulk.set(log.issueId!, (bulk.get(log.issueId!) ?? 0) + log.changeHistories!.length);
			}
			nextPageToken = answer.nextPageToken ?? undefined;
		} while (nextPageToken);
		for (const [id, count] of expected) expect(bulk.get(id) ?? 0).toBe(count);
		expect(bulk.get(long.id!)).toBe(statusChanges);
	});

	it('pages Data Center’s search by startAt with a total, embedding whole changelogs', async () => {
		const stats = (await sim.control.jira.dataCenter.stats()).projects.find((p) => p.project === 'WEB')!;
		let startAt = 0;
		let total: number;
		let statusHistories = 0;
		const keys = new Set<string>();
		do {
			const page = await json<JiraSearchPage>(await dc('/search', { method: 'POST', body: JSON.stringify({ jql: 'project = WEB ORDER BY key ASC', startAt, maxResults: 500, fields: ['status', 'customfield_10002'], expand: ['changelog'] }) }));
			expect(page.maxResults).toBe(100);
			total = page.total!;
			for (const issue of page.issues!) {
				keys.add(issue.key!);
				const changelog = issue.changelog!;
				expect(changelog.histories).toHaveLength(changelog.total!);
				for (const item of changelog.histories!.flatMap((h) => h.items!)) expect(item).not.toHaveProperty('fieldId');
				statusHistories += changelog.histories!.filter((h) => h.items!.some((i) => i.field === 'status')).length;
			}
			startAt += page.issues!.length;
		} while (startAt < total);
		expect(total).toBe(stats.tickets);
		expect(keys.size).toBe(stats.tickets);
		expect(statusHistories).toBe(stats.statusHistories);

		// Without `fields`, Data Center sends every field; its times are on the caller's New York clock.
		const one = await json<JiraIssueJson>(await dc('/issue/WEB-1?expand=changelog'));
		expect(one.fields).toHaveProperty('customfield_10002');
		expect(one.fields).not.toHaveProperty('customfield_10016');
		expect(String(one.fields!.created)).toMatch(/-0[45]00$/);
	});
});

describe('rate limits and faults', () => {
	it('warns near Cloud’s limit and answers 429 with Retry-After when it is spent', async () => {
		const token = sim.jiraCloud.tokens.noBrowse;
		const auth = basic(sim.jiraCloud.noBrowseEmail, token);
		expect((await cloud('/myself', {}, auth)).headers.get('x-ratelimit-limit')).toBeNull();
		const window = await sim.control.setRateLimit({ token, limit: 5, remaining: 2, resetInSeconds: 30 });
		expect(window.key).toMatch(/^jira-cloud:/);
		const near = await cloud('/myself', {}, auth);
		expect(near.status).toBe(200);
		expect(near.headers.get('x-ratelimit-nearlimit')).toBe('true');
		expect(near.headers.get('x-ratelimit-remaining')).toBe('1');
		expect((await cloud('/myself', {}, auth)).status).toBe(200);
		const limited = await cloud('/myself', {}, auth);
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(limited.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
		expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based');
		const error = await jiraJs(token, sim.jiraCloud.noBrowseEmail).myself.getCurrentUser().catch((e: unknown) => e);
		expect(isRateLimitError(error)).toBe(true);
		// Other tokens keep their own budget.
		expect((await cloud('/myself')).status).toBe(200);
		await sim.control.setRateLimit({ token, limit: 10_000 });
	});

	it('reports Data Center’s token bucket on every answer, per user', async () => {
		const token = sim.jiraDataCenter.tokens.noBrowse;
		await sim.control.setRateLimit({ token, limit: 3, remaining: 1, resetInSeconds: 30 });
		const last = await dc('/myself', {}, `Bearer ${token}`);
		expect(last.status).toBe(200);
		expect(last.headers.get('x-ratelimit-limit')).toBe('3');
		expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(last.headers.get('x-ratelimit-fillrate')).toBe('3');
		expect(Number(last.headers.get('x-ratelimit-interval-seconds'))).toBeGreaterThan(0);
		const limited = await dc('/myself', {}, `Bearer ${token}`);
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		// sim-user's bucket is another's, and its credentials share one.
		await sim.control.setRateLimit({ token: sim.jiraDataCenter.password, limit: 1000, resetInSeconds: 60 });
		const own = await dc('/myself');
		expect(Number(own.headers.get('x-ratelimit-limit'))).toBe(1000);
		const remaining = Number(own.headers.get('x-ratelimit-remaining'));
		const viaPassword = await dc('/myself', {}, basic(sim.jiraDataCenter.username, sim.jiraDataCenter.password));
		expect(Number(viaPassword.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
		await sim.control.setRateLimit({ token, limit: 1000 });
	});

	it('serves faults on each site’s paths after its REST root', async () => {
		await sim.control.addFault({ provider: 'jira-cloud', kind: 'status', status: 503, path: '/search/jql', count: 1 });
		await sim.control.addFault({ provider: 'jira-dc', kind: 'secondary-rate-limit', path: '/project', retryAfter: 7, count: 1 });
		expect((await dc('/myself')).status).toBe(200);
		const failed = await cloud(`/search/jql${query({ jql: 'project = CORE' })}`);
		expect(await json<JiraErrorBody>(failed, 503)).toMatchObject({ errorMessages: [expect.any(String)] });
		expect((await cloud(`/search/jql${query({ jql: 'project = CORE' })}`)).status).toBe(200);
		const limited = await dc('/project');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('7');
		expect((await dc('/project')).status).toBe(200);
		expect(await sim.control.faults()).toEqual([]);
	});

	it('serves both sites over HTTPS with the simulator’s CA', async () => {
		const agent = new Agent({ connect: { ca: readFileSync(sim.caFile, 'utf8') } });
		const answer = await undiciFetch(`${sim.jiraDataCenter.https}/rest/api/2/project`, { dispatcher: agent, headers: { authorization: dcAuth() } });
		expect(answer.status).toBe(200);
		const projects = (await answer.json()) as Array<{ self: string }>;
		expect(projects[0]!.self.startsWith(sim.jiraDataCenter.https)).toBe(true);
		await expect(fetch(`${sim.jiraCloud.https}/rest/api/3/myself`, { headers: { authorization: cloudAuth() } })).rejects.toThrow();
		await agent.close();
	});
});

describe('webhooks', () => {
	it('delivers signed issue events for changes, and redelivers with the same identifier', async () => {
		const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
		const receiver = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				received.push({ headers: req.headers, body });
				res.writeHead(200).end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/jira`;
		try {
			const control = sim.control.jira;
			const before = (await control.cloud.stats()).projects.find((p) => p.project === 'CORE')!;
			const cloudHook = await control.cloud.registerWebhook({ url: `${url}/cloud`, secret: 's3cret', jql: 'project = CORE' });
			expect(cloudHook).toMatchObject({ site: 'cloud', secret: true, events: null, jql: 'project = CORE' });
			const dcHook = await control.dataCenter.registerWebhook({ url: `${url}/dc`, events: ['jira:issue_updated'] });

			const created = await control.cloud.createIssue('CORE', { summary: 'Simulated outage', type: 'Bug', assignee: 'ada' });
			const key = created.issue.key!;
			expect(created.deliveries.map((d) => [d.site, d.event, d.statusCode])).toEqual([['cloud', 'jira:issue_created', 200]]);
			const first = received.at(-1)!;
			expect(first.headers['user-agent']).toBe('Atlassian Webhook HTTP Client');
			expect(first.headers['x-atlassian-webhook-retry']).toBe('0');
			expect(first.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(first.body).digest('hex')}`);
			const payload = JSON.parse(first.body) as JiraWebhookPayload;
			expect(payload).toMatchObject({ webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', issue: { key, fields: { summary: 'Simulated outage', project: { key: 'CORE' }, status: { name: 'To Do' } } } });

			const moved = await control.cloud.transition(key, { status: 'In Progress', user: 'ada' });
			expect(moved.deliveries.map((d) => d.site).sort()).toEqual(['cloud', 'dc']);
			const update = JSON.parse(received.find((r) => r.headers['x-atlassian-webhook-identifier'] === moved.deliveries.find((d) => d.site === 'cloud')!.identifier)!.body) as JiraWebhookPayload;
			expect(update).toMatchObject({ webhookEvent: 'jira:issue_updated', issue_event_type_name: 'issue_generic', changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] } });
			const dcDelivery = received.find((r) => r.headers['x-atlassian-webhook-identifier'] === moved.deliveries.find((d) => d.site === 'dc')!.identifier)!;
			expect(dcDelivery.headers['x-hub-signature']).toBeUndefined();
			expect((JSON.parse(dcDelivery.body) as JiraWebhookPayload).user).toMatchObject({ name: 'ada' });

			const done = await control.cloud.transition(key, { status: 'Done' });
			expect(done.issue.fields).toMatchObject({ resolution: { name: 'Done' }, resolutiondate: expect.any(String) });
			expect(done.history!.items!.map((i) => i.field)).toEqual(['status', 'resolution']);
			// Unassigning is `issue_assigned`; made through either site, it reaches both sites' webhooks.
			const assigned = await control.dataCenter.editIssue(key, { assignee: null });
			expect(assigned.deliveries.map((d) => [d.site, d.payload.issue_event_type_name]).sort()).toEqual([
				['cloud', 'issue_assigned'],
				['dc', 'issue_assigned']
			]);

			// Both sites show the change, and a recent-changes query finds it.
			const recent = await json<JiraEnhancedSearchPage>(await cloud(`/search/jql${query({ jql: 'project = CORE AND updated >= -5m', fields: 'status' })}`));
			expect(recent.issues!.find((i) => i.key === key)?.fields).toMatchObject({ status: { name: 'Done' } });
			const after = (await control.dataCenter.stats()).projects.find((p) => p.project === 'CORE')!;
			expect(after).toMatchObject({ tickets: before.tickets + 1, statusHistories: before.statusHistories + 2, histories: before.histories + 3 });
			expect(after.byStatus.Done).toBe(before.byStatus.Done! + 1);

			const [original] = await control.cloud.deliveries(cloudHook.id);
			const again = await control.cloud.redeliver(original!.id);
			expect(again).toMatchObject({ redelivery: true, statusCode: 200, identifier: original!.identifier, retry: 1 });
			const resent = received.at(-1)!;
			expect(resent.headers['x-atlassian-webhook-identifier']).toBe(original!.identifier);
			expect(resent.headers['x-atlassian-webhook-retry']).toBe('1');
			expect(resent.body).toBe(first.body);
			expect((await control.cloud.redeliver(original!.id)).retry).toBe(2);

			const deleted = await control.cloud.deleteIssue(key);
			expect(deleted.deleted).toEqual([key]);
			expect(deleted.deliveries.map((d) => d.event)).toEqual(['jira:issue_deleted']);
			expect((await cloud(`/issue/${key}`)).status).toBe(404);
			expect((await control.dataCenter.deliveries(dcHook.id)).every((d) => d.event === 'jira:issue_updated')).toBe(true);
		} finally {
			receiver.close();
		}
	});

	it('refuses a revoked token', async () => {
		const token = sim.jiraDataCenter.tokens.noBrowse;
		expect((await dc('/myself', {}, `Bearer ${token}`)).status).toBe(200);
		expect(await sim.control.revokeToken(token)).toEqual({ revoked: true });
		expect((await dc('/myself', {}, `Bearer ${token}`)).status).toBe(401);
	});
});
