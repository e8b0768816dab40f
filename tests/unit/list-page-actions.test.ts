// The banners of a ticket system's update and refresh (told in ticket projects, not repositories),
// and list pages' form actions that keep the page's query (so an import lands on the same tab,
// filters, sort and page).
import { describe, expect, it } from 'vitest';
import type { Operation } from '#core/domain/operations/operation.ts';
import { actionOf } from '../../src/lib/navigation/links.ts';
import { describeOperation } from '../../src/lib/operations/describe.ts';

const finished = (kind: string, result: Record<string, unknown>) => ({ kind, state: 'succeeded', result }) as Operation;

describe('update and refresh banners', () => {
	it('tells a ticket system’s update in ticket projects and tickets', () => {
		const update = finished('integration.update', { repos: 0, failed: [], commits: 0, tags: 0, pullRequests: 0, ticketProjects: 2, tickets: 80 });
		expect(describeOperation(update, 'Jira', 'jira-data-center')).toEqual({ title: 'Update of “Jira” finished', message: '2 ticket projects up to date: 80 tickets.' });
		// Without the kind (a list page that does not know the integration yet), from the result.
		expect(describeOperation(update, 'Jira').message).toBe('2 ticket projects up to date: 80 tickets.');
	});

	it('says a ticket system’s update with no project imported fetched nothing', () => {
		const update = finished('integration.update', { repos: 0, failed: [], commits: 0, tags: 0, pullRequests: 0 });
		expect(describeOperation(update, 'Jira', 'jira-cloud').message).toBe('No ticket project is imported yet, so there was nothing to fetch.');
	});

	it('tells a git host’s update in repositories, as before', () => {
		const update = finished('integration.update', { repos: 2, failed: [], commits: 1_234, tags: 5, pullRequests: 3 });
		expect(describeOperation(update, 'Git', 'github').message).toBe('2 repositories up to date: 1,234 commits, 5 tags.');
		expect(describeOperation(update, 'Git').message).toBe('2 repositories up to date: 1,234 commits, 5 tags.');
		expect(describeOperation(finished('integration.update', { repos: 0, commits: 0, tags: 0 }), 'Git', 'generic-git').message).toBe('0 repositories up to date: 0 commits, 0 tags.');
	});

	it('tells a ticket system’s refresh in ticket projects', () => {
		const refresh = finished('integration.refresh', { groups: 0, repositories: 0, newGroups: 0, newRepositories: 0, imported: 0, heldElsewhere: 0, ticketProjects: 3, newTicketProjects: 1, importedTicketProjects: 0 });
		expect(describeOperation(refresh, 'Jira', 'jira-data-center').message).toBe('3 ticket projects; 1 new one, 0 imported.');
		expect(describeOperation(refresh, 'Jira').message).toBe('3 ticket projects; 1 new one, 0 imported.');
		const gitRefresh = finished('integration.refresh', { groups: 2, repositories: 8, newGroups: 0, newRepositories: 1, imported: 1 });
		expect(describeOperation(gitRefresh, 'Git', 'gitlab').message).toBe('8 repositories in 2 groups; 1 new one, 1 imported.');
	});
});

describe('actionOf', () => {
	it('keeps the page’s query beside the action', () => {
		expect(actionOf('setImported', { search: '' })).toBe('?/setImported');
		expect(actionOf('setImported', { search: '?tab=available&q=acme+web&integration=abc' })).toBe('?tab=available&q=acme+web&integration=abc&/setImported');
	});

	it('names one action only, whatever the query held', () => {
		expect(actionOf('setImported', { search: '?tab=imported&/remove' })).toBe('?tab=imported&/setImported');
	});
});
