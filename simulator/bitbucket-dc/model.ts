// The Bitbucket Data Center view of the World (github/data.ts): a project per organisation (key
// the login upper-cased), `sim-user`'s repositories in its personal project `~SIM-USER`, every
// World user a Bitbucket user. Pull requests stay in the World's pull stores. The credentials
// (a password, personal and project HTTP access tokens) live here too.
import { tokenText } from '../github/hash.ts';
import type { Org, Repo, World } from '../github/data.ts';
import type { Bucket } from '../shared/rate-limits.ts';

export const DC_PREFIX = '/bitbucket-dc';
/** Both REST roots DC answers on. */
export const DC_API_PREFIXES = [`${DC_PREFIX}/rest/api/1.0`, `${DC_PREFIX}/rest/api/latest`];

export interface DcUser {
	/** The World user's index; null for the project token's service user and deleted accounts. */
	index: number | null;
	id: number;
	name: string;
	slug: string;
	displayName: string;
	emailAddress: string;
	active: boolean;
	type: 'NORMAL' | 'SERVICE';
}

export interface DcProject {
	id: number;
	key: string;
	name: string;
	description: string;
	type: 'NORMAL' | 'PERSONAL';
	public: boolean;
	org: Org | null;
	owner: DcUser | null;
}

export interface DcRepo {
	repo: Repo;
	project: DcProject;
	slug: string;
	origin: DcRepo | null;
}

export interface DcTokens {
	/** A personal HTTP access token of `sim-user`: REPO_READ, PROJECT_READ. */
	full: string;
	/** A project HTTP access token of the first organisation's project: sees that project only. */
	projectRead: string;
	/** As `full`, expired yesterday. */
	expired: string;
	/** As `full`, revoked. */
	revoked: string;
}

export interface DcCredential {
	secret: string;
	kind: 'password' | 'token';
	user: DcUser;
	/** A project token's project. */
	project: DcProject | null;
	expired: boolean;
	revoked: boolean;
}

export type DcAuthResult = { credential: DcCredential | null } | { error: 'unknown' | 'expired' };

const DELETED: DcUser = { index: null, id: 0, name: 'former-user', slug: 'former-user', displayName: 'Former user', emailAddress: '', active: false, type: 'NORMAL' };

export class DcModel {
	readonly world: World;
	readonly users: DcUser[];
	readonly projects: DcProject[];
	readonly repos: DcRepo[];
	readonly password: string;
	readonly tokens: DcTokens;
	readonly serviceUser: DcUser;
	readonly #credentials = new Map<string, DcCredential>();

	constructor(world: World) {
		this.world = world;
		const seed = world.options.seed;
		this.users = world.users.map((user) => {
			const name = user.login.replace(/\[bot\]$/, '-bot');
			return { index: user.index, id: user.index + 1, name, slug: name.toLowerCase(), displayName: user.name, emailAddress: user.email, active: true, type: 'NORMAL' as const };
		});
		this.projects = world.orgs.map((org) => ({ id: org.index + 1, key: org.login.toUpperCase(), name: org.name, description: org.description, type: 'NORMAL' as const, public: false, org, owner: null }));
		const viewer = this.users[0]!;
		const personal: DcProject = { id: 1000, key: `~${viewer.slug.toUpperCase()}`, name: viewer.displayName, description: '', type: 'PERSONAL', public: false, org: null, owner: viewer };
		this.projects.push(personal);
		this.repos = world.repos.map((repo) => ({
			repo,
			project: repo.owner.type === 'Organization' ? this.projects.find((p) => p.org?.id === (repo.owner.type === 'Organization' ? repo.owner.org.id : -1))! : personal,
			slug: repo.name,
			origin: null
		}));
		const firstOrg = world.orgs[0];
		for (const repo of this.repos) if (repo.repo.fork && firstOrg) repo.origin = this.repository(firstOrg.login.toUpperCase(), repo.repo.name) ?? null;

		const first = this.projects[0]!;
		this.serviceUser = { index: null, id: 5000, name: `bot-${first.key.toLowerCase()}-reader`, slug: `bot-${first.key.toLowerCase()}-reader`, displayName: 'tributary-reader', emailAddress: '', active: true, type: 'SERVICE' };
		const text = (label: number) => tokenText(seed, 0xdc00 + label, 44);
		this.password = `pw-${tokenText(seed, 0xdc10, 16)}`;
		this.tokens = { full: text(1), projectRead: text(2), expired: text(3), revoked: text(4) };
		const add = (secret: string, fields: Partial<DcCredential>) => this.#credentials.set(secret, { secret, kind: 'token', user: viewer, project: null, expired: false, revoked: false, ...fields });
		add(this.password, { kind: 'password' });
		add(this.tokens.full, {});
		add(this.tokens.projectRead, { user: this.serviceUser, project: first });
		add(this.tokens.expired, { expired: true });
		add(this.tokens.revoked, { revoked: true });
	}

	get viewer(): DcUser {
		return this.users[0]!;
	}

	user(index: number | null): DcUser {
		return index === null ? DELETED : (this.users[index] ?? DELETED);
	}

	userBySlug(slug: string): DcUser | undefined {
		return [...this.users, this.serviceUser].find((u) => u.slug === slug.toLowerCase());
	}

	project(key: string): DcProject | undefined {
		return this.projects.find((p) => p.key.toLowerCase() === key.toLowerCase());
	}

	repository(key: string, slug: string): DcRepo | undefined {
		return this.repos.find((r) => r.project.key.toLowerCase() === key.toLowerCase() && r.slug.toLowerCase() === slug.toLowerCase());
	}

	find(secret: string): DcCredential | undefined {
		return this.#credentials.get(secret);
	}

	revoke(secret: string): boolean {
		const credential = this.#credentials.get(secret);
		if (credential) credential.revoked = true;
		return credential !== undefined;
	}

	/** A password with its username, or a token (any username; Bearer has none). */
	check(username: string | null, secret: string): DcAuthResult {
		const credential = this.#credentials.get(secret);
		if (!credential || credential.revoked) return { error: 'unknown' };
		if (credential.kind === 'password' && username?.toLowerCase() !== credential.user.name.toLowerCase()) return { error: 'unknown' };
		if (credential.expired) return { error: 'expired' };
		return { credential };
	}

	canSeeProject(credential: DcCredential | null, project: DcProject): boolean {
		if (!credential) return project.public;
		if (credential.project) return credential.project.id === project.id;
		return true;
	}

	canSee(credential: DcCredential | null, repo: DcRepo): boolean {
		if (!credential) return repo.repo.private === false;
		return this.canSeeProject(credential, repo.project);
	}

	/** `sim-user` administers the first organisation's project and its own; writes in the others. */
	permission(credential: DcCredential | null, repo: DcRepo): 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN' {
		if (!credential || credential.project) return 'REPO_READ';
		return repo.project.type === 'PERSONAL' || repo.project.org?.index === 0 ? 'REPO_ADMIN' : 'REPO_WRITE';
	}

	/** Data Center's rate limit is per user: every credential of a user spends from one bucket. */
	static bucket(user: DcUser): Bucket {
		return { key: `bitbucket-dc:user:${user.slug}`, defaultLimit: 1000, windowSeconds: 10 };
	}
}
