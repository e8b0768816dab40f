// Azure Boards on the simulated Azure DevOps, as raw HTTP and its field client
// (azure-devops-node-api) see it: work item types and state categories of both processes, the
// vso.work scope, WIQL by project and ChangedDate (date and time precision, the result cap),
// batches of at most 200, updates, and control changes delivered as service hooks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getPersonalAccessTokenHandler, WebApi } from 'azure-devops-node-api';
import { WorkItemErrorPolicy } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator } from './support.ts';
import type { RunningSimulator } from '../../simulator/launch.ts';
import type { AzList, AzWorkItem, AzWorkItemQueryResult, AzWorkItemStateColor, AzWorkItemType, AzWorkItemUpdate } from '../../simulator/azure-devops/types.ts';

const PER_PROJECT = 120;
let sim: RunningSimulator;
let acme: string;
beforeAll(async () => {
	sim = await startTestSimulator('azure-boards', { workItems: PER_PROJECT });
	acme = `${sim.azureDevOps.http}/acme`;
});
afterEach(async () => {
	await sim.control.clearFaults();
	await sim.control.azureDevOps.setWiqlLimit(null);
});
afterAll(async () => {
	await sim?.stop();
});

const basic = (pat: string) => `Basic ${Buffer.from(`:${pat}`).toString('base64')}`;
const versioned = (path: string) => `${acme}${path}${path.includes('?') ? '&' : '?'}api-version=7.1`;
const MAIN = encodeURIComponent('Acme Inc');

function get(path: string, pat = sim.azureDevOps.tokens.full): Promise<Response> {
	return fetch(versioned(path), { headers: { authorization: basic(pat) } });
}

function post(path: string, body: unknown, pat = sim.azureDevOps.tokens.full): Promise<Response> {
	return fetch(versioned(path), { method: 'POST', headers: { authorization: basic(pat), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function json<T>(response: Response): Promise<T> {
	const text = await response.text();
	expect(response.status, text).toBe(200);
	return JSON.parse(text) as T;
}

async function refusal(response: Response, status: number): Promise<{ message: string; typeKey: string }> {
	expect(response.status).toBe(status);
	return (await response.json()) as { message: string; typeKey: string };
}

function wiql(query: string, options: { project?: string; timePrecision?: boolean; top?: number } = {}): Promise<Response> {
	const params = [options.timePrecision === undefined ? '' : `timePrecision=${options.timePrecision}`, options.top === undefined ? '' : `$top=${options.top}`].filter(Boolean).join('&');
	return post(`${options.project === undefined ? `/${MAIN}` : options.project}/_apis/wit/wiql${params ? `?${params}` : ''}`, { query });
}

const ids = (result: AzWorkItemQueryResult) => result.workItems.map((w) => w.id);

/** Every work item of a project with the given fields, read in batches of 200. */
async function readAll(project: string, fields: string[]): Promise<AzWorkItem[]> {
	const result = await json<AzWorkItemQueryResult>(await wiql(`SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = '${project}' ORDER BY [System.Id]`, { project: '' }));
	const items: AzWorkItem[] = [];
	for (let i = 0; i < result.workItems.length; i += 200) {
		const batch = await json<AzList<AzWorkItem>>(await post('/_apis/wit/workitemsbatch', { ids: ids(result).slice(i, i + 200), fields }));
		items.push(...batch.value);
	}
	return items;
}

describe('work item types', () => {
	it('serves Agile and Scrum types with their states and state categories', async () => {
		expect(sim.azureDevOps.workItems).toEqual({ perProject: PER_PROJECT, processes: { 'acme/Acme Inc': 'Agile', 'acme/Platform': 'Scrum', 'globex/Globex Inc': 'Agile', 'globex/Platform': 'Agile' } });
		const agile = await json<AzList<AzWorkItemType>>(await get(`/${MAIN}/_apis/wit/workitemtypes`));
		expect(agile.value.map((t) => t.name).sort()).toEqual(['Bug', 'Epic', 'Feature', 'Task', 'User Story']);
		const story = agile.value.find((t) => t.name === 'User Story')!;
		expect(story).toMatchObject({ referenceName: 'Microsoft.VSTS.WorkItemTypes.UserStory', color: '009ccc', isDisabled: false });
		expect(story.states.map((s) => [s.name, s.category])).toEqual([
			['New', 'Proposed'],
			['Active', 'InProgress'],
			['Resolved', 'Resolved'],
			['Closed', 'Completed'],
			['Removed', 'Removed']
		]);
		expect(story.fields.map((f) => f.referenceName)).toContain('Microsoft.VSTS.Scheduling.StoryPoints');
		expect(story.transitions['']).toEqual([{ to: 'New', actions: null }]);

		const scrum = await json<AzList<AzWorkItemType>>(await get('/Platform/_apis/wit/workitemtypes'));
		expect(scrum.value.map((t) => t.name).sort()).toEqual(['Bug', 'Epic', 'Feature', 'Product Backlog Item', 'Task']);
		const pbi = await json<AzList<AzWorkItemStateColor>>(await get(`/Platform/_apis/wit/workitemtypes/${encodeURIComponent('Product Backlog Item')}/states`));
		expect(pbi.value.map((s) => [s.name, s.category])).toEqual([
			['New', 'Proposed'],
			['Approved', 'Proposed'],
			['Committed', 'InProgress'],
			['Done', 'Completed'],
			['Removed', 'Removed']
		]);
		expect(scrum.value.find((t) => t.name === 'Product Backlog Item')!.fields.map((f) => f.referenceName)).toContain('Microsoft.VSTS.Scheduling.Effort');
		expect((await get('/Platform/_apis/wit/workitemtypes/Nope/states')).status).toBe(404);

		// The field client finds the same through its resource locations.
		const wit = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getWorkItemTrackingApi();
		const states = await wit.getWorkItemTypeStates('Platform', 'Task');
		expect(states.map((s) => [s.name, s.category])).toEqual([
			['To Do', 'Proposed'],
			['In Progress', 'InProgress'],
			['Done', 'Completed'],
			['Removed', 'Removed']
		]);
		expect((await wit.getWorkItemTypes('Acme Inc')).map((t) => t.name)).toContain('User Story');
	});

	it('refuses the work item routes to a PAT without vso.work, as Azure DevOps refuses a missing scope', async () => {
		const noWork = sim.azureDevOps.tokens.noWork;
		expect((await get('/_apis/git/repositories', noWork)).status).toBe(200);
		for (const response of [await get(`/${MAIN}/_apis/wit/workitemtypes`, noWork), await post(`/${MAIN}/_apis/wit/wiql`, { query: 'SELECT [System.Id] FROM WorkItems' }, noWork)]) {
			const body = await refusal(response, 401);
			expect(body).toMatchObject({ typeKey: 'UnauthorizedRequestException', message: 'The requested operation requires scope vso.work. The access token does not have it.' });
			expect(response.headers.get('www-authenticate')).toContain('Basic realm=');
		}
		expect((await post('/_apis/wit/workitemsbatch', { ids: [1] }, sim.azureDevOps.tokens.noCode)).status).toBe(401);
	});
});

describe('WIQL', () => {
	it('answers ids only, by project, in ORDER BY order, with $top and paging by id', async () => {
		const all = await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id] ASC'));
		expect(all).toMatchObject({ queryType: 'flat', queryResultType: 'workItem', columns: [{ referenceName: 'System.Id', name: 'ID' }, { referenceName: 'System.Title', name: 'Title' }], sortColumns: [{ field: { referenceName: 'System.Id' }, descending: false }] });
		expect(all.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		expect(all.workItems).toHaveLength(PER_PROJECT);
		expect(Object.keys(all.workItems[0]!).sort()).toEqual(['id', 'url']);
		expect(ids(all)).toEqual([...ids(all)].sort((a, b) => a - b));
		// The same by the project's quoted name from the organisation URL, and ids unique across the organisation.
		const named = await json<AzWorkItemQueryResult>(await wiql("SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = 'acme inc'", { project: '' }));
		expect(ids(named)).toEqual(ids(all));
		const platform = await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project', { project: '/Platform' }));
		expect(platform.workItems).toHaveLength(PER_PROJECT);
		expect(ids(platform).filter((id) => ids(all).includes(id))).toEqual([]);

		const top = await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]', { top: 25 }));
		expect(ids(top)).toEqual(ids(all).slice(0, 25));
		const after = ids(top).at(-1)!;
		const next = await json<AzWorkItemQueryResult>(await wiql(`SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Id] > ${after} ORDER BY [System.Id]`, { top: 25 }));
		expect(ids(next)).toEqual(ids(all).slice(25, 50));

		// The field client: teamContext names the project, timePrecision and $top are query parameters.
		const wit = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getWorkItemTrackingApi();
		const typed = await wit.queryByWiql({ query: 'SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]' }, { project: 'Acme Inc' }, true, 10);
		expect(typed.workItems!.map((w) => w.id)).toEqual(ids(all).slice(0, 10));
		expect(typed.asOf).toBeInstanceOf(Date);
	});

	it('compares ChangedDate to the millisecond with timePrecision=true, by day without it, and refuses a time without it', async () => {
		const items = await readAll('Acme Inc', ['System.Id', 'System.ChangedDate']);
		expect(items).toHaveLength(PER_PROJECT);
		const changed = (w: AzWorkItem) => w.fields['System.ChangedDate'] as string;
		for (const w of items) expect(changed(w)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		// Some work items share a second: clients syncing by ChangedDate must cope.
		const seconds = items.map((w) => changed(w).slice(0, 19));
		expect(new Set(seconds).size).toBeLessThan(seconds.length);

		const sorted = items.map(changed).sort();
		const middle = sorted[Math.floor(sorted.length / 2)]!;
		const since = (op: string, literal: string, timePrecision?: boolean) =>
			wiql(`SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.ChangedDate] ${op} '${literal}' ORDER BY [System.ChangedDate] ASC`, { timePrecision });

		const refused = await refusal(await since('>=', middle), 400);
		expect(refused.message).toBe(`You cannot supply a time with the date when running a query using date precision. The error is caused by «[System.ChangedDate] >= '${middle}'».`);
		expect((await since('>=', middle, false)).status).toBe(400);

		const atOrAfter = await json<AzWorkItemQueryResult>(await since('>=', middle, true));
		const expected = items.filter((w) => changed(w) >= middle).sort((a, b) => changed(a).localeCompare(changed(b)) || a.id - b.id);
		expect(ids(atOrAfter)).toEqual(expected.map((w) => w.id));
		const strictlyAfter = await json<AzWorkItemQueryResult>(await since('>', middle, true));
		expect(ids(strictlyAfter)).toEqual(expected.filter((w) => changed(w) > middle).map((w) => w.id));
		expect(atOrAfter.sortColumns).toEqual([{ field: expect.objectContaining({ referenceName: 'System.ChangedDate' }), descending: false }]);

		// A plain date compares by day: the whole of the middle's day, earlier hours too.
		const day = middle.slice(0, 10);
		const byDay = await json<AzWorkItemQueryResult>(await since('>=', day));
		expect(ids(byDay).sort((a, b) => a - b)).toEqual(items.filter((w) => changed(w).slice(0, 10) >= day).map((w) => w.id));
		const afterDay = await json<AzWorkItemQueryResult>(await since('>', day));
		expect(ids(afterDay).sort((a, b) => a - b)).toEqual(items.filter((w) => changed(w).slice(0, 10) > day).map((w) => w.id));
		// With timePrecision a plain date is its midnight; a midnight time is accepted without it.
		expect(ids(await json<AzWorkItemQueryResult>(await since('>=', day, true)))).toEqual(ids(byDay));
		expect((await since('>=', `${day}T00:00:00Z`)).status).toBe(200);
	});

	it('refuses unknown fields (TF51005) and WIQL it cannot read', async () => {
		const unknown = await refusal(await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.Sprint] = 4'), 400);
		expect(unknown.message).toBe('TF51005: The query references a field that does not exist. The error is caused by «[System.Sprint]».');
		const syntax = await refusal(await wiql('SELECT [System.Id] FROM WorkItems WHERE ([System.State] = )'), 400);
		expect(syntax).toMatchObject({ typeKey: 'VssPropertyValidationException', message: 'Expecting value. The error is caused by «)».' });
		expect((await post(`/${MAIN}/_apis/wit/wiql`, {})).status).toBe(400);
		expect((await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project', { project: '' })).status).toBe(400);
		expect((await wiql("SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = 'Nope'")).status).toBe(400);
		expect((await get(`/${MAIN}/_apis/wit/wiql`)).status).toBe(405);
	});

	it('refuses a result over the cap (VS402337), which the control API lowers', async () => {
		const query = 'SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]';
		await sim.control.azureDevOps.setWiqlLimit(100);
		expect((await sim.control.azureDevOps.stats()).wiqlLimit).toBe(100);
		const refused = await refusal(await wiql(query), 400);
		expect(refused).toEqual(
			expect.objectContaining({
				typeKey: 'WorkItemTrackingQueryResultSizeLimitExceededException',
				message: 'VS402337: The number of work items returned exceeds the size limit of 100. Change the query to return fewer items.'
			})
		);
		// $top within the cap, or a narrower query, pass.
		expect((await json<AzWorkItemQueryResult>(await wiql(query, { top: 100 }))).workItems).toHaveLength(100);
		const all = await json<AzWorkItemQueryResult>(await wiql(query, { top: 100 }));
		const rest = await json<AzWorkItemQueryResult>(await wiql(query.replace(' ORDER', ` AND [System.Id] > ${ids(all).at(-1)!} ORDER`)));
		expect(all.workItems.length + rest.workItems.length).toBe(PER_PROJECT);
		await sim.control.azureDevOps.setWiqlLimit(null);
		expect((await json<AzWorkItemQueryResult>(await wiql(query))).workItems).toHaveLength(PER_PROJECT);
	});
});

describe('work items', () => {
	it('reads batches of at most 200, with only the fields asked for, and the missing ones per errorPolicy', async () => {
		const all = ids(await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]')));
		const platform = ids(await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id] FROM WorkItems', { project: '/Platform' })));
		const many = [...all, ...platform].slice(0, 201);
		const tooMany = await refusal(await post('/_apis/wit/workitemsbatch', { ids: many }), 400);
		expect(tooMany.message).toBe('VS403474: You requested 201 work items which exceeds the limit of 200');

		const full = await json<AzList<AzWorkItem>>(await post(`/${MAIN}/_apis/wit/workitemsbatch`, { ids: many.slice(0, 200) }));
		expect(full.count).toBe(200);
		expect(full.value.map((w) => w.id)).toEqual(many.slice(0, 200));
		const first = full.value[0]!;
		expect(first).toMatchObject({ id: all[0], url: expect.stringMatching(new RegExp(`/azure-devops/acme/[0-9a-f-]{36}/_apis/wit/workItems/${all[0]}$`)) });
		expect(first.rev).toBeGreaterThanOrEqual(1);
		expect(first.fields).toMatchObject({ 'System.Id': all[0], 'System.TeamProject': 'Acme Inc', 'System.AreaPath': 'Acme Inc', 'System.CreatedBy': { uniqueName: expect.stringMatching(/@example\.com$/) } });
		for (const name of ['System.WorkItemType', 'System.Title', 'System.State', 'System.Reason', 'System.CreatedDate', 'System.ChangedDate', 'System.ChangedBy', 'Microsoft.VSTS.Common.Priority', 'Microsoft.VSTS.Common.StateChangeDate']) expect(first.fields).toHaveProperty([name]);
		const closed = full.value.filter((w) => w.fields['System.State'] === 'Closed');
		expect(closed.length).toBeGreaterThan(0);
		expect(closed.every((w) => typeof w.fields['Microsoft.VSTS.Common.ClosedDate'] === 'string')).toBe(true);
		expect(full.value.filter((w) => w.fields['System.State'] === 'Active').every((w) => !('Microsoft.VSTS.Common.ClosedDate' in w.fields))).toBe(true);
		expect(full.value.some((w) => 'Microsoft.VSTS.Scheduling.StoryPoints' in w.fields)).toBe(true);
		expect(full.value.some((w) => 'Microsoft.VSTS.Scheduling.Effort' in w.fields && w.fields['System.TeamProject'] === 'Platform')).toBe(true);

		const asked = await json<AzList<AzWorkItem>>(await post('/_apis/wit/workitemsbatch', { ids: all.slice(0, 5), fields: ['System.Title', 'System.State', 'Microsoft.VSTS.Common.ClosedDate'] }));
		for (const w of asked.value) {
			expect(Object.keys(w.fields).every((k) => ['System.Title', 'System.State', 'Microsoft.VSTS.Common.ClosedDate'].includes(k))).toBe(true);
			expect(w.fields['System.Title']).toBeTruthy();
		}
		expect((await refusal(await post('/_apis/wit/workitemsbatch', { ids: [all[0]], fields: ['System.Nope'] }), 400)).message).toBe('TF51535: Cannot find field System.Nope.');
		expect((await post('/_apis/wit/workitemsbatch', { ids: [all[0]], fields: ['System.Title'], $expand: 'Links' })).status).toBe(400);

		const missing = 999_999;
		const failed = await refusal(await post('/_apis/wit/workitemsbatch', { ids: [all[0], missing] }), 404);
		expect(failed).toMatchObject({ typeKey: 'WorkItemUnauthorizedAccessException', message: `TF401232: Work item ${missing} does not exist, or you do not have permissions to read it.` });
		const omitted = await json<AzList<AzWorkItem | null>>(await post('/_apis/wit/workitemsbatch', { ids: [all[0], missing], errorPolicy: 'omit' }));
		expect(omitted.value.map((w) => w?.id ?? null)).toEqual([all[0], null]);

		// The field client: batches, single reads with $expand, the web link.
		const wit = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getWorkItemTrackingApi();
		const typed = await wit.getWorkItemsBatch({ ids: [all[1]!, missing], fields: ['System.Id', 'System.ChangedDate'], errorPolicy: WorkItemErrorPolicy.Omit });
		expect(typed.map((w) => w?.id ?? null)).toEqual([all[1], null]);
		const one = await json<AzWorkItem>(await get(`/${MAIN}/_apis/wit/workitems/${all[1]}?$expand=Links`));
		expect(one._links.html.href).toBe(`${acme}/${MAIN}/_workitems/edit/${all[1]}`);
		expect((await get(`/_apis/wit/workitems/${missing}`)).status).toBe(404);
	});

	it('lists updates with $top and $skip: each revision’s changed fields, who and when', async () => {
		const all = ids(await json<AzWorkItemQueryResult>(await wiql('SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]')));
		let transitions = 0;
		let checked = false;
		for (const id of all) {
			const updates = await json<AzList<AzWorkItemUpdate>>(await get(`/${MAIN}/_apis/wit/workItems/${id}/updates`));
			transitions += updates.value.filter((u) => u.fields['System.State']?.oldValue !== undefined).length;
			if (checked || updates.count < 4) continue;
			checked = true;
			expect(updates.value.map((u) => u.id)).toEqual(updates.value.map((_, i) => i + 1));
			const [created, ...later] = updates.value;
			expect(created).toMatchObject({ workItemId: id, rev: 1, revisedBy: { uniqueName: expect.any(String), displayName: expect.any(String) } });
			expect(created!.fields['System.State']).toEqual({ newValue: expect.any(String) });
			expect(created!.fields['System.CreatedDate']!.newValue).toBe(created!.fields['System.ChangedDate']!.newValue);
			for (const [i, update] of later.entries()) {
				const before = updates.value[i]!;
				expect(update.fields['System.Rev']).toEqual({ oldValue: before.rev, newValue: update.rev });
				expect(update.fields['System.ChangedDate']!.oldValue).toBe(before.fields['System.ChangedDate']!.newValue);
				// revisedDate: when the previous revision was superseded, i.e. this one's ChangedDate.
				expect(before.revisedDate).toBe(update.fields['System.ChangedDate']!.newValue);
				expect(Object.keys(update.fields).length).toBeGreaterThan(2);
			}
			expect(updates.value.at(-1)!.revisedDate).toBe('9999-01-01T00:00:00Z');
			const item = await json<AzWorkItem>(await get(`/${MAIN}/_apis/wit/workitems/${id}`));
			expect(item.rev).toBe(updates.count);
			expect(item.fields['System.ChangedDate']).toBe(updates.value.at(-1)!.fields['System.ChangedDate']!.newValue);

			const page = await json<AzList<AzWorkItemUpdate>>(await get(`/${MAIN}/_apis/wit/workItems/${id}/updates?$top=2&$skip=1`));
			expect(page.value).toEqual(updates.value.slice(1, 3));
			const wit = await new WebApi(acme, getPersonalAccessTokenHandler(sim.azureDevOps.tokens.full)).getWorkItemTrackingApi();
			const typed = await wit.getUpdates(id, 2, 2, 'Acme Inc');
			expect(typed.map((u) => u.rev)).toEqual([3, 4].slice(0, Math.min(2, updates.count - 2)));
		}
		expect(checked).toBe(true);
		const stats = (await sim.control.azureDevOps.stats()).workItems.find((p) => p.project === 'acme/Acme Inc')!;
		expect(stats).toMatchObject({ process: 'Agile', workItems: PER_PROJECT, stateTransitions: transitions });
		expect(Object.values(stats.byCategory).reduce((a, b) => a + b, 0)).toBe(PER_PROJECT);
	});
});

describe('control changes and service hooks', () => {
	it('creates, changes and deletes work items, delivering workitem.* events with Azure’s shapes', async () => {
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
		const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/boards`;
		try {
			const control = sim.control.azureDevOps;
			const auth = { username: 'tributary', password: 's3cret' };
			const created = await control.subscribe({ project: 'acme/Platform', url, eventType: 'workitem.created', ...auth });
			const updated = await control.subscribe({ project: 'acme/Platform', url, eventType: 'workitem.updated', ...auth });
			await control.subscribe({ project: 'acme/Platform', url, eventType: 'workitem.deleted', ...auth });
			const before = (await control.stats()).workItems.find((p) => p.project === 'acme/Platform')!;

			const made = await control.createWorkItem('acme/Platform', { title: 'Ship the boards sync', estimate: 5 });
			const id = made.workItem.id;
			expect(made.workItem.fields).toMatchObject({ 'System.WorkItemType': 'Product Backlog Item', 'System.State': 'New', 'System.Reason': 'New backlog item', 'Microsoft.VSTS.Scheduling.Effort': 5 });
			expect(made.webUrl).toBe(`${acme}/Platform/_workitems/edit/${id}`);
			expect(made.deliveries.map((d) => [d.eventType, d.subscriptionId, d.statusCode])).toEqual([['workitem.created', created.id, 200]]);
			const createdEvent = JSON.parse(received.at(-1)!.body) as { eventType: string; resource: AzWorkItem; resourceContainers: { project: { id: string } }; message: { text: string } };
			expect(received.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('tributary:s3cret').toString('base64')}`);
			expect(createdEvent).toMatchObject({ eventType: 'workitem.created', resource: { id, rev: 1, fields: { 'System.Title': 'Ship the boards sync', 'System.TeamProject': 'Platform' } } });
			expect(createdEvent.resourceContainers.project.id).toBe(created.projectId);
			expect(createdEvent.message.text).toBe(`Product Backlog Item #${id} (Ship the boards sync) created by Sam Simulator`);

			const since = new Date().toISOString();
			const changed = await control.updateWorkItem('acme', id, { state: 'Committed', assignedTo: 'li-lei', title: 'Ship the Boards sync', user: 'li-lei' });
			expect(changed.update).toMatchObject({ id: 2, rev: 2, workItemId: id, revisedDate: '9999-01-01T00:00:00Z', fields: { 'System.State': { oldValue: 'New', newValue: 'Committed' } } });
			expect(changed.deliveries.map((d) => [d.eventType, d.subscriptionId])).toEqual([['workitem.updated', updated.id]]);
			const event = JSON.parse(received.at(-1)!.body) as {
				id: string;
				eventType: string;
				resource: AzWorkItemUpdate & { revision: AzWorkItem };
				resourceContainers: { project: { id: string } };
			};
			expect(event).toMatchObject({
				eventType: 'workitem.updated',
				resource: {
					id: 2,
					workItemId: id,
					rev: 2,
					revisedBy: { uniqueName: 'li-lei@example.com', displayName: '李雷' },
					revisedDate: '9999-01-01T00:00:00Z',
					fields: {
						'System.Rev': { oldValue: 1, newValue: 2 },
						'System.State': { oldValue: 'New', newValue: 'Committed' },
						'System.Reason': { oldValue: 'New backlog item', newValue: 'Commitment made by the team' },
						'System.Title': { oldValue: 'Ship the boards sync', newValue: 'Ship the Boards sync' },
						'System.AssignedTo': { newValue: { uniqueName: 'li-lei@example.com' } }
					},
					revision: { id, rev: 2, fields: { 'System.TeamProject': 'Platform', 'System.State': 'Committed', 'System.AssignedTo': { uniqueName: 'li-lei@example.com' } } }
				}
			});
			expect(event.resource.fields['System.AssignedTo']!.oldValue).toBeUndefined();
			expect(event.resource.url).toMatch(new RegExp(`/_apis/wit/workItems/${id}/updates/2$`));
			expect(event.resourceContainers.project.id).toBe(created.projectId);

			// The API shows the change: WIQL since before it (to the millisecond), the updates, the stats.
			const recent = await json<AzWorkItemQueryResult>(
				await wiql(`SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.ChangedDate] >= '${since}' ORDER BY [System.ChangedDate]`, { project: '/Platform', timePrecision: true })
			);
			expect(ids(recent)).toEqual([id]);
			const updates = await json<AzList<AzWorkItemUpdate>>(await get(`/Platform/_apis/wit/workItems/${id}/updates`));
			expect(updates.value.at(-1)).toEqual(changed.update);
			await control.updateWorkItem('acme', id, { state: 'Done' });
			const done = await json<AzWorkItem>(await get(`/_apis/wit/workitems/${id}`));
			expect(done.fields).toMatchObject({ 'System.State': 'Done', 'System.Reason': 'Work finished', 'Microsoft.VSTS.Common.ClosedDate': done.fields['System.ChangedDate'] });
			const middle = (await control.stats()).workItems.find((p) => p.project === 'acme/Platform')!;
			expect(middle).toMatchObject({ workItems: before.workItems + 1, stateTransitions: before.stateTransitions + 2, byState: { Done: (before.byState.Done ?? 0) + 1 } });
			await expect(control.updateWorkItem('acme', id, { state: 'Resolved' })).rejects.toThrow(/400/);

			// Deleted: to the recycle bin, gone from WIQL, batches and reads.
			const deleted = await control.deleteWorkItem('acme', id);
			expect(deleted.deliveries.map((d) => d.eventType)).toEqual(['workitem.deleted']);
			expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ eventType: 'workitem.deleted', resource: { id, rev: 3, fields: { 'System.State': 'Done' } } });
			const gone = await json<AzWorkItemQueryResult>(await wiql(`SELECT [System.Id] FROM WorkItems WHERE [System.Id] = ${id}`, { project: '' }));
			expect(gone.workItems).toEqual([]);
			expect((await post('/_apis/wit/workitemsbatch', { ids: [id] })).status).toBe(404);
			expect((await json<AzList<AzWorkItem | null>>(await post('/_apis/wit/workitemsbatch', { ids: [id], errorPolicy: 'omit' }))).value).toEqual([null]);
			expect((await get(`/_apis/wit/workitems/${id}`)).status).toBe(404);
			const after = (await control.stats()).workItems.find((p) => p.project === 'acme/Platform')!;
			expect(after).toMatchObject({ workItems: before.workItems, deleted: before.deleted + 1 });
		} finally {
			receiver.close();
		}
	});

	it('serves work item routes through the Azure DevOps faults and throttle', async () => {
		await sim.control.addFault({ provider: 'azure-devops', kind: 'status', status: 503, method: 'POST', path: '/acme/**/_apis/wit/wiql', count: 1 });
		expect((await wiql('SELECT [System.Id] FROM WorkItems')).status).toBe(503);
		expect((await wiql('SELECT [System.Id] FROM WorkItems')).status).toBe(200);
		const requests = (await sim.control.azureDevOps.stats()).requests;
		expect(requests.byKind['wit.wiql']).toBeGreaterThan(0);
	});
});
