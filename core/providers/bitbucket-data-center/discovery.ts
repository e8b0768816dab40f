// Discovery: every repository the credentials may read (GET /api/latest/repos, across projects
// and personal ones), grouped by project. A repository's provider id is its numeric id, which
// survives renames and moves; its name is `PROJECT/slug`, which the API is asked with.
import type { DiscoveredGroup, RepositoryDraft } from '../provider.ts';
import { describeBitbucketError, malformed } from '../bitbucket/errors.ts';
import { allServerPages, type ServerPage } from './pages.ts';
import type { DataCenterSession } from './session.ts';

export interface ServerRepository {
	id?: number;
	slug?: string;
	name?: string;
	archived?: boolean;
	origin?: unknown;
	project?: { id?: number; key?: string; name?: string; type?: string };
	links?: { clone?: ReadonlyArray<{ href?: string; name?: string }> };
}

/** The readable repositories, a page at a time (a probe reads one). */
export async function listRepositories(session: DataCenterSession, options: { limit?: number; onPage?: () => void; one?: boolean } = {}): Promise<ServerRepository[]> {
	const read = (start: number) =>
		session.api.GET('/api/latest/repos', { params: { query: { start, limit: options.one ? 1 : 1000, permission: 'REPO_READ' } as never } }).then((a) => a.data as ServerPage<ServerRepository> | undefined);
	if (options.one) return [...((await read(0))?.values ?? [])];
	return allServerPages(read, options);
}

export function httpCloneUrl(repository: ServerRepository): string | undefined {
	return repository.links?.clone?.find((link) => link.name === 'http' || link.name === 'https')?.href;
}

export async function discoverDataCenter(session: DataCenterSession, heartbeat: () => void = () => {}): Promise<DiscoveredGroup[]> {
	try {
		const repositories = await listRepositories(session, { onPage: heartbeat });
		const groups = new Map<string, DiscoveredGroup>();
		const origin = new URL(session.baseUrl).origin;
		for (const repository of repositories) {
			const project = repository.project;
			const clone = httpCloneUrl(repository);
			if (repository.id === undefined || !repository.slug || !project?.key || project.id === undefined || !clone) throw malformed(session.errors, 'the repositories (GET /rest/api/latest/repos)');
			const url = new URL(clone);
			url.username = '';
			// Credentials go to this server only, whatever an answer names.
			if (url.origin !== origin) throw malformed(session.errors, `${project.key}/${repository.slug} (its clone URL is on another server, ${url.host})`);
			let group = groups.get(project.key);
			if (!group) {
				const path = project.type === 'PERSONAL' ? `users/${encodeURIComponent(project.key.replace(/^~/, '').toLowerCase())}` : `projects/${encodeURIComponent(project.key)}`;
				group = { providerId: String(project.id), name: project.key, url: `${session.baseUrl}/${path}`, repositories: [] };
				groups.set(project.key, group);
			}
			const draft: RepositoryDraft = {
				providerId: String(repository.id),
				url: url.toString(),
				display: `${project.key}/${repository.slug}`,
				name: `${project.key}/${repository.slug}`,
				groupProviderId: group.providerId,
				archived: repository.archived === true,
				fork: Boolean(repository.origin)
			};
			group.repositories.push(draft);
		}
		return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
	} catch (error) {
		throw describeBitbucketError(error, session.errors);
	}
}
