// Groups: `/groups` (the caller's groups and their subgroups; `all_available`, `top_level_only`,
// `min_access_level`, `search`, ordering), `/groups/:id` (numeric id or URL-encoded full path) and
// `/groups/:id/projects` (`include_subgroups`, `with_shared`, `archived`, either pagination).
import { API_SCOPES, booleanParam, hostOf, integerParam, notFound, oneOf, time, type GitLabRequest, type GitLabRoute } from './http.ts';
import { offsetPageOf } from './pagination.ts';
import { listProjects } from './projects.ts';
import { ACCESS, type GitLabModel, type Group } from './model.ts';
import type { GitLabAuth } from './auth.ts';
import type { Group as GroupJson, GroupDetail } from './types.ts';

type Host = string;

function groupJson(host: Host, group: Group): GroupJson {
	return {
		id: group.id,
		web_url: `${host}/groups/${group.fullPath}`,
		name: group.name,
		path: group.path,
		description: group.parent ? `Shared services of ${group.org.name}.` : group.org.description,
		visibility: group.visibility,
		share_with_group_lock: false,
		require_two_factor_authentication: false,
		two_factor_grace_period: 48,
		project_creation_level: 'developer',
		auto_devops_enabled: false,
		subgroup_creation_level: 'maintainer',
		emails_enabled: true,
		mentions_disabled: false,
		lfs_enabled: true,
		default_branch: null,
		default_branch_protection: 2,
		avatar_url: null,
		request_access_enabled: true,
		full_name: group.fullName,
		full_path: group.fullPath,
		created_at: time(group.created),
		parent_id: group.parent?.id ?? null,
		organization_id: 1
	};
}

function groupDetail(host: Host, group: Group): GroupDetail {
	return { ...groupJson(host, group), shared_with_groups: [], prevent_sharing_groups_outside_hierarchy: false };
}

/** The group named by `:group`, if the caller may see it. */
function groupOf(req: GitLabRequest, model: GitLabModel, auth: GitLabAuth): Group {
	const group = model.group(req.params.group ?? '');
	if (!group || !auth.canSeeGroup(req.token, group)) throw notFound('Group');
	return group;
}

export function groupRoutes(model: GitLabModel, auth: GitLabAuth): GitLabRoute[] {
	return [
		{
			path: '/groups',
			kind: 'groups.list',
			scopes: API_SCOPES,
			handle: (req) => {
				// Authenticated callers get the groups they belong to (subgroups inherit membership);
				// `all_available` adds the public ones, as anonymous callers always get.
				const allAvailable = booleanParam(req.query, 'all_available') ?? !req.token;
				const topLevelOnly = booleanParam(req.query, 'top_level_only') ?? false;
				const minAccess = integerParam(req.query, 'min_access_level');
				const search = req.query.get('search')?.toLowerCase();
				const order = oneOf(req.query, 'order_by', ['name', 'path', 'id'], 'name');
				const sort = oneOf(req.query, 'sort', ['asc', 'desc'], 'asc');
				const groups = model.groups.filter((group) => {
					const access = auth.groupAccess(req.token, group);
					const listed = minAccess !== undefined ? access >= Math.max(minAccess, ACCESS.guest) : access > ACCESS.none || (allAvailable && group.visibility === 'public');
					return listed && (!topLevelOnly || group.parent === null) && (!search || group.name.toLowerCase().includes(search) || group.path.toLowerCase().includes(search));
				});
				const key = (group: Group) => (order === 'id' ? group.id : order === 'path' ? group.fullPath : group.fullName.toLowerCase());
				groups.sort((a, b) => {
					const [x, y] = [key(a), key(b)];
					return (x < y ? -1 : x > y ? 1 : a.id - b.id) * (sort === 'asc' ? 1 : -1);
				});
				const { items, headers } = offsetPageOf(req, groups);
				return { body: items.map((group) => groupJson(hostOf(req), group)), headers };
			}
		},
		{
			path: '/groups/:group',
			kind: 'groups.get',
			scopes: API_SCOPES,
			handle: (req) => ({ body: groupDetail(hostOf(req), groupOf(req, model, auth)) })
		},
		{
			path: '/groups/:group/projects',
			kind: 'groups.projects',
			scopes: API_SCOPES,
			handle: (req) => {
				const group = groupOf(req, model, auth);
				// Checked as GitLab checks it, though it changes nothing: the simulated groups share no projects.
				booleanParam(req.query, 'with_shared');
				const withSubgroups = booleanParam(req.query, 'include_subgroups') ?? false;
				return listProjects(req, auth, model.projectsIn(group, withSubgroups));
			}
		}
	];
}
