// Who a GitLab request is: personal access tokens of `sim-user` with their scopes and expiry
// dates, and a project access token whose user is the project's bot. What each may see, and the
// rate-limit bucket each spends from.
import { tokenText } from '../github/hash.ts';
import { ACCESS, type GitLabModel, type GitLabUser, type Group, type Project } from './model.ts';
import type { Bucket } from '../shared/rate-limits.ts';

export interface GitLabToken {
	id: number;
	name: string;
	token: string;
	user: GitLabUser;
	scopes: string[];
	created: number;
	/** `YYYY-MM-DD`: GitLab tokens stop working when that day (UTC) starts (every token has one now). */
	expiresAt: string;
	revoked: boolean;
	/** A project access token: the one project its bot user is a member of. */
	project: Project | null;
}

export interface GitLabTokens {
	/** `read_api`, `read_repository`, `read_user`; expires in 90 days. */
	full: string;
	/** `read_api` only: the API works, git clones are refused. */
	readApiOnly: string;
	/** `read_user` only: `/user` and `/personal_access_tokens/self`, nothing else. */
	readUserOnly: string;
	/** The scopes of `full`, expiring in 3 days. */
	expiring: string;
	/** The scopes of `full`, expired yesterday. */
	expired: string;
	/** The scopes of `full`, revoked. */
	revoked: string;
	/** A project access token of the first organisation's first project (`acme/api`): its bot user, `read_api` and `read_repository`. */
	projectBot: string;
}

export type GitLabAuthResult = { token: GitLabToken | null } | { error: 'unknown' | 'expired' | 'revoked' };

const DAY = 86_400_000;
const FULL_SCOPES = ['read_api', 'read_repository', 'read_user'];
const today = () => new Date().toISOString().slice(0, 10);
const dayFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

export class GitLabAuth {
	readonly tokens: GitLabTokens;
	readonly #model: GitLabModel;
	readonly #byText = new Map<string, GitLabToken>();

	constructor(model: GitLabModel) {
		this.#model = model;
		const seed = model.world.options.seed;
		const text = (label: number) => `glpat-${tokenText(seed, 0x6100 + label, 20)}`;
		this.tokens = {
			full: text(1),
			readApiOnly: text(2),
			readUserOnly: text(3),
			expiring: text(4),
			expired: text(5),
			revoked: text(6),
			projectBot: text(7)
		};
		const created = Date.UTC(2025, 0, 6);
		const add = (label: number, fields: Pick<GitLabToken, 'name' | 'scopes' | 'expiresAt'> & Partial<Pick<GitLabToken, 'revoked' | 'user' | 'project'>>) =>
			this.#byText.set(text(label), { id: 4000 + label, token: text(label), created, revoked: false, project: null, user: model.viewer, ...fields });
		add(1, { name: 'tributary', scopes: FULL_SCOPES, expiresAt: dayFromNow(90) });
		add(2, { name: 'read-api-only', scopes: ['read_api'], expiresAt: dayFromNow(90) });
		add(3, { name: 'read-user-only', scopes: ['read_user'], expiresAt: dayFromNow(90) });
		add(4, { name: 'expiring', scopes: FULL_SCOPES, expiresAt: dayFromNow(3) });
		add(5, { name: 'expired', scopes: FULL_SCOPES, expiresAt: dayFromNow(-1) });
		add(6, { name: 'revoked', scopes: FULL_SCOPES, expiresAt: dayFromNow(90), revoked: true });
		const bot = model.projectBot;
		add(7, { name: bot.user.name, scopes: ['read_api', 'read_repository'], expiresAt: dayFromNow(90), user: bot.user, project: bot.project });
	}

	/** The token of `PRIVATE-TOKEN` or `Authorization: Bearer`; no token at all is an anonymous caller. */
	authenticate(headers: { 'private-token'?: string | string[]; authorization?: string }): GitLabAuthResult {
		const privateToken = headers['private-token'];
		const bearer = /^bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
		const secret = (Array.isArray(privateToken) ? privateToken[0] : privateToken) ?? bearer;
		return secret === undefined ? { token: null } : this.check(secret);
	}

	check(secret: string): GitLabAuthResult {
		const token = this.#byText.get(secret);
		if (!token) return { error: 'unknown' };
		if (token.revoked) return { error: 'revoked' };
		if (token.expiresAt <= today()) return { error: 'expired' };
		return { token };
	}

	/** The token record whatever its state: for `/personal_access_tokens/self` and the control API. */
	find(secret: string): GitLabToken | undefined {
		return this.#byText.get(secret);
	}

	revoke(secret: string): boolean {
		const token = this.#byText.get(secret);
		if (token) token.revoked = true;
		return token !== undefined;
	}

	/** GitLab's authenticated API throttle is a budget a minute; anonymous callers share their address's. */
	static bucket(token: GitLabToken | null, address: string): Bucket {
		return token ? { key: `gitlab:token:${token.token}`, defaultLimit: 2000, windowSeconds: 60 } : { key: `gitlab:ip:${address}`, defaultLimit: 500, windowSeconds: 60 };
	}

	/** The caller's role in a group (inherited by subgroups); a project bot has none. */
	groupAccess(token: GitLabToken | null, group: Group): number {
		return token && !token.project && token.user.id === this.#model.viewer.id ? this.#model.viewerAccess(group) : ACCESS.none;
	}

	/** The caller's role in a project: through its group, as the owner of a personal namespace, or as the project's bot. */
	projectAccess(token: GitLabToken | null, project: Project): number {
		if (!token) return ACCESS.none;
		if (token.project) return token.project.id === project.id ? ACCESS.reporter : ACCESS.none;
		const namespace = project.namespace;
		if (namespace.kind === 'user') return namespace.user.id === token.user.id ? ACCESS.owner : ACCESS.none;
		return this.groupAccess(token, namespace.group);
	}

	/** Public projects are everyone's to read; private ones their members'. */
	canSee(token: GitLabToken | null, project: Project): boolean {
		return project.visibility === 'public' || this.projectAccess(token, project) > ACCESS.none;
	}

	canSeeGroup(token: GitLabToken | null, group: Group): boolean {
		return group.visibility === 'public' || this.groupAccess(token, group) > ACCESS.none;
	}
}
