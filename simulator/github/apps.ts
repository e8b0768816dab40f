// The GitHub App: `/app` and its installations with the App's JWT, installation access tokens,
// and `/installation/repositories` with such a token.
import { ApiError, iso, notFound, roots, type Route } from './http.ts';
import { pageOf } from './pagination.ts';
import { repoJson } from './repos.ts';
import { orgAsUser } from './users.ts';
import type { Auth } from './auth.ts';
import type { Installation as InstallationData, World } from './data.ts';
import type { Installation, InstallationToken, Integration } from './types.ts';

type Roots = ReturnType<typeof roots>;

function appJson(r: Roots, world: World): Integration {
	const app = world.app;
	return {
		id: app.id,
		slug: app.slug,
		node_id: Buffer.from(`App:${app.id}`).toString('base64'),
		client_id: app.clientId,
		owner: orgAsUser(r, app.owner),
		name: app.name,
		description: 'Reads pull requests for Tributary.',
		external_url: 'https://tributary.example.com',
		html_url: `${r.web}/apps/${app.slug}`,
		created_at: iso(app.created),
		updated_at: iso(app.created),
		permissions: { ...app.permissions },
		events: app.events,
		installations_count: world.installations.length
	};
}

function installationJson(r: Roots, world: World, installation: InstallationData): Installation {
	return {
		id: installation.id,
		account: orgAsUser(r, installation.org),
		repository_selection: 'all',
		access_tokens_url: `${r.api}/app/installations/${installation.id}/access_tokens`,
		repositories_url: `${r.api}/installation/repositories`,
		html_url: `${r.web}/organizations/${installation.org.login}/settings/installations/${installation.id}`,
		app_id: world.app.id,
		client_id: world.app.clientId,
		target_id: installation.org.id,
		target_type: 'Organization',
		permissions: { ...installation.permissions },
		events: world.app.events,
		created_at: iso(installation.created),
		updated_at: iso(installation.created),
		single_file_name: null,
		app_slug: world.app.slug,
		suspended_by: null,
		suspended_at: null
	};
}

export function appRoutes(world: World, auth: Auth): Route[] {
	const installationOf = (id: string | undefined) => {
		const installation = world.installation(Number(id));
		if (!installation) throw notFound();
		return installation;
	};
	return [
		{ method: 'GET', path: '/app', kind: 'apps.get', auth: 'app-jwt', handle: (req) => ({ status: 200, body: appJson(roots(req), world) }) },
		{
			method: 'GET',
			path: '/app/installations',
			kind: 'apps.installations',
			auth: 'app-jwt',
			handle: (req) => {
				const { items, headers } = pageOf(req, world.installations);
				return { status: 200, body: items.map((i) => installationJson(roots(req), world, i)), headers };
			}
		},
		{
			method: 'GET',
			path: '/app/installations/:installation_id',
			kind: 'apps.installation',
			auth: 'app-jwt',
			handle: (req) => ({ status: 200, body: installationJson(roots(req), world, installationOf(req.params.installation_id)) })
		},
		{
			method: 'POST',
			path: '/app/installations/:installation_id/access_tokens',
			kind: 'apps.access-token',
			auth: 'app-jwt',
			handle: (req) => {
				const installation = installationOf(req.params.installation_id);
				const token = auth.mintInstallationToken(installation);
				const body: InstallationToken = {
					token: token.token,
					expires_at: iso(token.expiresAt),
					permissions: { ...token.permissions },
					repository_selection: 'all'
				};
				return { status: 201, body };
			}
		},
		{
			method: 'GET',
			path: '/installation/repositories',
			kind: 'installation.repos',
			auth: 'user',
			handle: async (req) => {
				if (req.principal?.kind !== 'installation') {
					throw new ApiError(403, 'You must authenticate with an installation access token in order to list repositories for an installation.');
				}
				const org = req.principal.token.installation.org;
				const repos = world.reposOf(org.login);
				const { items, headers } = pageOf(req, repos);
				const r = roots(req);
				const repositories = await Promise.all(items.map(async (repo) => repoJson(r, repo, (await world.pulls(repo)).counts().open)));
				return { status: 200, body: { total_count: repos.length, repository_selection: 'all', repositories }, headers };
			}
		}
	];
}
