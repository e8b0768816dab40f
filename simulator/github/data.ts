// The simulated GitHub: users, organisations, repositories (each backed by a real bare git
// repository), the App and its installations. Deterministic from the seed and the sizes.
import path from 'node:path';
import { hash } from './hash.ts';
import { ensureRepository, listShas } from './git-repos.ts';
import { PullStore } from './pull-store.ts';

export interface WorldOptions {
	dataDir: string;
	seed: number;
	orgs: number;
	reposPerOrg: number;
	/** Pull requests per organisation repository. */
	pullRequests: number;
	/** Commits per organisation repository. */
	commits: number;
}

export interface User {
	index: number;
	id: number;
	login: string;
	name: string;
	email: string;
	type: 'User' | 'Bot';
	created: number;
}

export interface Org {
	index: number;
	id: number;
	login: string;
	name: string;
	description: string;
	created: number;
}

export type Owner = { type: 'Organization'; org: Org } | { type: 'User'; user: User };

export interface Repo {
	index: number;
	id: number;
	owner: Owner;
	ownerLogin: string;
	name: string;
	fullName: string;
	private: boolean;
	archived: boolean;
	fork: boolean;
	description: string;
	language: string;
	topics: string[];
	created: number;
	pushed: number;
	gitDir: string;
	commits: number;
	pullRequests: number;
}

export type Permission = 'read' | 'write';
export type Permissions = Partial<Record<'metadata' | 'contents' | 'pull_requests' | 'issues' | 'members', Permission>>;

export interface Installation {
	id: number;
	org: Org;
	permissions: Permissions;
	created: number;
}

export interface App {
	id: number;
	clientId: string;
	slug: string;
	name: string;
	owner: Org;
	permissions: Permissions;
	events: string[];
	created: number;
}

const orgNames = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'soylent', 'tyrell', 'wonka'];
const repoNames = ['api', 'web', 'worker', 'mobile', 'docs', 'infra', 'billing', 'search'];
const languages = ['TypeScript', 'Go', 'Python', 'Rust', 'Java'];
const people = [
	['zoe-angstrom', 'Zoë Ångström'],
	['li-lei', '李雷'],
	['ivan-petrov', 'Иван Петров'],
	['jose-nunez', 'José Núñez'],
	['soren-odegard', 'Søren Ødegård'],
	['mohammed-ali', 'محمد علي'],
	['lukasz-zolc', 'Łukasz Żółć'],
	['eleni-p', 'Ελένη Παπαδοπούλου'],
	['taro-yamada', '山田太郎'],
	['chloe-dubois', 'Chloé Dubois'],
	['ana-oneill', 'Ana María O’Neill']
] as const;
const CREATED = Date.UTC(2019, 3, 1);

function nameAt(names: readonly string[], i: number): string {
	return i < names.length ? names[i]! : `${names[i % names.length]}-${Math.floor(i / names.length) + 1}`;
}

export class World {
	readonly options: WorldOptions;
	readonly users: User[];
	readonly orgs: Org[];
	readonly repos: Repo[];
	readonly app: App;
	readonly installations: Installation[];
	readonly #pulls = new Map<number, Promise<PullStore>>();

	constructor(options: WorldOptions) {
		this.options = options;
		const { seed } = options;
		// users[0] is the account every personal token belongs to; the others author pull requests.
		this.users = [
			{ index: 0, id: 1, login: 'sim-user', name: 'Sam Simulator', email: 'sim-user@example.com', type: 'User', created: CREATED },
			...people.map(([login, name], i) => ({ index: i + 1, id: 1000 + i, login, name, email: `${login}@example.com`, type: 'User' as const, created: CREATED + i * 86_400_000 })),
			{ index: people.length + 1, id: 49699333, login: 'dependabot[bot]', name: 'dependabot[bot]', email: '', type: 'Bot', created: CREATED }
		];
		this.orgs = Array.from({ length: options.orgs }, (_, i) => {
			const login = nameAt(orgNames, i);
			return { index: i, id: 9000 + i + 1, login, name: `${login[0]!.toUpperCase()}${login.slice(1)} Inc.`, description: `The ${login} organisation.`, created: CREATED + i * 86_400_000 };
		});
		this.repos = [];
		const add = (owner: Owner, name: string, extra: Partial<Repo>) => {
			const ownerLogin = owner.type === 'Organization' ? owner.org.login : owner.user.login;
			const index = this.repos.length;
			this.repos.push({
				index,
				id: 100_000 + index + 1,
				owner,
				ownerLogin,
				name,
				fullName: `${ownerLogin}/${name}`,
				private: true,
				archived: false,
				fork: false,
				description: `The ${name} of ${ownerLogin}.`,
				language: languages[hash(seed, index) % languages.length]!,
				topics: [name, 'simulated'],
				created: CREATED + index * 86_400_000,
				pushed: Date.UTC(2025, 10, 1) + index * 60_000,
				gitDir: path.join(options.dataDir, 'git', ownerLogin, `${name}.git`),
				commits: options.commits,
				pullRequests: options.pullRequests,
				...extra
			});
		};
		for (const org of this.orgs) {
			for (let j = 0; j < options.reposPerOrg; j++) {
				// The second repository of each organisation is public, the third archived.
				add({ type: 'Organization', org }, nameAt(repoNames, j), { private: j !== 1, archived: j === 2 });
			}
		}
		const viewer = this.users[0]!;
		add({ type: 'User', user: viewer }, 'dotfiles', { commits: Math.min(options.commits, 30), pullRequests: Math.min(options.pullRequests, 3) });
		add({ type: 'User', user: viewer }, 'web', { private: false, fork: true, commits: Math.min(options.commits, 30), pullRequests: 0, description: 'A fork of web.' });

		const first = this.orgs[0];
		this.app = {
			id: 100 + (seed % 900),
			clientId: `Iv1.${hash(seed, 0xa99).toString(16).padStart(8, '0')}${hash(seed, 0xa9a).toString(16).padStart(8, '0')}`,
			slug: 'tributary-simulated',
			name: 'Tributary (simulated)',
			owner: first ?? { index: 0, id: 9000, login: 'tributary', name: 'Tributary', description: '', created: CREATED },
			permissions: { metadata: 'read', contents: 'read', pull_requests: 'read', issues: 'read', members: 'read' },
			events: ['push', 'pull_request', 'pull_request_review'],
			created: CREATED
		};
		this.installations = this.orgs.map((org) => ({ id: 5000 + org.index + 1, org, permissions: this.app.permissions, created: CREATED + 86_400_000 }));
	}

	get viewer(): User {
		return this.users[0]!;
	}

	/** GitHub matches owner and repository names without regard to case. */
	repo(owner: string, name: string): Repo | undefined {
		const full = `${owner}/${name}`.toLowerCase();
		return this.repos.find((repo) => repo.fullName.toLowerCase() === full);
	}

	org(login: string): Org | undefined {
		return this.orgs.find((org) => org.login.toLowerCase() === login.toLowerCase());
	}

	user(index: number | null): User | null {
		return index === null ? null : (this.users[index] ?? null);
	}

	userByLogin(login: string): User | undefined {
		return this.users.find((user) => user.login.toLowerCase() === login.toLowerCase());
	}

	installation(id: number): Installation | undefined {
		return this.installations.find((installation) => installation.id === id);
	}

	reposOf(login: string): Repo[] {
		return this.repos.filter((repo) => repo.ownerLogin.toLowerCase() === login.toLowerCase());
	}

	/** Generates (or reuses) every repository's git data, a few at a time. */
	async prepareGit(log: (event: string, fields: object) => void): Promise<void> {
		const queue = [...this.repos];
		const worker = async () => {
			for (let repo = queue.shift(); repo; repo = queue.shift()) {
				const started = performance.now();
				const { reused } = await ensureRepository(repo.gitDir, { commits: repo.commits, seed: hash(this.options.seed, repo.id) % 1_000_000 });
				log('git.ready', { repo: repo.fullName, reused, ms: Math.round(performance.now() - started) });
			}
		};
		await Promise.all([worker(), worker()]);
	}

	/** The repository's pull requests, built on first use. */
	pulls(repo: Repo): Promise<PullStore> {
		let store = this.#pulls.get(repo.id);
		if (!store) {
			store = listShas(repo.gitDir).then(
				(shas) => new PullStore({ seed: this.options.seed, repoId: repo.id, count: repo.pullRequests, shas, users: this.users.length })
			);
			this.#pulls.set(repo.id, store);
		}
		return store;
	}
}
