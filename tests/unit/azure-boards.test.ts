// Azure Boards' pure pieces: state categories, a project's workflow from its work item types, a
// work item and its updates mapped onto the seam's records, work item notifications read into
// effects.
import { describe, expect, it } from 'vitest';
import { azureCategory, stateChanges, workflowOfTypes, workItemRecord } from '#core/providers/azure-devops/boards.ts';
import { azureWebhooks } from '#core/providers/azure-devops/webhooks.ts';

const agile = [
	{ name: 'User Story', states: [{ name: 'New', category: 'Proposed' }, { name: 'Active', category: 'InProgress' }, { name: 'Resolved', category: 'Resolved' }, { name: 'Closed', category: 'Completed' }, { name: 'Removed', category: 'Removed' }] },
	{ name: 'Task', states: [{ name: 'New', category: 'Proposed' }, { name: 'Active', category: 'InProgress' }, { name: 'Closed', category: 'Completed' }] },
	{ name: 'Test Case', isDisabled: true, states: [{ name: 'Design', category: 'Proposed' }] }
];

describe('Azure Boards workflows', () => {
	it('maps state categories: Resolved is still in progress, Removed is out of the work', () => {
		expect(['Proposed', 'InProgress', 'Resolved', 'Completed', 'Removed', undefined].map(azureCategory)).toEqual(['to-do', 'in-progress', 'in-progress', 'done', 'done', 'to-do']);
	});
	it('lists each state once, the enabled types, Tasks as parts of other items', () => {
		const workflow = workflowOfTypes(agile);
		expect(workflow.statuses).toEqual([
			{ name: 'New', category: 'to-do' },
			{ name: 'Active', category: 'in-progress' },
			{ name: 'Resolved', category: 'in-progress' },
			{ name: 'Closed', category: 'done' },
			{ name: 'Removed', category: 'done' }
		]);
		expect(workflow.types).toEqual([{ name: 'User Story', subtask: false }, { name: 'Task', subtask: true }]);
	});
});

describe('work items', () => {
	const workflow = workflowOfTypes(agile);
	const item = {
		id: 4711,
		rev: 3,
		fields: {
			'System.Id': 4711,
			'System.TeamProject': 'Acme Inc',
			'System.WorkItemType': 'User Story',
			'System.Title': 'Checkout remembers the card',
			'System.State': 'Resolved',
			'System.AssignedTo': { displayName: 'Grace Hopper', uniqueName: 'grace@acme.example' },
			'System.CreatedBy': { displayName: 'Ada Lovelace' },
			'System.CreatedDate': '2026-10-01T08:00:00.000Z',
			'System.ChangedDate': '2026-11-30T14:05:09.120Z',
			'Microsoft.VSTS.Common.Priority': 2,
			'Microsoft.VSTS.Scheduling.StoryPoints': 3
		}
	};

	it('maps the fields Tributary keeps, with the state’s category from the workflow', () => {
		expect(workItemRecord(item, 'https://dev.azure.com/acme', 'Acme Inc', workflow)).toEqual({
			providerId: '4711',
			key: '#4711',
			title: 'Checkout remembers the card',
			type: 'User Story',
			priority: '2',
			status: 'Resolved',
			statusCategory: 'in-progress',
			assignee: 'Grace Hopper',
			reporter: 'Ada Lovelace',
			storyPoints: 3,
			url: 'https://dev.azure.com/acme/Acme%20Inc/_workitems/edit/4711',
			createdAt: new Date('2026-10-01T08:00:00.000Z'),
			updatedAt: new Date('2026-11-30T14:05:09.120Z'),
			resolvedAt: null
		});
		// Scrum's effort counts as the estimate; an item without a state is not one Tributary can keep.
		expect(workItemRecord({ ...item, fields: { ...item.fields, 'Microsoft.VSTS.Scheduling.StoryPoints': undefined, 'Microsoft.VSTS.Scheduling.Effort': 8 } }, 'https://x', 'P', workflow)?.storyPoints).toBe(8);
		expect(workItemRecord({ ...item, fields: { ...item.fields, 'System.State': undefined } }, 'https://x', 'P', workflow)).toBeNull();
	});

	it('keeps the state moves among its updates, timed by the ChangedDate each set (revisedDate is when it was superseded)', () => {
		const changes = stateChanges('4711', [
			{ id: 1, rev: 1, revisedBy: { displayName: 'Ada' }, revisedDate: '2026-10-02T09:00:00Z', fields: { 'System.State': { newValue: 'New' }, 'System.ChangedDate': { newValue: '2026-10-01T08:00:00Z' } } },
			{ id: 2, rev: 2, revisedBy: { displayName: 'Ada' }, revisedDate: '2026-11-30T14:05:09.120Z', fields: { 'System.Title': { oldValue: 'a', newValue: 'b' }, 'System.ChangedDate': { newValue: '2026-10-02T09:00:00Z' } } },
			{ id: 3, rev: 3, revisedBy: { displayName: 'Grace' }, revisedDate: '9999-01-01T00:00:00Z', fields: { 'System.State': { oldValue: 'New', newValue: 'Resolved' }, 'System.ChangedDate': { oldValue: '2026-10-02T09:00:00Z', newValue: '2026-11-30T14:05:09.120Z' } } }
		]);
		expect(changes).toEqual([
			{ ticketProviderId: '4711', providerId: '1', from: null, to: 'New', author: 'Ada', changedAt: new Date('2026-10-01T08:00:00Z') },
			{ ticketProviderId: '4711', providerId: '3', from: 'New', to: 'Resolved', author: 'Grace', changedAt: new Date('2026-11-30T14:05:09.120Z') }
		]);
	});
});

describe('work item notifications', () => {
	const project = '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c';
	const body = (eventType: string, resource: Record<string, unknown>) => JSON.stringify({ id: 'c3a5e4f0-1b2c-4d5e-8f90-123456789abc', eventType, resource, resourceContainers: { project: { id: project.toUpperCase() } } });

	it('a created or updated work item updates its project; a deleted one is removed', () => {
		expect(azureWebhooks.read(body('workitem.updated', { id: 7, workItemId: 4711 }), new Headers())).toMatchObject({ ok: true, effect: { kind: 'update-tickets', projects: [project] } });
		expect(azureWebhooks.read(body('workitem.created', { id: 4712 }), new Headers())).toMatchObject({ effect: { kind: 'update-tickets', projects: [project] } });
		expect(azureWebhooks.read(body('workitem.deleted', { id: 4711 }), new Headers())).toMatchObject({ effect: { kind: 'ticket-removed', project, ticket: '4711' } });
		expect(azureWebhooks.read(JSON.stringify({ id: 'c3a5e4f0-1b2c-4d5e-8f90-123456789abc', eventType: 'workitem.updated', resource: {} }), new Headers())).toMatchObject({ effect: { kind: 'ignored' } });
	});
});
