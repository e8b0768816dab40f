// Discovery: the workspaces the credentials' user belongs to, each a group, with the repositories
// they may read in it. A repository's provider id is its UUID, which survives renames; its name
// is `workspace/slug`, which the API is asked with.
import type { OpenApi } from '@coderabbitai/bitbucket/cloud';
import type { DiscoveredGroup, RepositoryDraft } from '../provider.ts';
import { describeBitbucketError, malformed } from '../bitbucket/errors.ts';
import { allPages, type CloudPage } from './pages.ts';
import { withoutUser, type BitbucketCloudSession } from './session.ts';

export type CloudRepository = OpenApi.components['schemas']['repository'];
type Workspace = OpenApi.components['schemas']['workspace'];

export interface WorkspaceRef {
	slug: string;
	name: string;
	uuid: string;
	url: string | null;
}

/** The workspaces the user is a member of (GET /user/workspaces, which replaced /workspaces). */
export async function listWorkspaces(session: BitbucketCloudSession, options: { pages?: number; onPage?: () => void } = {}): Promise<WorkspaceRef[]> {
	// The field client's types predate /user/workspaces: its answer is typed here.
	const get = session.api.GET as unknown as (path: string, init: object) => Promise<{ data?: CloudPage<{ workspace?: Workspace }> }>;
	const access = await allPages((page) => get('/user/workspaces', { params: { query: { page, pagelen: 100 } } }).then((a) => a.data), options);
	return access.map(({ workspace }) => {
		if (!workspace?.slug || !workspace.uuid) throw malformed(session.errors, 'the workspaces (GET /user/workspaces)');
		return { slug: workspace.slug, name: workspace.name ?? workspace.slug, uuid: workspace.uuid, url: workspace.links?.html?.href ?? null };
	});
}

export async function discoverCloud(session: BitbucketCloudSession, heartbeat: () => void = () => {}): Promise<DiscoveredGroup[]> {
	try {
		const workspaces = await listWorkspaces(session, { onPage: heartbeat });
		const groups: DiscoveredGroup[] = [];
		for (const workspace of workspaces) {
			const repositories = await allPages(
				(page) =>
					session.api
						.GET('/repositories/{workspace}', { params: { path: { workspace: workspace.slug }, query: { page, pagelen: 100 } as never } })
						.then((answer) => answer.data as CloudPage<CloudRepository> | undefined),
				{ onPage: heartbeat }
			);
			groups.push({ providerId: workspace.uuid, name: workspace.slug, url: workspace.url, repositories: repositories.map((repository) => draftOf(session, repository, workspace)) });
		}
		return groups.sort((a, b) => a.name.localeCompare(b.name));
	} catch (error) {
		throw describeBitbucketError(error, session.errors);
	}
}

function draftOf(session: BitbucketCloudSession, repository: CloudRepository, workspace: WorkspaceRef): RepositoryDraft {
	const clone = repository.links?.clone?.find((link) => link.name === 'https')?.href;
	if (!repository.uuid || !repository.full_name || !clone) throw malformed(session.errors, `a repository of ${workspace.slug} (GET /repositories/${workspace.slug})`);
	const url = withoutUser(clone);
	// Credentials go to Bitbucket's own git server only, whatever an answer names.
	if (new URL(url).origin !== session.cloneOrigin) throw malformed(session.errors, `${repository.full_name} (its clone URL is on another server, ${new URL(url).host})`);
	return {
		providerId: repository.uuid,
		url,
		display: repository.full_name,
		name: repository.full_name,
		groupProviderId: workspace.uuid,
		archived: false,
		fork: Boolean(repository.parent)
	};
}
