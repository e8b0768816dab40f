// Banner sentences for finished operations, by kind.
import { heldByDeletionText } from '#core/domain/integrations/held-by-deletion.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import { providers, type ProviderKind } from '#core/domain/integrations/providers.ts';

const names: Record<string, string> = {
	'integration.update': 'Update',
	'integration.test': 'Connection test',
	'integration.refresh': 'Refresh',
	'integration.delete': 'Deletion',
	'integrations.update-all': 'Update of all repositories',
	'integrations.metrics': 'Background metrics update',
	'integrations.deployment-source': 'Deployment source change',
	'system.self-check': 'Self-check'
};

/** "1 repository", "3 repositories": a count with its noun. */
function count(n: unknown, one: string, many: string): string {
	const value = Number(n ?? 0);
	return `${value.toLocaleString('en')} ${value === 1 ? one : many}`;
}

/** Why repositories a discovery listed were left out: another integration holds them. */
function heldElsewhere(result: Record<string, unknown>): string {
	const heldBy = Array.isArray(result.heldBy) ? (result.heldBy as Array<{ integration: string; deleting: boolean; repositories: number }>) : [];
	return heldBy
		.map((held) =>
			held.deleting
				? ` ${heldByDeletionText(count(held.repositories, 'repository', 'repositories'), held.repositories !== 1, held.integration, Number(result.reAddCooldownHours ?? 0))}`
				: ` ${count(held.repositories, 'repository is', 'repositories are')} already in “${held.integration}”.`
		)
		.join('');
}

export function operationName(kind: string): string {
	return names[kind] ?? kind;
}

/** `kind`: the subject integration's, when known (a ticket system's update is told in ticket projects). */
export function describeOperation(operation: Operation, subject?: string, kind?: ProviderKind): { title: string; message: string } {
	const name = operationName(operation.kind);
	const of = subject ? ` of “${subject}”` : '';
	const result = operation.result ?? {};
	if (operation.state === 'succeeded') {
		switch (operation.kind) {
			case 'integration.update': {
				const repos = `${count(result.repos, 'repository', 'repositories')} up to date: ${count(result.commits, 'commit', 'commits')}, ${count(result.tags, 'tag', 'tags')}`;
				// Ticket projects come in the result only when some were imported.
				const projects = result.ticketProjects === undefined ? null : `${count(result.ticketProjects, 'ticket project', 'ticket projects')} up to date: ${count(result.tickets, 'ticket', 'tickets')}`;
				// A ticket system has no repositories to speak of.
				const ticketSystem = kind ? !providers[kind].hasRepoData : Number(result.repos ?? 0) === 0 && projects !== null;
				const parts = ticketSystem ? [projects ?? 'No ticket project is imported yet, so there was nothing to fetch'] : [repos, ...(projects ? [projects] : [])];
				return { title: `${name}${of} finished`, message: `${parts.join('; ')}.` + heldElsewhere(result) };
			}
			case 'integration.test':
				// A hosted provider's test is of the account, not of each repository.
				if (typeof result.account === 'string') {
					const expires = typeof result.expiresAt === 'string' ? `; the credentials expire ${new Date(result.expiresAt).toLocaleDateString('en')}` : '';
					return { title: `Connection${of} works`, message: `Signed in as ${result.account}, with the permissions its services need${expires}.` };
				}
				return { title: `Connection${of} works`, message: result.reached === 1 ? 'Reached its repository.' : `Reached all ${count(result.reached, 'repository', 'repositories')}.` };
			case 'integration.refresh': {
				const repos = `${count(result.repositories, 'repository', 'repositories')} in ${count(result.groups, 'group', 'groups')}; ${count(result.newRepositories, 'new one', 'new ones')}, ${count(result.imported, 'imported', 'imported')}`;
				// A ticket system's refresh lists its projects (in the result only when it has some).
				const projects =
					result.ticketProjects === undefined
						? null
						: `${count(result.ticketProjects, 'ticket project', 'ticket projects')}; ${count(result.newTicketProjects, 'new one', 'new ones')}, ${count(result.importedTicketProjects, 'imported', 'imported')}`;
				const ticketSystem = kind ? !providers[kind].hasRepoData : Number(result.repositories ?? 0) === 0 && projects !== null;
				const parts = ticketSystem ? [projects ?? 'No ticket projects found'] : [repos, ...(projects ? [projects] : [])];
				return { title: `${name}${of} finished`, message: `${parts.join('. ')}.` + heldElsewhere(result) };
			}
			case 'integration.delete':
				return { title: `“${String(result.name ?? subject ?? 'Integration')}” deleted`, message: 'All of its data is gone.' };
			case 'integrations.deployment-source':
				return { title: `${name} finished`, message: `Deployments from git tags are ${result.gitTags ? 'on' : 'off'} for ${count(result.integrations, 'integration', 'integrations')}.` };
			default:
				return { title: `${name}${of} finished`, message: result.integrations !== undefined ? `${count(result.integrations, 'integration', 'integrations')} done.` : 'Done.' };
		}
	}
	if (operation.state === 'cancelled') return { title: `${name}${of} cancelled`, message: 'It stopped before it finished.' };
	return { title: `${name}${of} failed`, message: operation.error ?? 'No reason was recorded.' };
}
