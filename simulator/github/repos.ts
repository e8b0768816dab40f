// Repositories: `/repos/{owner}/{repo}`, `/orgs/{org}/repos`, `/user/repos`, and the access
// check every repository route starts with (404 when the caller may not know it exists).
import { nodeId } from './hash.ts';
import { ApiError, iso, notFound, roots, type ApiRequest, type Route } from './http.ts';
import { pageOf } from './pagination.ts';
import { orgAsUser, simpleUser } from './users.ts';
import type { Auth } from './auth.ts';
import type { Permissions, Repo, World } from './data.ts';
import type { FullRepository, Repository } from './types.ts';

type Roots = ReturnType<typeof roots>;

export function ownerJson(r: Roots, repo: Repo) {
	return repo.owner.type === 'Organization' ? orgAsUser(r, repo.owner.org) : simpleUser(r, repo.owner.user);
}

/** The full repository object; lists show the same fields GitHub lists do (no counts of the network). */
export function repoJson(r: Roots, repo: Repo, openIssues: number): FullRepository & Repository {
	const api = `${r.api}/repos/${repo.fullName}`;
	const host = new URL(r.web).host;
	return {
		id: repo.id,
		node_id: nodeId('Repository', repo.id),
		name: repo.name,
		full_name: repo.fullName,
		owner: ownerJson(r, repo),
		private: repo.private,
		html_url: `${r.web}/${repo.fullName}`,
		description: repo.description,
		fork: repo.fork,
		url: api,
		archive_url: `${api}/{archive_format}{/ref}`,
		assignees_url: `${api}/assignees{/user}`,
		blobs_url: `${api}/git/blobs{/sha}`,
		branches_url: `${api}/branches{/branch}`,
		collaborators_url: `${api}/collaborators{/collaborator}`,
		comments_url: `${api}/comments{/number}`,
		commits_url: `${api}/commits{/sha}`,
		compare_url: `${api}/compare/{base}...{head}`,
		contents_url: `${api}/contents/{+path}`,
		contributors_url: `${api}/contributors`,
		deployments_url: `${api}/deployments`,
		downloads_url: `${api}/downloads`,
		events_url: `${api}/events`,
		forks_url: `${api}/forks`,
		git_commits_url: `${api}/git/commits{/sha}`,
		git_refs_url: `${api}/git/refs{/sha}`,
		git_tags_url: `${api}/git/tags{/sha}`,
		git_url: `git://${host}/${repo.fullName}.git`,
		issue_comment_url: `${api}/issues/comments{/number}`,
		issue_events_url: `${api}/issues/events{/number}`,
		issues_url: `${api}/issues{/number}`,
		keys_url: `${api}/keys{/key_id}`,
		labels_url: `${api}/labels{/name}`,
		languages_url: `${api}/languages`,
		merges_url: `${api}/merges`,
		milestones_url: `${api}/milestones{/number}`,
		notifications_url: `${api}/notifications{?since,all,participating}`,
		pulls_url: `${api}/pulls{/number}`,
		releases_url: `${api}/releases{/id}`,
		ssh_url: `git@${new URL(r.web).hostname}:${repo.fullName}.git`,
		stargazers_url: `${api}/stargazers`,
		statuses_url: `${api}/statuses/{sha}`,
		subscribers_url: `${api}/subscribers`,
		subscription_url: `${api}/subscription`,
		tags_url: `${api}/tags`,
		teams_url: `${api}/teams`,
		trees_url: `${api}/git/trees{/sha}`,
		clone_url: `${r.web}/${repo.fullName}.git`,
		mirror_url: null,
		hooks_url: `${api}/hooks`,
		svn_url: `${r.web}/${repo.fullName}`,
		homepage: null,
		language: repo.language,
		forks_count: repo.fork ? 0 : 1,
		stargazers_count: 7,
		watchers_count: 7,
		size: Math.max(1, Math.round(repo.commits / 10)),
		default_branch: 'main',
		open_issues_count: openIssues,
		is_template: false,
		topics: repo.topics,
		has_issues: true,
		has_projects: true,
		has_wiki: false,
		has_pages: false,
		has_downloads: true,
		has_discussions: false,
		archived: repo.archived,
		disabled: false,
		visibility: repo.private ? 'private' : 'public',
		pushed_at: iso(repo.pushed),
		created_at: iso(repo.created),
		updated_at: iso(repo.pushed),
		permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
		allow_forking: true,
		web_commit_signoff_required: false,
		subscribers_count: 3,
		network_count: 1,
		license: null,
		forks: repo.fork ? 0 : 1,
		open_issues: openIssues,
		watchers: 7
	};
}

/** The list form: GitHub leaves out the network and subscriber counts. */
function repoListItem(r: Roots, repo: Repo, openIssues: number) {
	const { subscribers_count: _s, network_count: _n, ...item } = repoJson(r, repo, openIssues);
	return item;
}

/** The repository named in the path, if the caller may see it (and has `need`), else GitHub's answer. */
export function accessibleRepo(req: ApiRequest, world: World, auth: Auth, need?: keyof Permissions): Repo {
	const repo = world.repo(req.params.owner ?? '', req.params.repo ?? '');
	if (!repo) throw notFound();
	const permissions = auth.access(req.principal, repo);
	if (!permissions) throw notFound();
	if (need && !permissions[need]) {
		const who = req.principal?.kind === 'installation' ? 'integration' : 'personal access token';
		throw new ApiError(403, `Resource not accessible by ${who}`);
	}
	return repo;
}

async function listJson(req: ApiRequest, world: World, repos: Repo[]) {
	const { items, headers } = pageOf(req, repos);
	const body = await Promise.all(items.map(async (repo) => repoListItem(roots(req), repo, (await world.pulls(repo)).counts().open)));
	return { status: 200, body, headers };
}

function sortRepos(req: ApiRequest, repos: Repo[], defaultSort: string): Repo[] {
	const sort = req.query.get('sort') ?? defaultSort;
	const direction = req.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
	const key = (repo: Repo) => (sort === 'full_name' ? repo.fullName.toLowerCase() : sort === 'created' ? repo.created : repo.pushed);
	const sorted = [...repos].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
	return direction === 'desc' ? sorted.reverse() : sorted;
}

export function repoRoutes(world: World, auth: Auth): Route[] {
	return [
		{
			method: 'GET',
			path: '/repos/:owner/:repo',
			kind: 'repos.get',
			auth: 'any',
			acceptedScopes: 'repo',
			handle: async (req) => {
				const repo = accessibleRepo(req, world, auth, 'metadata');
				return { status: 200, body: repoJson(roots(req), repo, (await world.pulls(repo)).counts().open) };
			}
		},
		{
			method: 'GET',
			path: '/orgs/:org/repos',
			kind: 'orgs.repos',
			auth: 'any',
			acceptedScopes: 'repo',
			handle: (req) => {
				const org = world.org(req.params.org ?? '');
				if (!org) throw notFound();
				const type = req.query.get('type') ?? 'all';
				const repos = world
					.reposOf(org.login)
					.filter((repo) => auth.access(req.principal, repo))
					.filter((repo) => (type === 'public' ? !repo.private : type === 'private' ? repo.private : type === 'forks' ? repo.fork : type === 'sources' ? !repo.fork : true));
				return listJson(req, world, sortRepos(req, repos, 'created'));
			}
		},
		{
			method: 'GET',
			path: '/user/repos',
			kind: 'user.repos',
			auth: 'user',
			acceptedScopes: 'repo',
			handle: (req) => {
				if (req.principal?.kind !== 'personal') throw new ApiError(403, 'Resource not accessible by integration');
				const viewer = world.users[req.principal.token.userIndex]!;
				const visibility = req.query.get('visibility') ?? 'all';
				const affiliation = (req.query.get('affiliation') ?? 'owner,collaborator,organization_member').split(',');
				const repos = world.repos
					.filter((repo) => auth.access(req.principal, repo))
					.filter((repo) => {
						const own = repo.owner.type === 'User' && repo.owner.user.id === viewer.id;
						return (own && affiliation.includes('owner')) || (!own && affiliation.includes('organization_member'));
					})
					.filter((repo) => (visibility === 'public' ? !repo.private : visibility === 'private' ? repo.private : true));
				return listJson(req, world, sortRepos(req, repos, 'full_name'));
			}
		}
	];
}
