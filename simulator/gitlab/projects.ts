// Projects: `/projects/:id` (numeric id or URL-encoded full path), `/projects`,
// `/users/:id/projects`, and the project list every list of projects shares (filters, offset or
// keyset pagination). A project the caller may not see does not exist for them.
import { ACCESS, type GitLabModel, type Namespace, type Project } from './model.ts';
import { API_SCOPES, booleanParam, hostOf, notFound, oneOf, time, type GitLabRequest, type GitLabResponse, type GitLabRoute } from './http.ts';
import { idBounds, keysetPageOf, offsetPageOf, wantsKeyset } from './pagination.ts';
import type { GitLabAuth } from './auth.ts';
import type { NamespaceJson, Project as ProjectJson } from './types.ts';

type Host = string;

function namespaceJson(host: Host, namespace: Namespace): NamespaceJson {
	if (namespace.kind === 'user') {
		const user = namespace.user;
		return { id: namespace.id, name: user.name, path: user.username, kind: 'user', full_path: user.username, parent_id: null, avatar_url: null, web_url: `${host}/${user.username}` };
	}
	const group = namespace.group;
	return { id: group.id, name: group.name, path: group.path, kind: 'group', full_path: group.fullPath, parent_id: group.parent?.id ?? null, avatar_url: null, web_url: `${host}/groups/${group.fullPath}` };
}

/** Clone URLs follow the project's full path; they all reach the World's one bare repository. */
export function cloneUrls(host: Host, project: Project): { http: string; ssh: string } {
	return { http: `${host}/${project.pathWithNamespace}.git`, ssh: `git@${new URL(host).hostname}:${project.pathWithNamespace}.git` };
}

function projectJson(host: Host, auth: GitLabAuth, token: GitLabRequest['token'], project: Project): ProjectJson {
	const { repo, namespace } = project;
	const web = `${host}/${project.pathWithNamespace}`;
	const api = `${host}/api/v4/projects/${project.id}`;
	const clone = cloneUrls(host, project);
	const access = auth.projectAccess(token, project);
	const role = access > ACCESS.none ? { access_level: access, notification_level: 3 } : null;
	const owner = namespace.kind === 'user' ? namespace.user : null;
	return {
		id: project.id,
		description: repo.description,
		name: repo.name,
		name_with_namespace: project.nameWithNamespace,
		path: project.path,
		path_with_namespace: project.pathWithNamespace,
		created_at: time(repo.created),
		default_branch: 'main',
		tag_list: repo.topics,
		topics: repo.topics,
		ssh_url_to_repo: clone.ssh,
		http_url_to_repo: clone.http,
		web_url: web,
		readme_url: `${web}/-/blob/main/README.md`,
		forks_count: repo.fork ? 0 : 1,
		avatar_url: null,
		star_count: 7,
		last_activity_at: time(repo.pushed),
		namespace: namespaceJson(host, namespace),
		// GitLab names an owner for projects of a personal namespace only.
		...(owner ? { owner: { id: owner.id, name: owner.name, created_at: time(owner.created) } } : {}),
		...(project.forkedFrom
			? {
					forked_from_project: {
						id: project.forkedFrom.id,
						name: project.forkedFrom.repo.name,
						path: project.forkedFrom.path,
						path_with_namespace: project.forkedFrom.pathWithNamespace,
						web_url: `${host}/${project.forkedFrom.pathWithNamespace}`
					}
				}
			: {}),
		description_html: `<p data-sourcepos="1:1-1:${repo.description.length}" dir="auto">${repo.description}</p>`,
		visibility: project.visibility,
		empty_repo: false,
		archived: repo.archived,
		issues_enabled: true,
		open_issues_count: 0,
		merge_requests_enabled: true,
		jobs_enabled: true,
		wiki_enabled: false,
		snippets_enabled: false,
		can_create_merge_request_in: access >= ACCESS.developer,
		resolve_outdated_diff_discussions: false,
		container_registry_access_level: 'disabled',
		security_and_compliance_access_level: 'private',
		container_expiration_policy: {
			cadence: '1d',
			enabled: false,
			keep_n: 10,
			older_than: '90d',
			name_regex_delete: null,
			name_regex_keep: null,
			next_run_at: time(repo.created + 86_400_000)
		},
		updated_at: time(repo.pushed),
		creator_id: project.creator.id,
		import_url: null,
		import_type: null,
		import_status: 'none',
		import_error: null,
		// A role comes from the project (its owner, its bot) or from its group.
		permissions: {
			project_access: namespace.kind === 'user' || token?.project ? role : null,
			group_access: namespace.kind === 'group' && !token?.project ? role : null
		},
		shared_runners_enabled: true,
		group_runners_enabled: true,
		ci_default_git_depth: 20,
		ci_forward_deployment_enabled: true,
		ci_forward_deployment_rollback_allowed: true,
		ci_allow_fork_pipelines_to_run_in_parent_project: true,
		ci_separated_caches: true,
		ci_restrict_pipeline_cancellation_role: 'developer',
		ci_pipeline_variables_minimum_override_role: 'developer',
		public_jobs: true,
		shared_with_groups: [],
		repository_storage: 'default',
		only_allow_merge_if_pipeline_succeeds: false,
		allow_merge_on_skipped_pipeline: false,
		only_allow_merge_if_all_discussions_are_resolved: false,
		remove_source_branch_after_merge: true,
		printing_merge_requests_link_enabled: true,
		request_access_enabled: true,
		merge_method: 'merge',
		squash_option: 'default_off',
		auto_devops_enabled: false,
		auto_devops_deploy_strategy: 'continuous',
		mirror: false,
		external_authorization_classification_label: null,
		packages_enabled: false,
		service_desk_enabled: false,
		service_desk_address: null,
		autoclose_referenced_issues: true,
		suggestion_commit_message: null,
		enforce_auth_checks_on_uploads: true,
		merge_commit_template: null,
		squash_commit_template: null,
		issue_branch_template: '%{id}-%{title}',
		compliance_frameworks: [],
		warn_about_potentially_unwanted_characters: true,
		container_registry_image_prefix: `registry.${new URL(host).hostname}/${project.pathWithNamespace}`,
		_links: {
			self: api,
			issues: `${api}/issues`,
			merge_requests: `${api}/merge_requests`,
			repo_branches: `${api}/repository/branches`,
			labels: `${api}/labels`,
			events: `${api}/events`,
			members: `${api}/members`,
			cluster_agents: `${api}/cluster_agents`
		}
	};
}

/** The project named by `:project`, if the caller may see it. */
export function projectOf(req: GitLabRequest, model: GitLabModel, auth: GitLabAuth): Project {
	const project = model.project(req.params.project ?? '');
	if (!project || !auth.canSee(req.token, project)) throw notFound('Project');
	return project;
}

const ORDERS = ['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at'] as const;

function orderKey(project: Project, order: (typeof ORDERS)[number]): number | string {
	switch (order) {
		case 'id':
			return project.id;
		case 'name':
			return project.repo.name.toLowerCase();
		case 'path':
			return project.path.toLowerCase();
		case 'created_at':
			return project.repo.created;
		default:
			return project.repo.pushed;
	}
}

/** The visible ones of `candidates`, filtered (`archived`, `visibility`, `search`, id bounds), ordered and paginated. */
export function listProjects(req: GitLabRequest, auth: GitLabAuth, candidates: Project[]): GitLabResponse {
	const archived = booleanParam(req.query, 'archived');
	const visibility = req.query.get('visibility');
	const search = req.query.get('search')?.toLowerCase();
	let projects = candidates.filter(
		(project) =>
			auth.canSee(req.token, project) &&
			(archived === undefined || project.repo.archived === archived) &&
			(!visibility || project.visibility === visibility) &&
			(!search || project.repo.name.toLowerCase().includes(search) || project.pathWithNamespace.toLowerCase().includes(search))
	);
	projects = idBounds(req, projects);
	const host = hostOf(req);
	if (wantsKeyset(req)) {
		const { items, headers } = keysetPageOf(req, projects);
		return { body: items.map((project) => projectJson(host, auth, req.token, project)), headers };
	}
	const order = oneOf(req.query, 'order_by', ORDERS, 'created_at');
	const sort = oneOf(req.query, 'sort', ['asc', 'desc'], 'desc');
	const sign = sort === 'asc' ? 1 : -1;
	projects.sort((a, b) => {
		const [x, y] = [orderKey(a, order), orderKey(b, order)];
		return (x < y ? -sign : x > y ? sign : 0) || sign * (a.id - b.id);
	});
	const { items, headers } = offsetPageOf(req, projects);
	return { body: items.map((project) => projectJson(host, auth, req.token, project)), headers };
}

export function projectRoutes(model: GitLabModel, auth: GitLabAuth): GitLabRoute[] {
	return [
		{
			path: '/projects',
			kind: 'projects.list',
			scopes: API_SCOPES,
			handle: (req) => {
				const membership = booleanParam(req.query, 'membership') ?? false;
				const owned = booleanParam(req.query, 'owned') ?? false;
				const candidates = model.projects.filter(
					(project) =>
						(!membership || auth.projectAccess(req.token, project) > ACCESS.none) &&
						(!owned || (project.namespace.kind === 'user' && project.namespace.user.id === req.token?.user.id))
				);
				return listProjects(req, auth, candidates);
			}
		},
		{
			path: '/projects/:project',
			kind: 'projects.get',
			scopes: API_SCOPES,
			handle: (req) => ({ body: projectJson(hostOf(req), auth, req.token, projectOf(req, model, auth)) })
		},
		{
			path: '/users/:user/projects',
			kind: 'users.projects',
			scopes: API_SCOPES,
			handle: (req) => {
				const user = model.userByRef(req.params.user ?? '');
				if (!user) throw notFound('User');
				return listProjects(req, auth, model.projectsOf(user));
			}
		}
	];
}
