// Discovery: the organisations the credentials see (an App: its installation's account) and the
// user's own repositories are groups; their repositories, with archived and fork flags, are what
// the integration may import. The provider's id of a repository is GitHub's numeric id, which
// survives renames and transfers.
import type { DiscoveredGroup, RepositoryDraft } from '../provider.ts';
import { parseExpiration } from './connection.ts';
import { describeGitHubError, malformed } from './errors.ts';
import type { GitHubSession } from './session.ts';

interface RepoJson {
	id: number;
	full_name: string;
	name: string;
	clone_url: string;
	archived?: boolean;
	fork?: boolean;
}

interface AccountJson {
	id: number;
	login: string;
	html_url?: string;
}

const isRepo = (value: unknown): value is RepoJson =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as RepoJson).id === 'number' &&
	typeof (value as RepoJson).full_name === 'string' &&
	typeof (value as RepoJson).clone_url === 'string';

const isAccount = (value: unknown): value is AccountJson =>
	typeof value === 'object' && value !== null && typeof (value as AccountJson).id === 'number' && typeof (value as AccountJson).login === 'string';

export async function discoverGroups(
	session: GitHubSession,
	heartbeat: () => void = () => {},
	onExpiry: (expiresAt: Date | null) => Promise<void> = async () => {}
): Promise<DiscoveredGroup[]> {
	try {
		return await discover(session, heartbeat, onExpiry);
	} catch (error) {
		throw describeGitHubError(error, session.errors);
	}
}

async function discover(session: GitHubSession, heartbeat: () => void, onExpiry: (expiresAt: Date | null) => Promise<void>): Promise<DiscoveredGroup[]> {
	const { octokit } = session.client;
	const origin = session.cloneOrigin;
	const toDrafts = (repos: unknown[], group: AccountJson): RepositoryDraft[] =>
		repos.map((repo) => {
			if (!isRepo(repo)) throw malformed(session.errors, `the repositories of ${group.login}`);
			if (new URL(repo.clone_url).origin !== origin) throw malformed(session.errors, `${repo.full_name} (its clone URL is on another server, ${new URL(repo.clone_url).host})`);
			return {
				providerId: String(repo.id),
				url: repo.clone_url,
				display: repo.full_name,
				name: repo.full_name,
				groupProviderId: String(group.id),
				archived: repo.archived === true,
				fork: repo.fork === true
			};
		});
	const group = (account: AccountJson, repositories: RepositoryDraft[]): DiscoveredGroup => ({
		providerId: String(account.id),
		name: account.login,
		url: account.html_url ?? null,
		repositories
	});
	const pages = async (route: string, parameters: Record<string, unknown>): Promise<unknown[]> => {
		const all: unknown[] = [];
		for await (const page of octokit.paginate.iterator(route, { per_page: 100, ...parameters })) {
			if (!Array.isArray(page.data)) throw malformed(session.errors, route.replace(/^GET /, ''));
			all.push(...(page.data as unknown[]));
			heartbeat();
		}
		return all;
	};

	if (session.credentials.method === 'github-app') {
		const installation = await octokit.request('GET /app/installations/{installation_id}', { installation_id: Number(session.credentials.installationId) });
		const account = (installation.data as { account?: unknown }).account;
		if (!isAccount(account)) throw malformed(session.errors, 'the installation’s account');
		return [group(account, toDrafts(await pages('GET /installation/repositories', {}), account))];
	}

	const who = await octokit.request('GET /user');
	if (!isAccount(who.data)) throw malformed(session.errors, 'who the token belongs to (GET /user)');
	const user = who.data;
	// Every update asks who the token is: its expiry stays current on the integration's page.
	await onExpiry(parseExpiration(who.headers['github-authentication-token-expiration'] as string | undefined));
	const orgs = await pages('GET /user/orgs', {});
	const groups: DiscoveredGroup[] = [];
	for (const org of orgs) {
		if (!isAccount(org)) throw malformed(session.errors, 'the organisations (GET /user/orgs)');
		const url = org.html_url ?? `${origin}/${org.login}`;
		groups.push(group({ ...org, html_url: url }, toDrafts(await pages('GET /orgs/{org}/repos', { org: org.login, type: 'all' }), org)));
	}
	const own = await pages('GET /user/repos', { affiliation: 'owner' });
	groups.push(group({ ...user, html_url: user.html_url ?? `${origin}/${user.login}` }, toDrafts(own, user)));
	return groups;
}
