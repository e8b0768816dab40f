// Who a Jira request is. Cloud: HTTP basic with an account's email and one of its API tokens.
// Data Center: a personal access token as a bearer token, or basic with a username and password.
// Each site has a token of `sim-user` (full) and one of `sim-viewer`, who may sign in but lacks
// Browse Projects. And the rate-limit bucket each credential spends from.
import { hash, tokenText } from '../github/hash.ts';
import { basicCredentials, bearerToken } from '../shared/bitbucket.ts';
import type { Bucket } from '../shared/rate-limits.ts';
import type { FlavourName } from './flavour.ts';
import type { JiraModel } from './model.ts';
import type { JiraUser } from './people.ts';

export interface JiraTokens {
	/** `sim-user`'s: every project. */
	full: string;
	/** `sim-viewer`'s: signs in, but lacks Browse Projects (no projects, no issues). */
	noBrowse: string;
}

export interface JiraCredential {
	secret: string;
	flavour: FlavourName;
	kind: 'api-token' | 'personal-access-token' | 'password';
	user: JiraUser;
	revoked: boolean;
}

export type JiraAuthResult = { credential: JiraCredential } | { error: 'missing' | 'refused' };

/** Cloud API tokens: `ATATT3xFfGF0`, ~180 characters, `=` and a checksum. */
function apiToken(seed: number, label: number): string {
	return `ATATT3xFfGF0${tokenText(seed, 0x71b0 + label, 180)}=${hash(seed, 0x71b8, label).toString(16).toUpperCase().padStart(8, '0')}`;
}

export class JiraAuth {
	readonly cloudTokens: JiraTokens;
	readonly dcTokens: JiraTokens;
	/** `sim-user`'s Data Center password. */
	readonly dcPassword: string;
	readonly #bySecret = new Map<string, JiraCredential>();

	constructor(model: JiraModel) {
		const seed = model.options.seed;
		this.cloudTokens = { full: apiToken(seed, 1), noBrowse: apiToken(seed, 2) };
		// Data Center's personal access tokens are 44 characters of base64.
		this.dcTokens = { full: tokenText(seed, 0x71c1, 44), noBrowse: tokenText(seed, 0x71c2, 44) };
		this.dcPassword = `pw-${tokenText(seed, 0x71c3, 16)}`;
		const add = (secret: string, flavour: FlavourName, kind: JiraCredential['kind'], user: JiraUser) => this.#bySecret.set(secret, { secret, flavour, kind, user, revoked: false });
		add(this.cloudTokens.full, 'cloud', 'api-token', model.viewer);
		add(this.cloudTokens.noBrowse, 'cloud', 'api-token', model.nonBrowser);
		add(this.dcTokens.full, 'dc', 'personal-access-token', model.viewer);
		add(this.dcTokens.noBrowse, 'dc', 'personal-access-token', model.nonBrowser);
		add(this.dcPassword, 'dc', 'password', model.viewer);
	}

	authenticate(flavour: FlavourName, authorization: string | undefined): JiraAuthResult {
		if (!authorization) return { error: 'missing' };
		const basic = basicCredentials(authorization);
		const bearer = bearerToken(authorization);
		const credential = this.#bySecret.get(basic?.password ?? bearer ?? '');
		if (!credential || credential.revoked || credential.flavour !== flavour) return { error: 'refused' };
		if (flavour === 'cloud') {
			// Cloud takes an API token only with its account's email, and only over basic (a bearer token is OAuth's).
			if (!basic || basic.username.toLowerCase() !== credential.user.email) return { error: 'refused' };
		} else if (credential.kind === 'password') {
			if (!basic || basic.username.toLowerCase() !== credential.user.name) return { error: 'refused' };
		} else if (!bearer) {
			// Data Center takes a personal access token as a bearer token, not as a basic password.
			return { error: 'refused' };
		}
		return { credential };
	}

	/** Any credential of either site, by its secret (a token or the Data Center password). */
	find(secret: string): JiraCredential | undefined {
		return this.#bySecret.get(secret);
	}

	revoke(secret: string): boolean {
		const credential = this.#bySecret.get(secret);
		if (credential) credential.revoked = true;
		return credential !== undefined;
	}

	/**
	 * Cloud limits each API token on its own (generously: 10,000 requests a minute here); Data
	 * Center's token bucket is per user, every credential of a user spending from it (1,000 per
	 * 10 s here; its size is an administrator's choice).
	 */
	static bucket(credential: JiraCredential): Bucket {
		return credential.flavour === 'cloud'
			? { key: `jira-cloud:token:${credential.secret}`, defaultLimit: 10_000, windowSeconds: 60 }
			: { key: `jira-dc:user:${credential.user.name}`, defaultLimit: 1_000, windowSeconds: 10 };
	}
}
