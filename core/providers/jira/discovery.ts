// The projects the credentials can browse, with each one's workflow (its statuses by category,
// its issue types): what the Tickets tab lists and what a project's settings choose from.
import type { DiscoveredTicketProject } from '../provider.ts';
import type { JiraApi } from './api.ts';

export async function discoverJiraProjects(api: JiraApi, baseUrl: string, heartbeat: () => void): Promise<DiscoveredTicketProject[]> {
	const projects = await api.projects(heartbeat);
	const discovered: DiscoveredTicketProject[] = [];
	for (const project of projects) {
		const workflow = await api.workflow(project);
		heartbeat();
		discovered.push({ providerId: project.id, key: project.key, name: project.name, url: `${baseUrl}/browse/${encodeURIComponent(project.key)}`, workflow });
	}
	return discovered;
}
