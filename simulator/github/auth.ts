// Who a request is: personal tokens (classic with scopes, fine-grained with per-repository
// permissions), installation tokens, the App's JWT. And what each may see of a repository.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { tokenText } from './hash.ts';
import type { App, Installation, Permissions, Repo, World } from './data.ts';
import type { Bucket } from '../shared/rate-limits.ts';

export interface PersonalToken {
	kind: 'classic' | 'fine-grained';
	token: string;
	userIndex: number;
	/** Classic tokens only: the scopes GitHub reports in `X-OAuth-Scopes`. */
	scopes: string[] | null;
	/** Fine-grained tokens only: the organisations whose repositories they were granted. */
	orgIds: number[] | null;
	permissions: Permissions;
	expiresAt: number | null;
}

export interface InstallationToken {
	token: string;
	installation: Installation;
	permissions: Permissions;
	expiresAt: number;
}

export type Principal =
	| { kind: 'personal'; token: PersonalToken }
	| { kind: 'installation'; token: InstallationToken }
	| { kind: 'app'; app: App };

export interface Tokens {
	/** Classic PAT with `repo, read:org`. */
	classic: string;
	/** Classic PAT with only `read:user`: lacks `repo`. */
	classicReadUser: string;
	/** Fine-grained PAT: contents and pull requests read on the first organisation only. */
	fineGrained: string;
	/** Classic PAT with `repo, read:org` that expires in 10 days. */
	expiring: string;
	/** Fine-grained PAT like `fineGrained`, without the pull requests permission. */
	fineGrainedNoPulls: string;
}

export type AuthResult = { principal: Principal | null } | { error: 'bad-credentials' | 'bad-jwt'; message: string };

const readAll: Permissions = { metadata: 'read', contents: 'read', pull_requests: 'read', issues: 'read' };
const readPublic: Permissions = { metadata: 'read', contents: 'read', pull_requests: 'read', issues: 'read' };

export class Auth {
	readonly tokens: Tokens;
	readonly #personal = new Map<string, PersonalToken>();
	readonly #installation = new Map<string, InstallationToken>();
	readonly #revoked = new Set<string>();
	readonly #world: World;
	readonly #appKey: KeyObject;

	constructor(world: World, appPrivateKeyPem: string) {
		this.#world = world;
		this.#appKey = createPublicKey(appPrivateKeyPem);
		const seed = world.options.seed;
		const firstOrg = world.orgs[0];
		this.tokens = {
			classic: `ghp_${tokenText(seed, 1, 36)}`,
			classicReadUser: `ghp_${tokenText(seed, 2, 36)}`,
			fineGrained: `github_pat_11${tokenText(seed, 3, 20)}_${tokenText(seed, 4, 59)}`,
			expiring: `ghp_${tokenText(seed, 5, 36)}`,
			fineGrainedNoPulls: `github_pat_11${tokenText(seed, 6, 20)}_${tokenText(seed, 7, 59)}`
		};
		const add = (token: PersonalToken) => this.#personal.set(token.token, token);
		add({ kind: 'classic', token: this.tokens.classic, userIndex: 0, scopes: ['repo', 'read:org'], orgIds: null, permissions: readAll, expiresAt: null });
		add({ kind: 'classic', token: this.tokens.classicReadUser, userIndex: 0, scopes: ['read:user'], orgIds: null, permissions: readAll, expiresAt: null });
		add({
			kind: 'fine-grained',
			token: this.tokens.fineGrained,
			userIndex: 0,
			scopes: null,
			orgIds: firstOrg ? [firstOrg.id] : [],
			permissions: { metadata: 'read', contents: 'read', pull_requests: 'read' },
			expiresAt: null
		});
		add({
			kind: 'fine-grained',
			token: this.tokens.fineGrainedNoPulls,
			userIndex: 0,
			scopes: null,
			orgIds: firstOrg ? [firstOrg.id] : [],
			permissions: { metadata: 'read', contents: 'read' },
			expiresAt: null
		});
		add({ kind: 'classic', token: this.tokens.expiring, userIndex: 0, scopes: ['repo', 'read:org'], orgIds: null, permissions: readAll, expiresAt: Date.now() + 10 * 86_400_000 });
	}

	revoke(token: string): boolean {
		const known = this.#personal.has(token) || this.#installation.has(token);
		this.#revoked.add(token);
		return known;
	}

	personal(token: string): PersonalToken | undefined {
		return this.#personal.get(token);
	}

	mintInstallationToken(installation: Installation): InstallationToken {
		const token: InstallationToken = {
			token: `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`,
			installation,
			permissions: installation.permissions,
			expiresAt: Date.now() + 3_600_000
		};
		this.#installation.set(token.token, token);
		return token;
	}

	/** Reads `Authorization: token X`, `Bearer X` or (for git) `Basic base64(user:X)`. */
	authenticate(header: string | undefined): AuthResult {
		if (!header) return { principal: null };
		const match = /^(token|bearer|basic)\s+(\S+)\s*$/i.exec(header);
		if (!match) return { error: 'bad-credentials', message: 'Bad credentials' };
		let secret = match[2]!;
		if (match[1]!.toLowerCase() === 'basic') {
			const decoded = Buffer.from(secret, 'base64').toString('utf8');
			secret = decoded.slice(decoded.indexOf(':') + 1);
		}
		if (secret.split('.').length === 3 && secret.startsWith('eyJ')) return this.#jwt(secret);
		if (this.#revoked.has(secret)) return { error: 'bad-credentials', message: 'Bad credentials' };
		const personal = this.#personal.get(secret);
		if (personal) {
			if (personal.expiresAt !== null && personal.expiresAt < Date.now()) return { error: 'bad-credentials', message: 'Bad credentials' };
			return { principal: { kind: 'personal', token: personal } };
		}
		const installation = this.#installation.get(secret);
		if (installation && installation.expiresAt > Date.now()) return { principal: { kind: 'installation', token: installation } };
		return { error: 'bad-credentials', message: 'Bad credentials' };
	}

	/** GitHub's rules for an App JWT: RS256 by the App's key, `iss` the App, at most 10 minutes long. */
	#jwt(jwt: string): AuthResult {
		const [header = '', payload = '', signature = ''] = jwt.split('.');
		const bad = (message: string): AuthResult => ({ error: 'bad-jwt', message });
		let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
		try {
			const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
			if (head.alg !== 'RS256') return bad("'alg' must be RS256");
			claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
		} catch {
			return bad('A JSON web token could not be decoded');
		}
		if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.#appKey, Buffer.from(signature, 'base64url'))) {
			return bad('A JSON web token could not be decoded');
		}
		const app = this.#world.app;
		if (String(claims.iss) !== String(app.id) && claims.iss !== app.clientId) return bad("'Issuer' claim ('iss') must be an Integer");
		const now = Math.floor(Date.now() / 1000);
		if (typeof claims.exp !== 'number' || claims.exp <= now) return bad("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
		if (claims.exp > now + 600 + 30) return bad("'Expiration time' claim ('exp') is too far in the future");
		if (typeof claims.iat === 'number' && claims.iat > now + 60) return bad("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
		return { principal: { kind: 'app', app } };
	}

	/** What `principal` may do with `repo`: null when it may not even know the repository exists. */
	access(principal: Principal | null, repo: Repo): Permissions | null {
		const publicAccess = repo.private ? null : readPublic;
		if (!principal || principal.kind === 'app') return publicAccess;
		if (principal.kind === 'installation') {
			const { installation, permissions } = principal.token;
			return repo.owner.type === 'Organization' && repo.owner.org.id === installation.org.id ? permissions : publicAccess;
		}
		const token = principal.token;
		if (token.kind === 'classic') return token.scopes?.includes('repo') ? token.permissions : publicAccess;
		const granted = repo.owner.type === 'Organization' && (token.orgIds ?? []).includes(repo.owner.org.id);
		return granted ? token.permissions : publicAccess;
	}

	/** The bucket of a token GitHub accepts now, or of an installation: for the control API. */
	bucketOf(input: { token?: string; installationId?: number }): Bucket | null {
		if (input.installationId !== undefined) return { key: `installation:${input.installationId}`, defaultLimit: 5000, windowSeconds: 3600 };
		const result = this.authenticate(`token ${input.token}`);
		return 'error' in result || !result.principal ? null : Auth.bucket(result.principal, '127.0.0.1');
	}

	/** The rate-limit bucket, an hour's window: per token, per installation, per App, or per address. */
	static bucket(principal: Principal | null, address: string): Bucket & { subject: string } {
		const hour = { windowSeconds: 3600 };
		if (!principal) return { key: `ip:${address}`, subject: address, defaultLimit: 60, ...hour };
		if (principal.kind === 'app') return { key: `app:${principal.app.id}`, subject: `app ID ${principal.app.id}`, defaultLimit: 5000, ...hour };
		if (principal.kind === 'installation') {
			const id = principal.token.installation.id;
			return { key: `installation:${id}`, subject: `installation ID ${id}`, defaultLimit: 5000, ...hour };
		}
		return { key: `token:${principal.token.token}`, subject: `user ID ${principal.token.userIndex + 1}`, defaultLimit: 5000, ...hour };
	}
}
