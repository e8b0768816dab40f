// The projects the credentials can browse, with each one's workflow (its statuses by category,
// its issue types): what the Tickets tab lists and what a project's settings choose from. Every
// update begins with this, so the workflows are asked a few at a time: a site of two hundred
// projects costs fifty round trips, not two hundred.
import type { ApiQuota, DiscoveredTicketProject } from '../provider.ts';
import { inLanes, lanesFor } from '../shared/lanes.ts';
import type { JiraApi } from './api.ts';

/** Workflows asked at once at most (fewer as the quota runs low). */
const workflowLanes = 4;

export async function discoverJiraProjects(api: JiraApi, baseUrl: string, heartbeat: () => void, quota: () => ApiQuota | undefined = () => undefined): Promise<DiscoveredTicketProject[]> {
	const projects = await api.projects(heartbeat);
	return inLanes(
		projects,
		() => lanesFor(quota(), workflowLanes),
		async (project) => {
			const workflow = await api.workflow(project);
			heartbeat();
			return { providerId: project.id, key: project.key, name: project.name, url: `${baseUrl}/browse/${encodeURIComponent(project.key)}`, workflow };
		}
	);
}
