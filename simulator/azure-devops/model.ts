// The Azure DevOps view of the World (github/data.ts): each organisation an Azure DevOps
// organisation with two projects (`<Org name>` holds its first two repositories, `Platform` the
// third and later ones), each organisation repository a Git repository (the same bare git
// repository), each World user an identity. `sim-user`'s personal repositories are not shown:
// Azure DevOps has no personal namespaces. Pull requests stay in the World's pull stores;
// json.ts reads them as Azure DevOps shows them. Azure Boards work items are generated per project
// from the seed (work-items.ts): they are not the World's.
import { hash } from '../github/hash.ts';
import type { Org, Repo, User, World } from '../github/data.ts';
import { AzureBoards, DEFAULT_WORK_ITEMS } from './work-items.ts';

/** Where Azure DevOps lives on the simulator: `<origin>/azure-devops/{organization}` is an organisation URL. */
export const AZURE_PREFIX = '/azure-devops';

/** A deterministic GUID from small integers (version 4 layout). */
export function guid(...parts: number[]): string {
	const hex = [1, 2, 3, 4].map((k) => hash(...parts, k).toString(16).padStart(8, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface AzureIdentity {
	id: string;
	displayName: string;
	uniqueName: string;
	/** Graph subject descriptor (`aad.…`). */
	descriptor: string;
	/** The World user's index; null for the former-user stand-in. */
	index: number | null;
}

export interface AzureOrganization {
	org: Org;
	name: string;
	/** The organisation's (collection's) id. */
	id: string;
	projects: AzureProject[];
}

export interface AzureProject {
	id: string;
	name: string;
	description: string;
	organization: AzureOrganization;
	repositories: AzureRepository[];
	lastUpdateTime: number;
}

export interface AzureRepository {
	id: string;
	repo: Repo;
	name: string;
	project: AzureProject;
}

const KIND = { org: 0xad01, project: 0xad02, repo: 0xad03, user: 0xad04, instance: 0xad05 } as const;

/** What a deleted World account (`user: null`) wrote shows under this identity. */
const FORMER_USER_INDEX = -1;

function descriptorOf(seed: number, n: number): string {
	return `aad.${Buffer.from(guid(seed, KIND.user, n, 7)).toString('base64url').slice(0, 40)}`;
}

export class AzureModel {
	readonly world: World;
	readonly organizations: AzureOrganization[];
	readonly identities: AzureIdentity[];
	readonly formerUser: AzureIdentity;
	/** The deployment's id (`instanceId` of connectionData). */
	readonly instanceId: string;
	/** The exact votes cast through the control API, by the World review they were saved as. */
	readonly votes = new Map<number, number>();
	/** Azure Boards: every project's work items. */
	readonly boards: AzureBoards;
	readonly #byRepo = new Map<number, AzureRepository>();

	constructor(world: World, options: { workItems?: number } = {}) {
		this.world = world;
		const seed = world.options.seed;
		this.instanceId = guid(seed, KIND.instance);
		this.identities = world.users.map((user: User) => ({
			id: guid(seed, KIND.user, user.id),
			displayName: user.name,
			uniqueName: user.email || `${user.login.replace(/\[bot\]$/, '-bot')}@example.com`,
			descriptor: descriptorOf(seed, user.id),
			index: user.index
		}));
		this.formerUser = { id: guid(seed, KIND.user, 0), displayName: 'Former User', uniqueName: 'former-user@example.com', descriptor: descriptorOf(seed, 0), index: null };
		this.organizations = world.orgs.map((org) => {
			const organization: AzureOrganization = { org, name: org.login, id: guid(seed, KIND.org, org.id), projects: [] };
			const named = (name: string, k: number, description: string): AzureProject => ({
				id: guid(seed, KIND.project, org.id, k),
				name,
				description,
				organization,
				repositories: [],
				lastUpdateTime: org.created + (k + 1) * 86_400_000
			});
			// Azure DevOps project names may not end with a period.
			const main = named(org.name.replace(/\.+$/, ''), 0, `The ${org.login} organisation's main project.`);
			const platform = named('Platform', 1, `The ${org.login} platform team's project.`);
			organization.projects.push(main, platform);
			world.reposOf(org.login).forEach((repo, j) => {
				const project = j < 2 ? main : platform;
				const repository: AzureRepository = { id: guid(seed, KIND.repo, repo.id), repo, name: repo.name, project };
				project.repositories.push(repository);
				this.#byRepo.set(repo.id, repository);
			});
			return organization;
		});
		this.boards = new AzureBoards({
			seed,
			organizations: this.organizations,
			workers: this.identities.filter((identity) => world.users[identity.index!]?.type === 'User'),
			perProject: options.workItems ?? DEFAULT_WORK_ITEMS
		});
	}

	get viewer(): AzureIdentity {
		return this.identities[0]!;
	}

	/** A World user (by index, null for a deleted account) as an identity. */
	identity(index: number | null): AzureIdentity {
		return index === null || index === FORMER_USER_INDEX ? this.formerUser : (this.identities[index] ?? this.formerUser);
	}

	/** A World login, an identity's email or id, as the control API names users. */
	identityByRef(ref: string): AzureIdentity | undefined {
		const lower = ref.toLowerCase();
		const user = this.world.userByLogin(ref);
		if (user) return this.identities[user.index];
		return this.identities.find((i) => i.uniqueName.toLowerCase() === lower || i.id === lower);
	}

	organization(name: string): AzureOrganization | undefined {
		return this.organizations.find((o) => o.name.toLowerCase() === name.toLowerCase());
	}

	/** A project by id or name (Azure DevOps matches names without regard to case). */
	project(organization: AzureOrganization, ref: string): AzureProject | undefined {
		const lower = ref.toLowerCase();
		return organization.projects.find((p) => p.id === lower || p.name.toLowerCase() === lower);
	}

	/** A repository by id or name; by id it may be named without its project. */
	repository(organization: AzureOrganization, project: AzureProject | undefined, ref: string): AzureRepository | undefined {
		const lower = ref.toLowerCase();
		const candidates = project ? project.repositories : organization.projects.flatMap((p) => p.repositories);
		return candidates.find((r) => r.id === lower || (project !== undefined && r.name.toLowerCase() === lower));
	}

	repositoryOf(repo: Repo): AzureRepository | undefined {
		return this.#byRepo.get(repo.id);
	}

	get projects(): AzureProject[] {
		return this.organizations.flatMap((o) => o.projects);
	}

	get repositories(): AzureRepository[] {
		return this.projects.flatMap((p) => p.repositories);
	}
}
