// Discovery: every project the token's user is a member of (directly, through a group or a
// subgroup, or as a project token's own project), grouped by the namespace that holds it: each
// group and subgroup is a group, the user's personal namespace too. One keyset-paginated list of
// projects (offset pages lose their totals past 10,000 rows) and the list of groups for their
// names. The provider's id of a project is GitLab's numeric id, which survives renames and moves.
import type { DiscoveredGroup, RepositoryDraft } from '../provider.ts';
import { parseExpiry } from './connection.ts';
import { describeGitLabError, malformed } from './errors.ts';
import type { GitLabSession } from './session.ts';

interface NamespaceJson {
	id: number;
	kind: string;
	full_path: string;
	web_url?: string;
}

interface ProjectJson {
	id: number;
	path_with_namespace: string;
	http_url_to_repo: string;
	archived?: boolean;
	forked_from_project?: unknown;
	namespace: NamespaceJson;
}

interface GroupJson {
	id: number;
	full_path: string;
	web_url?: string;
}

const isNamespace = (value: unknown): value is NamespaceJson =>
	typeof value === 'object' && value !== null && typeof (value as NamespaceJson).id === 'number' && typeof (value as NamespaceJson).full_path === 'string';

const isProject = (value: unknown): value is ProjectJson =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as ProjectJson).id === 'number' &&
	typeof (value as ProjectJson).path_with_namespace === 'string' &&
	typeof (value as ProjectJson).http_url_to_repo === 'string' &&
	isNamespace((value as ProjectJson).namespace);

const isGroup = (value: unknown): value is GroupJson =>
	typeof value === 'object' && value !== null && typeof (value as GroupJson).id === 'number' && typeof (value as GroupJson).full_path === 'string';

export async function discoverGroups(
	session: GitLabSession,
	heartbeat: () => void = () => {},
	onExpiry: (expiresAt: Date | null) => Promise<void> = async () => {}
): Promise<DiscoveredGroup[]> {
	try {
		return await discover(session, heartbeat, onExpiry);
	} catch (error) {
		throw describeGitLabError(error, session.errors);
	}
}

async function discover(session: GitLabSession, heartbeat: () => void, onExpiry: (expiresAt: Date | null) => Promise<void>): Promise<DiscoveredGroup[]> {
	const { api } = session.client;
	// Every update asks about the token: a revoked one fails here at once, and its expiry stays current.
	const token: unknown = await api.PersonalAccessTokens.show();
	if (typeof token !== 'object' || token === null) throw malformed(session.errors, 'the token (GET /personal_access_tokens/self)');
	await onExpiry(parseExpiry((token as { expires_at?: unknown }).expires_at));
	heartbeat();

	const groups: unknown = await api.Groups.all({ minAccessLevel: 10, perPage: 100 });
	if (!Array.isArray(groups)) throw malformed(session.errors, 'the groups (GET /groups)');
	heartbeat();
	const groupById = new Map<number, GroupJson>();
	for (const group of groups) {
		if (!isGroup(group)) throw malformed(session.errors, 'the groups (GET /groups)');
		groupById.set(group.id, group);
	}

	const projects: unknown = await api.Projects.all({ membership: true, pagination: 'keyset', orderBy: 'id', sort: 'asc', perPage: 100 });
	if (!Array.isArray(projects)) throw malformed(session.errors, 'the projects (GET /projects)');
	heartbeat();
	const byNamespace = new Map<number, DiscoveredGroup>();
	for (const project of projects) {
		if (!isProject(project)) throw malformed(session.errors, 'the projects (GET /projects)');
		if (new URL(project.http_url_to_repo).origin !== session.cloneOrigin) {
			throw malformed(session.errors, `${project.path_with_namespace} (its clone URL is on another server, ${new URL(project.http_url_to_repo).host})`);
		}
		const namespace = project.namespace;
		let group = byNamespace.get(namespace.id);
		if (!group) {
			const known = groupById.get(namespace.id);
			group = { providerId: String(namespace.id), name: namespace.full_path, url: known?.web_url ?? namespace.web_url ?? `${session.host}/${namespace.full_path}`, repositories: [] };
			byNamespace.set(namespace.id, group);
		}
		const repository: RepositoryDraft = {
			providerId: String(project.id),
			url: project.http_url_to_repo,
			display: project.path_with_namespace,
			name: project.path_with_namespace,
			groupProviderId: group.providerId,
			archived: project.archived === true,
			fork: Boolean(project.forked_from_project)
		};
		group.repositories.push(repository);
	}
	// Groups the user belongs to that hold no project of theirs yet are listed too, empty: their
	// toggles can be set before the first project arrives.
	for (const group of groupById.values()) {
		if (!byNamespace.has(group.id)) byNamespace.set(group.id, { providerId: String(group.id), name: group.full_path, url: group.web_url ?? `${session.host}/${group.full_path}`, repositories: [] });
	}
	return [...byNamespace.values()].sort((a, b) => a.name.localeCompare(b.name));
}
