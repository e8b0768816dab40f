// The GitLab view of the World (github/data.ts): each organisation a top-level group with one
// subgroup `<org>/platform`, each repository a project (the same bare git repository), each
// World user a GitLab user, and the personal namespace of `sim-user`. Pull requests stay in the
// World's pull stores; merge-requests.ts and notes.ts read them as GitLab shows them.
import { hash } from '../github/hash.ts';
import type { Org, Repo, World } from '../github/data.ts';

export type Visibility = 'public' | 'private';

export interface GitLabUser {
	id: number;
	username: string;
	name: string;
	/** The World user's index; null for the ghost and for bots. */
	index: number | null;
	bot: boolean;
	created: number;
}

export interface Group {
	id: number;
	org: Org;
	path: string;
	fullPath: string;
	name: string;
	fullName: string;
	parent: Group | null;
	visibility: Visibility;
	created: number;
}

export type Namespace = { kind: 'group'; group: Group } | { kind: 'user'; id: number; user: GitLabUser };

export interface Project {
	id: number;
	repo: Repo;
	path: string;
	pathWithNamespace: string;
	nameWithNamespace: string;
	namespace: Namespace;
	visibility: Visibility;
	forkedFrom: Project | null;
	/** `sim-user` made every project. */
	creator: GitLabUser;
}

/** Access levels as GitLab numbers them. */
export const ACCESS = { none: 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

/** The subgroup of each organisation: its third and later repositories live there. */
export const SUBGROUP_PATH = 'platform';

/** GitLab's ghost user: the author of what a deleted account wrote. */
const GHOST: GitLabUser = { id: 2, username: 'ghost', name: 'Ghost User', index: null, bot: false, created: Date.UTC(2019, 3, 1) };

/** GitLab usernames are letters, digits, `_`, `-` and `.`: `dependabot[bot]` becomes `dependabot-bot`. */
function username(login: string): string {
	return login.replace(/\[bot\]$/, '-bot').replace(/[^A-Za-z0-9_.-]/g, '-');
}

export class GitLabModel {
	readonly world: World;
	readonly users: GitLabUser[];
	readonly groups: Group[];
	readonly projects: Project[];
	/** The bot user of the project access token on the first organisation's first project. */
	readonly projectBot: { user: GitLabUser; project: Project };
	readonly #byRepo = new Map<number, Project>();

	constructor(world: World) {
		this.world = world;
		this.users = world.users.map((user) => ({ id: user.id, username: username(user.login), name: user.name, index: user.index, bot: user.type === 'Bot', created: user.created }));
		this.groups = [];
		for (const org of world.orgs) {
			const top: Group = { id: org.id, org, path: org.login, fullPath: org.login, name: org.name, fullName: org.name, parent: null, visibility: 'public', created: org.created };
			const sub: Group = {
				id: org.id + 20_000,
				org,
				path: SUBGROUP_PATH,
				fullPath: `${org.login}/${SUBGROUP_PATH}`,
				name: 'Platform',
				fullName: `${org.name} / Platform`,
				parent: top,
				// It holds only private repositories, and GitLab lets no project be more visible than its group.
				visibility: 'private',
				created: org.created + 86_400_000
			};
			this.groups.push(top, sub);
		}
		this.projects = world.repos.map((repo) => {
			let namespace: Namespace;
			if (repo.owner.type === 'Organization') {
				const org = repo.owner.org;
				const inSubgroup = world.reposOf(org.login).indexOf(repo) >= 2;
				namespace = { kind: 'group', group: this.groups.find((g) => g.org.id === org.id && (g.parent !== null) === inSubgroup)! };
			} else {
				const ownerId = repo.owner.user.id;
				namespace = { kind: 'user', id: 70_000 + ownerId, user: this.users.find((user) => user.id === ownerId)! };
			}
			const base = namespace.kind === 'group' ? namespace.group : { fullPath: namespace.user.username, fullName: namespace.user.name };
			const project: Project = {
				id: repo.id,
				repo,
				path: repo.name,
				pathWithNamespace: `${base.fullPath}/${repo.name}`,
				nameWithNamespace: `${base.fullName} / ${repo.name}`,
				namespace,
				visibility: repo.private ? 'private' : 'public',
				forkedFrom: null,
				creator: this.users[0]!
			};
			this.#byRepo.set(repo.id, project);
			return project;
		});
		// The viewer's fork `web` comes from the first organisation's `web`.
		const firstOrg = world.orgs[0];
		for (const project of this.projects) {
			if (project.repo.fork && firstOrg) project.forkedFrom = this.projectOfRepo(world.repo(firstOrg.login, project.repo.name)) ?? null;
		}
		const botProject = this.projects[0]!;
		const hex = [1, 2, 3, 4].map((k) => hash(world.options.seed, botProject.id, k).toString(16).padStart(8, '0')).join('');
		this.projectBot = {
			project: botProject,
			user: { id: 5_000_000 + botProject.id, username: `project_${botProject.id}_bot_${hex}`, name: 'tributary-reader', index: null, bot: true, created: Date.UTC(2025, 0, 6) }
		};
	}

	get viewer(): GitLabUser {
		return this.users[0]!;
	}

	/** A World user (by index, null for a deleted account) as GitLab shows them. */
	author(index: number | null): GitLabUser {
		return index === null ? GHOST : (this.users[index] ?? GHOST);
	}

	user(id: number): GitLabUser | undefined {
		return [...this.users, this.projectBot.user].find((user) => user.id === id);
	}

	/** `:id` of a user route: the numeric id or the username. */
	userByRef(ref: string): GitLabUser | undefined {
		if (/^\d+$/.test(ref)) return this.user(Number(ref));
		return [...this.users, this.projectBot.user].find((user) => user.username.toLowerCase() === ref.toLowerCase());
	}

	/** `:id` of a project route: the numeric id or the full path (GitLab matches paths without regard to case). */
	project(ref: string): Project | undefined {
		if (/^\d+$/.test(ref)) return this.projects.find((project) => project.id === Number(ref));
		return this.projects.find((project) => project.pathWithNamespace.toLowerCase() === ref.toLowerCase());
	}

	/** `:id` of a group route: the numeric id or the full path. */
	group(ref: string): Group | undefined {
		if (/^\d+$/.test(ref)) return this.groups.find((group) => group.id === Number(ref));
		return this.groups.find((group) => group.fullPath.toLowerCase() === ref.toLowerCase());
	}

	projectOfRepo(repo: Repo | undefined): Project | undefined {
		return repo && this.#byRepo.get(repo.id);
	}

	/** The group and its descendants. */
	descendants(group: Group): Group[] {
		return [group, ...this.groups.filter((g) => g.parent?.id === group.id).flatMap((g) => this.descendants(g))];
	}

	/** Projects directly in the group, or (`withSubgroups`) in it and its subgroups. */
	projectsIn(group: Group, withSubgroups: boolean): Project[] {
		const ids = new Set((withSubgroups ? this.descendants(group) : [group]).map((g) => g.id));
		return this.projects.filter((project) => project.namespace.kind === 'group' && ids.has(project.namespace.group.id));
	}

	/** Projects of a user's personal namespace. */
	projectsOf(user: GitLabUser): Project[] {
		return this.projects.filter((project) => project.namespace.kind === 'user' && project.namespace.user.id === user.id);
	}

	/**
	 * `sim-user`'s role in a group: owner of the first organisation, developer of the others;
	 * subgroups inherit it. Nobody else is a member of anything.
	 */
	viewerAccess(group: Group): number {
		return group.org.index === 0 ? ACCESS.owner : ACCESS.developer;
	}
}
