// How both Bitbucket editions' field clients (@coderabbitai/bitbucket, on openapi-fetch) send
// requests: through the providers' own fetch (shared/provider-fetch.ts) with the integration's
// Authorization header, answers other than 2xx thrown as BitbucketResponseError before the client
// sees them, and the quota as each edition reports it.
import type { GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { createProviderAgent } from '../shared/http-agent.ts';
import { createProviderFetch } from '../shared/provider-fetch.ts';
import { BitbucketRateLimitedError, readBitbucketError } from './errors.ts';

export interface BitbucketClientOptions {
	settings: GitSettings;
	caCertificate?: string | null;
	signal?: AbortSignal;
	/** How often a 5xx or a dropped connection is tried again; 3 unless told. */
	retries?: number;
	onQuota?: (quota: ApiQuota) => void;
	/** After every answer (activities heartbeat through it). */
	onAnswer?: () => void;
}

export interface BitbucketTransport {
	fetch: (input: Request) => Promise<Response>;
	/** The last quota an answer reported, if any did. */
	quota(): ApiQuota | undefined;
}

export function bitbucketTransport(apiRoot: string, authorization: string, options: BitbucketClientOptions, readQuota: (headers: Headers) => ApiQuota | undefined): BitbucketTransport {
	let last: ApiQuota | undefined;
	const send = createProviderFetch({
		agent: createProviderAgent(apiRoot, options.settings, options.caCertificate),
		origin: new URL(apiRoot).origin,
		headers: { authorization, accept: 'application/json' },
		...(options.signal ? { signal: options.signal } : {}),
		...(options.retries !== undefined ? { retries: options.retries } : {}),
		...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
		readQuota,
		onQuota: (quota) => {
			last = quota;
			options.onQuota?.(quota);
		},
		rateLimited: (resetAt, quota) => new BitbucketRateLimitedError(resetAt, quota),
		// Bitbucket Cloud's window rolls over an hour: a minute frees a sixtieth of it.
		unknownWaitMs: 60_000
	});
	return {
		async fetch(request) {
			const response = await send(request);
			if (!response.ok) throw await readBitbucketError(response);
			return response;
		},
		quota: () => last
	};
}
