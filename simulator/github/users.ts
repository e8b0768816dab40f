// Users and organisations: `/user`, `/user/orgs`, `/orgs/{org}`.
import { nodeId } from './hash.ts';
import { ApiError, iso, notFound, roots, type ApiRequest, type Route } from './http.ts';
import { pageOf } from './pagination.ts';
import type { Org, User, World } from './data.ts';
import type { OrganizationFull, OrganizationSimple, PrivateUser, SimpleUser } from './types.ts';

type Roots = ReturnType<typeof roots>;

export function simpleUser(r: Roots, user: User): SimpleUser {
	const url = `${r.api}/users/${user.login}`;
	return {
		login: user.login,
		id: user.id,
		node_id: nodeId('User', user.id),
		avatar_url: `${r.web}/avatars/u/${user.id}?v=4`,
		gravatar_id: '',
		url,
		html_url: `${r.web}/${user.login}`,
		followers_url: `${url}/followers`,
		following_url: `${url}/following{/other_user}`,
		gists_url: `${url}/gists{/gist_id}`,
		starred_url: `${url}/starred{/owner}{/repo}`,
		subscriptions_url: `${url}/subscriptions`,
		organizations_url: `${url}/orgs`,
		repos_url: `${url}/repos`,
		events_url: `${url}/events{/privacy}`,
		received_events_url: `${url}/received_events`,
		type: user.type,
		user_view_type: 'public',
		site_admin: false
	};
}

export function nullableUser(r: Roots, user: User | null): SimpleUser | null {
	return user ? simpleUser(r, user) : null;
}

/** An organisation where GitHub shows it as an account (`owner`, `account`). */
export function orgAsUser(r: Roots, org: Org): SimpleUser {
	const url = `${r.api}/users/${org.login}`;
	return {
		...simpleUser(r, { index: -1, id: org.id, login: org.login, name: org.name, email: '', type: 'User', created: org.created }),
		node_id: nodeId('Organization', org.id),
		url,
		type: 'Organization'
	};
}

export function orgSimple(r: Roots, org: Org): OrganizationSimple {
	const url = `${r.api}/orgs/${org.login}`;
	return {
		login: org.login,
		id: org.id,
		node_id: nodeId('Organization', org.id),
		url,
		repos_url: `${url}/repos`,
		events_url: `${url}/events`,
		hooks_url: `${url}/hooks`,
		issues_url: `${url}/issues`,
		members_url: `${url}/members{/member}`,
		public_members_url: `${url}/public_members{/member}`,
		avatar_url: `${r.web}/avatars/u/${org.id}?v=4`,
		description: org.description
	};
}

function orgFull(r: Roots, org: Org, world: World): OrganizationFull {
	const repos = world.reposOf(org.login);
	return {
		...orgSimple(r, org),
		name: org.name,
		company: undefined,
		blog: `https://${org.login}.example.com`,
		location: 'Earth',
		email: undefined,
		twitter_username: null,
		is_verified: false,
		has_organization_projects: true,
		has_repository_projects: true,
		public_repos: repos.filter((repo) => !repo.private).length,
		public_gists: 0,
		followers: 0,
		following: 0,
		html_url: `${r.web}/${org.login}`,
		type: 'Organization',
		total_private_repos: repos.filter((repo) => repo.private).length,
		owned_private_repos: repos.filter((repo) => repo.private).length,
		created_at: iso(org.created),
		updated_at: iso(org.created),
		archived_at: null
	};
}

function privateUser(r: Roots, user: User, world: World): PrivateUser {
	const own = world.reposOf(user.login);
	return {
		...simpleUser(r, user),
		name: user.name,
		company: null,
		blog: '',
		location: null,
		email: user.email,
		hireable: null,
		bio: null,
		twitter_username: null,
		public_repos: own.filter((repo) => !repo.private).length,
		public_gists: 0,
		followers: 3,
		following: 1,
		created_at: iso(user.created),
		updated_at: iso(user.created),
		private_gists: 0,
		total_private_repos: own.filter((repo) => repo.private).length,
		owned_private_repos: own.filter((repo) => repo.private).length,
		disk_usage: 1024,
		collaborators: 0,
		two_factor_authentication: true,
		plan: { name: 'pro', space: 976562499, private_repos: 9999, collaborators: 0 }
	};
}

function viewerOf(req: ApiRequest, world: World): User {
	const principal = req.principal;
	if (principal?.kind !== 'personal') {
		throw new ApiError(403, 'Resource not accessible by integration', 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
	}
	return world.users[principal.token.userIndex]!;
}

export function userRoutes(world: World): Route[] {
	return [
		{
			method: 'GET',
			path: '/user',
			kind: 'user.get',
			auth: 'user',
			handle: (req) => ({ status: 200, body: privateUser(roots(req), viewerOf(req, world), world) })
		},
		{
			method: 'GET',
			path: '/user/orgs',
			kind: 'user.orgs',
			auth: 'user',
			acceptedScopes: 'admin:org, read:org, repo, user, write:org',
			handle: (req) => {
				viewerOf(req, world);
				const token = req.principal?.kind === 'personal' ? req.principal.token : null;
				// Without `read:org`, a classic token sees only public memberships: none here.
				const visible = token?.kind === 'classic' && !token.scopes?.some((s) => s === 'read:org' || s === 'repo') ? [] : world.orgs;
				const { items, headers } = pageOf(req, visible);
				return { status: 200, body: items.map((org) => orgSimple(roots(req), org)), headers };
			}
		},
		{
			method: 'GET',
			path: '/orgs/:org',
			kind: 'orgs.get',
			auth: 'any',
			handle: (req) => {
				const org = world.org(req.params.org ?? '');
				if (!org) throw notFound();
				return { status: 200, body: orgFull(roots(req), org, world) };
			}
		}
	];
}
