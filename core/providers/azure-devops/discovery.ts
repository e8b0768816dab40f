// Discovery: the organization's projects (every page, through x-ms-continuationtoken) as groups, and
// the repositories the token may read (one list for the organization, GET /_apis/git/repositories)
// in them. A repository's provider id is its GUID, which survives renames and moves; its name is
// `Project/repository`. Its clone URL is Azure's remoteUrl without the user name Azure writes in it,
// and only on the organization URL's origin: credentials go nowhere else, whatever an answer names.
import type { DiscoveredGroup, RepositoryDraft } from '../provider.ts';
import { describeAzureError, malformed } from './errors.ts';
import type { AzureSession } from './session.ts';
import type { AzList, AzProject, AzRepository } from './types.ts';

const projectsPerPage = 100;

/** Every project, page after page. */
export async function listProjects(session: AzureSession, onPage: () => void = () => {}): Promise<AzProject[]> {
	const projects: AzProject[] = [];
	let continuationToken: string | undefined;
	for (let page = 0; page < 10_000; page++) {
		const { data, headers } = await session.get<AzList<AzProject>>('/_apis/projects', { $top: projectsPerPage, continuationToken }, 'its projects (GET /_apis/projects)');
		onPage();
		if (!Array.isArray(data?.value)) throw malformed(session.errors, 'its projects (GET /_apis/projects)');
		projects.push(...data.value);
		const next = headers.get('x-ms-continuationtoken');
		if (!next || next === continuationToken || data.value.length === 0) break;
		continuationToken = next;
	}
	return projects;
}

export async function listRepositories(session: AzureSession, project?: string): Promise<AzRepository[]> {
	const path = project ? `/${encodeURIComponent(project)}/_apis/git/repositories` : '/_apis/git/repositories';
	const { data } = await session.get<AzList<AzRepository>>(path, {}, 'its repositories (GET /_apis/git/repositories)');
	if (!Array.isArray(data?.value)) throw malformed(session.errors, 'its repositories (GET /_apis/git/repositories)');
	return data.value;
}

/** A remoteUrl (`https://org@dev.azure.com/org/Project/_git/repo`) without its user name, on the organization's origin; else undefined. */
export function cloneUrlOf(remoteUrl: string | undefined, baseUrl: string): string | undefined {
	if (!remoteUrl) return undefined;
	let url: URL;
	try {
		url = new URL(remoteUrl);
	} catch {
		return undefined;
	}
	url.username = '';
	url.password = '';
	if (url.origin !== new URL(baseUrl).origin) return undefined;
	return url.toString();
}

export function projectUrl(baseUrl: string, project: string): string {
	return `${baseUrl}/${encodeURIComponent(project)}`;
}

/** Groups and their repositories from what the API listed (pure: the tests reach it). */
export function groupRepositories(baseUrl: string, projects: readonly AzProject[], repositories: readonly AzRepository[], errors: AzureSession['errors']): DiscoveredGroup[] {
	const groups = new Map<string, DiscoveredGroup>();
	const groupOf = (project: AzProject | undefined): DiscoveredGroup | undefined => {
		if (!project?.id || !project.name) return undefined;
		let group = groups.get(project.id);
		if (!group) {
			group = { providerId: project.id, name: project.name, url: projectUrl(baseUrl, project.name), repositories: [] };
			groups.set(project.id, group);
		}
		return group;
	};
	for (const project of projects) if (!groupOf(project)) throw malformed(errors, 'its projects (a project without its id or name)');
	for (const repository of repositories) {
		const group = groupOf(repository.project);
		if (!repository.id || !repository.name || !group) throw malformed(errors, 'its repositories (GET /_apis/git/repositories)');
		const url = cloneUrlOf(repository.remoteUrl, baseUrl);
		if (!url) {
			throw malformed(errors, `${group.name}/${repository.name} (its clone URL ${repository.remoteUrl ? `is on another server, ${safeHost(repository.remoteUrl)}` : 'is missing'})`);
		}
		const draft: RepositoryDraft = {
			providerId: repository.id.toLowerCase(),
			url,
			display: `${group.name}/${repository.name}`,
			name: `${group.name}/${repository.name}`,
			groupProviderId: group.providerId,
			archived: repository.isDisabled === true,
			// Azure refuses every read of a disabled repository (git and REST): it is listed, not imported.
			imported: repository.isDisabled !== true,
			fork: repository.isFork === true
		};
		group.repositories.push(draft);
	}
	for (const group of groups.values()) group.repositories.sort((a, b) => a.name.localeCompare(b.name));
	return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function safeHost(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'an address Tributary cannot read';
	}
}

export async function discoverAzure(session: AzureSession, heartbeat: () => void = () => {}): Promise<DiscoveredGroup[]> {
	try {
		const projects = await listProjects(session, heartbeat);
		const repositories = await listRepositories(session);
		heartbeat();
		return groupRepositories(session.baseUrl, projects, repositories, session.errors);
	} catch (error) {
		throw describeAzureError(error, session.errors);
	}
}
