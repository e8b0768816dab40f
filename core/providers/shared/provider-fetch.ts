// How every hosted provider's field client sends its requests: a fetch of our own, handed to the
// client (gitbeaker's requester, openapi-fetch's `fetch` option, raw calls). Field clients retry
// on their own terms (milliseconds apart, ignoring Retry-After) or not at all; this one:
// - uses one agent with the server's CA and git's network rules (http-agent.ts);
// - never follows redirects, and never sends a request (with its credentials) to another origin
//   than the server's, whatever a pagination link says;
// - hears the provider's quota on every answer, as the provider reports it;
// - waits out a 429 with a short Retry-After here, twice at most; a longer one ends the call with
//   the provider's rate-limited error, and the workflow waits for the reset with a Temporal timer;
// - tries 5xx answers and dropped connections again a few times, with backoff;
// - tells the caller after every answer (activities heartbeat through it between pages).
import { setTimeout as delay } from 'node:timers/promises';
import { fetch as undiciFetch, type Agent } from 'undici';
import type { ApiQuota } from '../provider.ts';

/** Retry-After waits up to this long are taken in the call. */
const inlineWaitMs = 10_000;

const userAgent = 'Tributary (integrations control plane; +https://tributary.example/bot)';

export interface ProviderFetchOptions {
	agent: Agent;
	/** The only origin requests go to. */
	origin: string;
	/** Headers every request carries (the credentials among them). */
	headers?: Record<string, string>;
	signal?: AbortSignal;
	/** How often a 5xx or a dropped connection is tried again; 3 unless told. */
	retries?: number;
	/** The quota an answer reports, in the provider's own headers. */
	readQuota?: (headers: Headers) => ApiQuota | undefined;
	onQuota?: (quota: ApiQuota) => void;
	onAnswer?: () => void;
	/** The provider's error for a spent quota, thrown when the wait is too long to take here. */
	rateLimited: (resetAt: Date, quota: ApiQuota | undefined) => Error;
	/** When a 429 says nothing of when to come back: the wait assumed. */
	unknownWaitMs?: number;
	/** Whether an answer other than 429 says the quota is spent (GitHub's 403 with remaining 0…). */
	isRateLimited?: (response: Response) => boolean;
}

/** HTTP basic credentials as an Authorization header value (Bitbucket's, Azure DevOps's). */
export const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null): number | null {
	if (!header) return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** A redirect answer, refused: following it would send the credentials to wherever it points. */
export class RedirectRefusedError extends Error {
	readonly status: number;
	readonly location: string | null;
	constructor(status: number, location: string | null) {
		super(`a redirect${location ? ` to ${location.slice(0, 200)}` : ''}, which Tributary does not follow with credentials`);
		this.status = status;
		this.location = location;
	}
}

export type ProviderFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch bound to one server: answers other than 429, 5xx (after retries) and redirects come back as they are. */
export function createProviderFetch(options: ProviderFetchOptions): ProviderFetch {
	const retries = options.retries ?? 3;
	return async (input, init = {}) => {
		const request = input instanceof Request ? input : null;
		const url = new URL(request ? request.url : input.toString());
		if (url.origin !== options.origin) throw new Error(`Refused to send credentials to ${url.origin}: only ${options.origin} gets them.`);
		const method = init.method ?? request?.method ?? 'GET';
		const headers = new Headers(request?.headers);
		for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
		for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
		headers.set('user-agent', userAgent);
		const body = init.body ?? (request && method !== 'GET' && method !== 'HEAD' ? await request.text() : undefined);
		const signal = AbortSignal.any([init.signal, request?.signal, options.signal].filter((s): s is AbortSignal => s !== undefined && s !== null));
		let waited = 0;
		for (let attempt = 0; ; attempt++) {
			let response: Response;
			try {
				response = (await undiciFetch(url, {
					method,
					headers: Object.fromEntries(headers),
					body: body as string | undefined,
					redirect: 'manual',
					signal,
					dispatcher: options.agent
				})) as unknown as Response;
			} catch (error) {
				if (signal.aborted || attempt >= retries) throw error;
				await delay(250 * 2 ** attempt, undefined, { signal });
				continue;
			}
			options.onAnswer?.();
			const quota = options.readQuota?.(response.headers);
			if (quota) options.onQuota?.(quota);
			if (response.status === 429 || options.isRateLimited?.(response)) {
				await response.body?.cancel();
				const wait = retryAfterMs(response.headers.get('retry-after'));
				if (wait !== null && wait <= inlineWaitMs && waited < 2) {
					waited++;
					await delay(wait, undefined, { signal });
					attempt--;
					continue;
				}
				const resetAt = wait !== null ? new Date(Date.now() + wait) : (quota?.resetAt ?? new Date(Date.now() + (options.unknownWaitMs ?? 60_000)));
				throw options.rateLimited(resetAt, quota);
			}
			if (response.status >= 500 && attempt < retries) {
				await response.body?.cancel();
				await delay(250 * 2 ** attempt, undefined, { signal });
				continue;
			}
			if (response.status >= 300 && response.status < 400 && response.status !== 304) {
				await response.body?.cancel();
				throw new RedirectRefusedError(response.status, response.headers.get('location'));
			}
			return response;
		}
	};
}
