// Faults on demand, scoped by path pattern and count: what a real provider does on a bad day.

export type FaultKind =
	/** Answer `status` (500, 502, 503…) with GitHub's error body. */
	| 'status'
	/** Wait `delayMs` before sending headers. */
	| 'slow'
	/** Send headers at once, then the body at `bytesPerSecond`. */
	| 'trickle'
	/** 200 with a body that is not JSON. */
	| 'malformed'
	/** Destroy the connection without an answer. */
	| 'reset'
	/** 403 with `retry-after` and the secondary-rate-limit message. */
	| 'secondary-rate-limit'
	/** The same, in the older "abuse detection" words. */
	| 'abuse';

export interface FaultInput {
	kind: FaultKind;
	/** A path (without `/api/v3`), `*` matching within a segment and `**` across segments. */
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
		const fault = { ...input, id: this.#next++, hits: 0, regex: pattern(input.path ?? '/**') };
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
	take(method: string, path: string): Fault | undefined {
		const fault = this.#faults.find((f) => (!f.method || f.method.toUpperCase() === method) && f.regex.test(path));
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
