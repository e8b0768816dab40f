// Who an Azure DevOps request is: personal access tokens (PATs) of `sim-user`, sent as HTTP Basic
// with any username and the PAT as the password, each with its scopes and state. A request without
// credentials is the anonymous caller. The rate-limit bucket each spends from.
import { randomFor } from '../github/hash.ts';
import type { Bucket } from '../shared/rate-limits.ts';
import type { AzureIdentity, AzureModel } from './model.ts';

export interface AzurePat {
	token: string;
	name: string;
	identity: AzureIdentity;
	scopes: string[];
	/** Epoch ms. */
	validTo: number;
	revoked: boolean;
}

export interface AzureDevOpsTokens {
	/** `vso.code vso.project vso.work`: the REST API (Azure Boards too) and git clones. */
	full: string;
	/** `vso.project` only: projects and connectionData; code and work item routes and git refuse it. */
	noCode: string;
	/** `vso.code vso.project`: repositories, pull requests and git; the work item (Azure Boards) routes refuse it. */
	noWork: string;
	/** As `full`, expired yesterday. */
	expired: string;
	/** As `full`, revoked. */
	revoked: string;
}

export type AzureAuthResult = { pat: AzurePat } | { anonymous: true } | { error: 'unknown' | 'expired' | 'revoked' };

const DAY = 86_400_000;
/** Azure DevOps PATs are 52 characters of lower-case base32. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function patText(seed: number, label: number): string {
	const rng = randomFor(seed, 0xadd0 + label, 0x9a7);
	let text = '';
	for (let i = 0; i < 52; i++) text += ALPHABET[rng.int(0, ALPHABET.length - 1)];
	return text;
}

/** The PAT of `Authorization: Basic base64(user:pat)`; undefined without one (or with another scheme). */
export function basicPassword(header: string | undefined): string | undefined {
	const encoded = /^basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
	if (encoded === undefined) return undefined;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? decoded : decoded.slice(colon + 1);
}

export class AzureAuth {
	readonly tokens: AzureDevOpsTokens;
	readonly #byText = new Map<string, AzurePat>();

	constructor(model: AzureModel) {
		const seed = model.world.options.seed;
		this.tokens = { full: patText(seed, 1), noCode: patText(seed, 2), noWork: patText(seed, 5), expired: patText(seed, 3), revoked: patText(seed, 4) };
		const add = (token: string, fields: Pick<AzurePat, 'name' | 'scopes' | 'validTo'> & Partial<AzurePat>) =>
			this.#byText.set(token, { token, identity: model.viewer, revoked: false, ...fields });
		const full = ['vso.code', 'vso.project', 'vso.work'];
		add(this.tokens.full, { name: 'tributary', scopes: full, validTo: Date.now() + 90 * DAY });
		add(this.tokens.noCode, { name: 'projects-only', scopes: ['vso.project'], validTo: Date.now() + 90 * DAY });
		add(this.tokens.noWork, { name: 'code-only', scopes: ['vso.code', 'vso.project'], validTo: Date.now() + 90 * DAY });
		add(this.tokens.expired, { name: 'expired', scopes: full, validTo: Date.now() - DAY });
		add(this.tokens.revoked, { name: 'revoked', scopes: full, validTo: Date.now() + 90 * DAY, revoked: true });
	}

	authenticate(authorization: string | undefined): AzureAuthResult {
		const secret = basicPassword(authorization);
		if (secret === undefined) {
			// A bearer token is not simulated: it is as good as an unknown PAT.
			return authorization ? { error: 'unknown' } : { anonymous: true };
		}
		return this.check(secret);
	}

	check(secret: string): { pat: AzurePat } | { error: 'unknown' | 'expired' | 'revoked' } {
		const pat = this.#byText.get(secret);
		if (!pat) return { error: 'unknown' };
		if (pat.revoked) return { error: 'revoked' };
		if (pat.validTo <= Date.now()) return { error: 'expired' };
		return { pat };
	}

	find(secret: string): AzurePat | undefined {
		return this.#byText.get(secret);
	}

	revoke(secret: string): boolean {
		const pat = this.#byText.get(secret);
		if (pat) pat.revoked = true;
		return pat !== undefined;
	}

	/**
	 * Azure DevOps meters a user's consumption over a sliding five-minute window; the simulator
	 * counts requests per PAT in fixed five-minute windows (anonymous callers per address).
	 */
	static bucket(pat: AzurePat | null, address: string): Bucket {
		return pat ? { key: `azure-devops:pat:${pat.token}`, defaultLimit: 20_000, windowSeconds: 300 } : { key: `azure-devops:ip:${address}`, defaultLimit: 2_000, windowSeconds: 300 };
	}
}
