// The Bitbucket Cloud view of the World (github/data.ts): each organisation a workspace with two
// projects (`<LOGIN>` for its first two repositories, `PLAT` for the rest), `sim-user`'s own
// repositories in the workspace `sim-user`, every World user an Atlassian account. Pull requests
// stay in the World's pull stores. The credentials (API tokens, an app password) live here too.
import { tokenText } from '../github/hash.ts';
import { braceUuid } from '../shared/bitbucket.ts';
import type { Org, Repo, World } from '../github/data.ts';
import type { Bucket } from '../shared/rate-limits.ts';

export const CLOUD_PREFIX = '/bitbucket-cloud';
export const CLOUD_API_PREFIX = `${CLOUD_PREFIX}/2.0`;

export interface CloudAccount {
	/** The World user's index; null for a deleted account. */
	index: number | null;
	uuid: string;
	accountId: string;
	nickname: string;
	displayName: string;
	created: number;
}

export interface CloudProject {
	key: string;
	name: string;
	uuid: string;
	workspace: Workspace;
	created: number;
}

export interface Workspace {
	slug: string;
	name: string;
	uuid: string;
	/** Null for `sim-user`'s personal workspace. */
	org: Org | null;
	created: number;
	projects: CloudProject[];
	/** `sim-user`'s role: owner of its own workspace, admin of the first organisation's, a contributor in the others. */
	role: 'owner' | 'admin' | 'contributor';
}

export interface CloudRepo {
	repo: Repo;
	workspace: Workspace;
	project: CloudProject;
	slug: string;
	uuid: string;
	parent: CloudRepo | null;
}

export type CloudScope = 'read:user:bitbucket' | 'read:workspace:bitbucket' | 'read:project:bitbucket' | 'read:repository:bitbucket' | 'read:pullrequest:bitbucket';
export const ALL_SCOPES: CloudScope[] = ['read:user:bitbucket', 'read:workspace:bitbucket', 'read:project:bitbucket', 'read:repository:bitbucket', 'read:pullrequest:bitbucket'];
/** The legacy scopes an app password has, and the API token scope each stands for. */
const APP_PASSWORD_SCOPES: Record<string, CloudScope> = {
	account: 'read:user:bitbucket',
	team: 'read:workspace:bitbucket',
	project: 'read:project:bitbucket',
	repository: 'read:repository:bitbucket',
	pullrequest: 'read:pullrequest:bitbucket'
};

export interface CloudCredential {
	kind: 'api-token' | 'app-password';
	secret: string;
	/** What the credential was granted, in its own words (legacy names for an app password). */
	granted: string[];
	scopes: CloudScope[];
	revoked: boolean;
}

export interface CloudCredentials {
	apiTokens: { full: string; noPullRequests: string; userOnly: string; revoked: string };
	appPassword: string;
}

/** The username git accepts an API token with (besides the account's username). */
export const API_TOKEN_GIT_USERNAME = 'x-bitbucket-api-token-auth';

const FORMER_USER: CloudAccount = { index: null, uuid: '{00000000-0000-4000-8000-000000000000}', accountId: 'unidentified', nickname: 'Former user', displayName: 'Former user', created: 0 };

export class CloudModel {
	readonly world: World;
	readonly accounts: CloudAccount[];
	readonly workspaces: Workspace[];
	readonly repos: CloudRepo[];
	readonly credentials: CloudCredentials;
	readonly #credentials = new Map<string, CloudCredential>();

	constructor(world: World) {
		this.world = world;
		const seed = world.options.seed;
		this.accounts = world.users.map((user) => ({
			index: user.index,
			uuid: braceUuid(seed, 0xbb1, user.id),
			accountId: `5f${hashHex(seed, user.id)}`,
			nickname: user.login.replace(/\[bot\]$/, '-bot'),
			displayName: user.name,
			created: user.created
		}));
		this.workspaces = [];
		for (const org of world.orgs) {
			const workspace: Workspace = { slug: org.login, name: org.name, uuid: braceUuid(seed, 0xbb2, org.id), org, created: org.created, projects: [], role: org.index === 0 ? 'admin' : 'contributor' };
			workspace.projects.push(
				{ key: projectKey(org.login), name: org.name, uuid: braceUuid(seed, 0xbb3, org.id), workspace, created: org.created },
				{ key: 'PLAT', name: 'Platform', uuid: braceUuid(seed, 0xbb4, org.id), workspace, created: org.created + 86_400_000 }
			);
			this.workspaces.push(workspace);
		}
		const viewer = world.viewer;
		const personal: Workspace = { slug: viewer.login, name: viewer.name, uuid: braceUuid(seed, 0xbb2, viewer.id), org: null, created: viewer.created, projects: [], role: 'owner' };
		personal.projects.push({ key: projectKey(viewer.login), name: viewer.name, uuid: braceUuid(seed, 0xbb3, viewer.id), workspace: personal, created: viewer.created });
		this.workspaces.push(personal);
		this.repos = world.repos.map((repo) => {
			const workspace = repo.owner.type === 'Organization' ? this.workspaces.find((w) => w.org?.id === (repo.owner.type === 'Organization' ? repo.owner.org.id : -1))! : personal;
			const inPlatform = workspace.org !== null && world.reposOf(workspace.slug).indexOf(repo) >= 2;
			return { repo, workspace, project: workspace.projects[inPlatform ? 1 : 0]!, slug: repo.name, uuid: braceUuid(seed, 0xbb5, repo.id), parent: null };
		});
		const firstOrg = world.orgs[0];
		for (const cloudRepo of this.repos) {
			if (cloudRepo.repo.fork && firstOrg) cloudRepo.parent = this.repository(firstOrg.login, cloudRepo.repo.name) ?? null;
		}

		const text = (label: number) => `ATATT3xFfGF0${tokenText(seed, 0xbc00 + label, 40)}`;
		this.credentials = {
			apiTokens: { full: text(1), noPullRequests: text(2), userOnly: text(3), revoked: text(4) },
			appPassword: `ATBB${tokenText(seed, 0xbc10, 28)}`
		};
		const add = (kind: CloudCredential['kind'], secret: string, granted: string[], revoked = false) =>
			this.#credentials.set(secret, { kind, secret, granted, scopes: kind === 'app-password' ? granted.map((g) => APP_PASSWORD_SCOPES[g]!).filter(Boolean) : (granted as CloudScope[]), revoked });
		add('api-token', this.credentials.apiTokens.full, ALL_SCOPES);
		add('api-token', this.credentials.apiTokens.noPullRequests, ALL_SCOPES.filter((s) => s !== 'read:pullrequest:bitbucket'));
		add('api-token', this.credentials.apiTokens.userOnly, ['read:user:bitbucket']);
		add('api-token', this.credentials.apiTokens.revoked, ALL_SCOPES, true);
		add('app-password', this.credentials.appPassword, ['account', 'repository', 'pullrequest', 'project', 'team']);
	}

	get viewer(): CloudAccount {
		return this.accounts[0]!;
	}

	get email(): string {
		return this.world.viewer.email;
	}

	account(index: number | null): CloudAccount {
		return index === null ? FORMER_USER : (this.accounts[index] ?? FORMER_USER);
	}

	accountByName(name: string): CloudAccount | undefined {
		return this.accounts.find((a) => a.nickname.toLowerCase() === name.toLowerCase() || a.uuid === name || a.accountId === name);
	}

	workspace(slug: string): Workspace | undefined {
		return this.workspaces.find((w) => w.slug.toLowerCase() === slug.toLowerCase() || w.uuid === slug);
	}

	repository(workspace: string, slug: string): CloudRepo | undefined {
		return this.repos.find((r) => (r.workspace.slug.toLowerCase() === workspace.toLowerCase() || r.workspace.uuid === workspace) && (r.slug.toLowerCase() === slug.toLowerCase() || r.uuid === slug));
	}

	reposIn(workspace: Workspace): CloudRepo[] {
		return this.repos.filter((r) => r.workspace === workspace);
	}

	/** The credential record whatever its state. */
	find(secret: string): CloudCredential | undefined {
		return this.#credentials.get(secret);
	}

	revoke(secret: string): boolean {
		const credential = this.#credentials.get(secret);
		if (credential) credential.revoked = true;
		return credential !== undefined;
	}

	/**
	 * HTTP Basic as Bitbucket Cloud takes it: an API token with the account's email (the API) or with
	 * `x-bitbucket-api-token-auth` or the username (git); an app password with the username.
	 */
	check(username: string, password: string, forGit: boolean): CloudCredential | null {
		const credential = this.#credentials.get(password);
		if (!credential || credential.revoked) return null;
		const name = username.toLowerCase();
		const nickname = this.viewer.nickname.toLowerCase();
		if (credential.kind === 'app-password') return name === nickname || name === this.email ? credential : null;
		if (forGit) return name === API_TOKEN_GIT_USERNAME || name === nickname ? credential : null;
		return name === this.email ? credential : null;
	}

	/** Bitbucket Cloud counts `/repositories/*` per user and hour; each credential has its own budget here. */
	static bucket(credential: CloudCredential): Bucket {
		return { key: `bitbucket-cloud:${credential.secret}`, defaultLimit: 1000, windowSeconds: 3600 };
	}
}

function hashHex(seed: number, id: number): string {
	return tokenText(seed, 0xbb6 + id, 22).toLowerCase().replace(/[^0-9a-f]/g, (c) => (c.charCodeAt(0) % 16).toString(16));
}

/** A project key: letters, digits and underscores, upper case. */
export function projectKey(login: string): string {
	return login.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}
