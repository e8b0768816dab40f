// Faults on demand, scoped by provider, path pattern and count: what a real provider does on a bad
// day. Every simulated API draws from the same list, each taking only its own faults.
import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export type Provider = 'github' | 'gitlab' | 'bitbucket-cloud' | 'bitbucket-dc' | 'azure-devops' | 'jira-cloud' | 'jira-dc';

/** Whose API a fault may hit. */
export const PROVIDERS: Provider[] = ['github', 'gitlab', 'bitbucket-cloud', 'bitbucket-dc', 'azure-devops', 'jira-cloud', 'jira-dc'];

export type FaultKind =
	/** Answer `status` (500, 502, 503…) with the provider's error body. */
	| 'status'
	/** Wait `delayMs` before sending headers. */
	| 'slow'
	/** Send headers at once, then the body at `bytesPerSecond`. */
	| 'trickle'
	/** 200 with a body that is not JSON. */
	| 'malformed'
	/** Destroy the connection without an answer. */
	| 'reset'
	/** GitHub: 403 with `retry-after` and the secondary-rate-limit message; GitLab: its 429 `Retry later`; Jira: its 429 with `Retry-After`. */
	| 'secondary-rate-limit'
	/** The same, in GitHub's older "abuse detection" words. */
	| 'abuse';

export interface FaultInput {
	kind: FaultKind;
	/** Whose API it hits; GitHub's by default. */
	provider?: Provider;
	/**
	 * A path, `*` matching within a segment and `**` across segments: for GitHub without `/api/v3`,
	 * for GitLab what follows `/gitlab/api/v4`, for Jira what follows `/jira-cloud/rest/api/3` or
	 * `/jira-dc/rest/api/2`.
	 */
	path?: string;
	method?: string;
	/** How many matching requests it hits; unlimited when absent. */
	count?: number;
	status?: number;
	delayMs?: number;
	bytesPerSecond?: number;
	retryAfter?: number;
}

export interface Fault extends FaultInput {
	id: number;
	hits: number;
}

function pattern(glob: string): RegExp {
	const escaped = glob
		.split('**')
		.map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
		.join('.*');
	return new RegExp(`^${escaped}$`);
}

export class Faults {
	#next = 1;
	#faults: Array<Fault & { regex: RegExp }> = [];

	add(input: FaultInput): Fault {
		const fault = { ...input, provider: input.provider ?? 'github', id: this.#next++, hits: 0, regex: pattern(input.path ?? '/**') };
		this.#faults.push(fault);
		return this.#public(fault);
	}

	clear(): void {
		this.#faults = [];
	}

	list(): Fault[] {
		return this.#faults.map((fault) => this.#public(fault));
	}

	/** The first fault that applies to this request, counted as hit; used-up faults are dropped. */
	take(provider: Provider, method: string, path: string): Fault | undefined {
		const fault = this.#faults.find((f) => f.provider === provider && (!f.method || f.method.toUpperCase() === method) && f.regex.test(path));
		if (!fault) return undefined;
		fault.hits++;
		if (fault.count !== undefined && fault.hits >= fault.count) this.#faults = this.#faults.filter((f) => f !== fault);
		return this.#public(fault);
	}

	#public(fault: Fault & { regex?: RegExp }): Fault {
		const { regex: _regex, ...rest } = fault;
		return rest;
	}
}

/** A provider's own answers to the faults that answer: an error status, and a rate limit (`Retry-After` seconds). */
export interface FaultAnswers {
	status(code: number): Error;
	limited(retryAfter: number): Error;
}

/**
 * What a fault does before the request is served, alike for every simulated API: `reset` drops the
 * connection (true: nothing is answered), `slow` waits, `status` and the limit kinds throw the
 * provider's own answer. `trickle` and `malformed` act on the answer, later.
 */
export async function applyFault(fault: Fault | undefined, req: IncomingMessage, answers: FaultAnswers): Promise<boolean> {
	if (fault?.kind === 'reset') {
		req.socket.destroy();
		return true;
	}
	if (fault?.kind === 'slow') await delay(fault.delayMs ?? 2000);
	if (fault?.kind === 'status') throw answers.status(fault.status ?? 502);
	if (fault?.kind === 'secondary-rate-limit' || fault?.kind === 'abuse') throw answers.limited(fault.retryAfter ?? 60);
	return false;
}
