// Jira's pure pieces, both editions: JQL's minute in the account's zone, Jira's times, workflows
// by category, the story points field, tickets and status changes mapped onto the seam's records,
// deliveries read into effects, the Cloud quota, credentials read from the form.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { categoryOf, findStoryPointsField, jiraTime, workflowFrom, type JiraIssue } from '#core/providers/jira/api.ts';
import { describeJiraCredentials, jiraCredentialsFrom } from '#core/providers/jira/credentials.ts';
import { describeJiraError, JiraRateLimitedError, JiraResponseError, readJiraError } from '#core/providers/jira/errors.ts';
import { jqlTime } from '#core/providers/jira/jql-time.ts';
import { jiraErrors, readCloudQuota } from '#core/providers/jira/session.ts';
import { statusChanges, ticketRecord } from '#core/providers/jira/tickets.ts';
import { jiraWebhooks } from '#core/providers/jira/webhooks.ts';
import { checkTicketSettings, defaultTicketSettings } from '#core/domain/tickets/ticket-project.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';

describe('JQL times', () => {
	it('writes an instant as the minute it falls in, in the account’s zone', () => {
		const instant = new Date('2026-11-30T14:05:59.999Z');
		expect(jqlTime(instant, 'UTC')).toBe('2026-11-30 14:05');
		expect(jqlTime(instant, 'Europe/Berlin')).toBe('2026-11-30 15:05');
		expect(jqlTime(instant, 'America/New_York')).toBe('2026-11-30 09:05');
		// Summer time: Berlin is two hours ahead.
		expect(jqlTime(new Date('2026-07-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-07-02 01:30');
		// Midnight is 00, not 24.
		expect(jqlTime(new Date('2026-11-30T23:00:00Z'), 'Europe/Berlin')).toBe('2026-12-01 00:00');
	});
	it('falls back to UTC for a zone it does not know', () => {
		expect(jqlTime(new Date('2026-11-30T14:05:00Z'), 'Mars/Olympus')).toBe('2026-11-30 14:05');
	});
});

describe('Jira times', () => {
	it('reads Jira’s basic-form offsets, ISO times and Dates; nothing else', () => {
		expect(jiraTime('2026-11-30T14:05:09.123+0000')?.toISOString()).toBe('2026-11-30T14:05:09.123Z');
		expect(jiraTime('2026-11-30T15:05:09.123+0100')?.toISOString()).toBe('2026-11-30T14:05:09.123Z');
		expect(jiraTime('2026-11-30T14:05:09Z')?.toISOString()).toBe('2026-11-30T14:05:09.000Z');
		expect(jiraTime(new Date('2026-11-30T14:05:09Z'))?.toISOString()).toBe('2026-11-30T14:05:09.000Z');
		expect(jiraTime('')).toBeNull();
		expect(jiraTime('yesterday')).toBeNull();
		expect(jiraTime(null)).toBeNull();
	});
});

describe('workflows', () => {
	it('lists each status once with its category, and the issue types', () => {
		const workflow = workflowFrom([
			{ name: 'Story', subtask: false, statuses: [{ name: 'To Do', statusCategory: { key: 'new' } }, { name: 'In Progress', statusCategory: { key: 'indeterminate' } }, { name: 'Done', statusCategory: { key: 'done' } }] },
			{ name: 'Sub-task', subtask: true, statuses: [{ name: 'To Do', statusCategory: { key: 'new' } }, { name: 'Blocked', statusCategory: { key: 'undefined' } }] }
		]);
		expect(workflow.statuses).toEqual([
			{ name: 'To Do', category: 'to-do' },
			{ name: 'In Progress', category: 'in-progress' },
			{ name: 'Done', category: 'done' },
			{ name: 'Blocked', category: 'to-do' }
		]);
		expect(workflow.types).toEqual([{ name: 'Story', subtask: false }, { name: 'Sub-task', subtask: true }]);
		expect(categoryOf('done')).toBe('done');
		expect(categoryOf(undefined)).toBe('to-do');
	});

	it('defaults settings from the categories; a person’s choice is checked against the workflow', () => {
		const workflow = { statuses: [{ name: 'To Do', category: 'to-do' as const }, { name: 'Doing', category: 'in-progress' as const }, { name: 'Done', category: 'done' as const }], types: [{ name: 'Bug', subtask: false }, { name: 'Sub-task', subtask: true }] };
		expect(defaultTicketSettings(workflow)).toEqual({ inProgress: ['Doing'], done: ['Done'], types: ['Bug'] });
		expect(checkTicketSettings(workflow, { inProgress: ['Doing'], done: ['Done'], types: ['Bug', 'Sub-task'] })).toEqual({});
		expect(checkTicketSettings(workflow, { inProgress: ['Doing'], done: ['Doing'], types: ['Bug'] })).toHaveProperty('statuses');
		expect(checkTicketSettings(workflow, { inProgress: ['Gone'], done: ['Done'], types: ['Bug'] })).toHaveProperty('statuses');
		expect(checkTicketSettings(workflow, { inProgress: [], done: [], types: ['Bug'] })).toHaveProperty('done');
		expect(checkTicketSettings(workflow, { inProgress: [], done: ['Done'], types: [] })).toHaveProperty('types');
	});
});

describe('the story points field', () => {
	it('prefers Jira Software’s estimate, then a number field so named; none when the site has neither', () => {
		expect(
			findStoryPointsField([
				{ id: 'customfield_1', name: 'Story Points', custom: true, schema: { custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' } },
				{ id: 'customfield_10016', name: 'Story point estimate', custom: true, schema: { custom: 'com.pyxis.greenhopper.jira:jsw-story-points' } }
			])
		).toBe('customfield_10016');
		expect(findStoryPointsField([{ id: 'customfield_10002', name: 'Story Points', custom: true, schema: { custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float' } }])).toBe('customfield_10002');
		expect(findStoryPointsField([{ id: 'summary', name: 'Summary', custom: false }])).toBeNull();
	});
});

describe('tickets and their status history', () => {
	const issue: JiraIssue = {
		id: '10042',
		key: 'CORE-42',
		fields: {
			summary: 'Sign-in fails after a password change',
			issuetype: { name: 'Bug' },
			priority: { name: 'High' },
			status: { name: 'In Review', statusCategory: { key: 'indeterminate' } },
			assignee: { displayName: 'Ada Lovelace' },
			reporter: null,
			created: '2026-11-01T09:00:00.000+0000',
			updated: '2026-11-30T14:05:09.123+0100',
			resolutiondate: null,
			customfield_10016: 5
		},
		histories: [],
		historiesCut: false
	};

	it('maps the fields Tributary keeps', () => {
		expect(ticketRecord(issue, 'https://acme.atlassian.net', 'customfield_10016')).toEqual({
			providerId: '10042',
			key: 'CORE-42',
			title: 'Sign-in fails after a password change',
			type: 'Bug',
			priority: 'High',
			status: 'In Review',
			statusCategory: 'in-progress',
			assignee: 'Ada Lovelace',
			reporter: null,
			storyPoints: 5,
			url: 'https://acme.atlassian.net/browse/CORE-42',
			createdAt: new Date('2026-11-01T09:00:00.000Z'),
			updatedAt: new Date('2026-11-30T13:05:09.123Z'),
			resolvedAt: null
		});
		expect(ticketRecord(issue, 'https://acme.atlassian.net', null)?.storyPoints).toBeNull();
		expect(ticketRecord({ ...issue, fields: { ...issue.fields, status: undefined } }, 'https://x', null)).toBeNull();
	});

	it('keeps only status moves, each with an id stable across reads', () => {
		const changedAt = new Date('2026-11-02T10:00:00Z');
		const changes = statusChanges('10042', [
			{ id: '501', author: 'Ada', created: changedAt, items: [{ field: 'assignee', toString: 'Ada' }, { field: 'status', fieldId: 'status', fromString: 'To Do', toString: 'In Progress' }] },
			{ id: '502', author: null, created: changedAt, items: [{ fieldId: 'status', fromString: 'In Progress', toString: 'In Review' }, { fieldId: 'status', toString: null }] }
		]);
		expect(changes).toEqual([
			{ ticketProviderId: '10042', providerId: '501:1', from: 'To Do', to: 'In Progress', author: 'Ada', changedAt },
			{ ticketProviderId: '10042', providerId: '502:0', from: 'In Progress', to: 'In Review', author: null, changedAt }
		]);
	});
});

describe('Jira deliveries', () => {
	const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
	const payload = (event: string) => JSON.stringify({ webhookEvent: event, timestamp: 1, issue_event_type_name: 'issue_generic', issue: { id: '10042', key: 'CORE-42', fields: { project: { id: '10000', key: 'CORE' } } } });
	const headers = (id = 'wh-1') => new Headers({ 'x-atlassian-webhook-identifier': id, 'x-atlassian-webhook-retry': '0' });

	it('verifies X-Hub-Signature against the raw body', async () => {
		const body = payload('jira:issue_updated');
		expect(await jiraWebhooks.verify('s3cret', body, new Headers({ 'x-hub-signature': sign('s3cret', body) }))).toBe(true);
		expect(await jiraWebhooks.verify('s3cret', `${body} `, new Headers({ 'x-hub-signature': sign('s3cret', body) }))).toBe(false);
		expect(await jiraWebhooks.verify('s3cret', body, new Headers())).toBe(false);
	});

	it('a created or updated ticket updates its project; a deleted one is removed; the identifier names the delivery', () => {
		expect(jiraWebhooks.read(payload('jira:issue_updated'), headers())).toMatchObject({
			ok: true,
			delivery: { id: 'wh-1', event: 'jira', action: 'issue_generic' },
			effect: { kind: 'update-tickets', projects: ['10000'] }
		});
		expect(jiraWebhooks.read(payload('jira:issue_created'), headers())).toMatchObject({ effect: { kind: 'update-tickets', projects: ['10000'] } });
		expect(jiraWebhooks.read(payload('jira:issue_deleted'), headers())).toMatchObject({ effect: { kind: 'ticket-removed', project: '10000', ticket: '10042' } });
		expect(jiraWebhooks.read(payload('project_created'), headers())).toMatchObject({ effect: { kind: 'ignored' } });
	});

	it('without an identifier, a retry of the same body is still the same delivery', () => {
		const body = payload('jira:issue_updated');
		const first = jiraWebhooks.read(body, new Headers());
		const again = jiraWebhooks.read(body, new Headers({ 'x-atlassian-webhook-retry': '1' }));
		expect(first.ok && again.ok && first.delivery.id === again.delivery.id).toBe(true);
	});

	it('refuses what is not a delivery', () => {
		expect(jiraWebhooks.read('not json', headers())).toMatchObject({ ok: false });
		expect(jiraWebhooks.read('{}', headers())).toMatchObject({ ok: false });
	});
});

describe('quota and errors', () => {
	it('reads Cloud’s quota when it is reported, and nothing before', () => {
		const quota = readCloudQuota(new Headers({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '2026-11-30T14:10:00Z' }))!;
		expect(quota).toEqual({ limit: 100, remaining: 3, resetAt: new Date('2026-11-30T14:10:00Z') });
		expect(readCloudQuota(new Headers())).toBeUndefined();
	});

	it('puts Jira’s answers into sentences a person can act on', async () => {
		const errors = jiraErrors('cloud', 'https://acme.atlassian.net');
		const refused = await readJiraError(new Response(JSON.stringify({ errorMessages: ['Client must be authenticated to access this resource.'], errors: {} }), { status: 401 }));
		expect(refused).toBeInstanceOf(JiraResponseError);
		const described = describeJiraError(refused, errors);
		expect(described).toMatchObject({ category: 'bad-credentials', permanent: true });
		expect(described.message).toContain('Jira Cloud (acme.atlassian.net) refused the credentials');
		expect(describeJiraError(new JiraResponseError(400, "The value 'X' does not exist for the field 'project'."), errors)).toMatchObject({ category: 'bad-request', permanent: true });
		expect(describeJiraError(new JiraResponseError(503, ''), errors)).toMatchObject({ category: 'server-error', permanent: false });
		const limited = describeJiraError(new JiraRateLimitedError(new Date('2026-11-30T14:10:00Z')), errors);
		expect(limited).toMatchObject({ category: 'rate-limited', resetAt: new Date('2026-11-30T14:10:00Z') });
		const captcha = describeJiraError(new JiraResponseError(403, '', 'AUTHENTICATION_DENIED'), jiraErrors('data-center', 'https://jira.example.com'));
		expect(captcha.message).toContain('CAPTCHA');
	});
});

describe('credentials', () => {
	const user = { email: 'manager@acme.example' } as SignedInUser;
	it('reads each method with every field’s error at once; describes them without the secret', () => {
		expect(jiraCredentialsFrom({ authMethod: 'api-token', email: 'ada@acme.example', token: 'ATATT3x' })).toEqual({ ok: true, value: { method: 'api-token', email: 'ada@acme.example', token: 'ATATT3x' } });
		expect(jiraCredentialsFrom({ authMethod: 'api-token', email: 'nope', token: '' })).toEqual({ ok: false, errors: { email: expect.any(String), token: expect.any(String) } });
		expect(jiraCredentialsFrom({ authMethod: 'personal-access-token', token: 'has space' })).toMatchObject({ ok: false, errors: { token: expect.any(String) } });
		expect(jiraCredentialsFrom({ authMethod: 'basic', username: 'a:b', password: '' })).toMatchObject({ ok: false, errors: { username: expect.any(String), password: expect.any(String) } });
		const summary = describeJiraCredentials({ method: 'api-token', email: 'ada@acme.example', token: 'ATATT3x-secret' }, user);
		expect(summary).toBe('API token of ada@acme.example, entered by manager@acme.example');
		expect(describeJiraCredentials({ method: 'personal-access-token', token: 'NjQ-secret' }, user, 'ada')).not.toContain('secret');
	});
});
