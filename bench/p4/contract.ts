export interface EmitProgressInput {
	operationId: string;
	events: number;
	intervalMs: number;
	/**
	 * `product`: the product's ProgressReporter (the row written, then broadcast); `bare`: the
	 * same broadcast from the same process with no row written, the floor under it.
	 */
	path: 'product' | 'bare';
	/** When the first event goes out (epoch ms), each next one `intervalMs` after the one before; at once when absent. */
	startAt?: number;
}

/** When each report started, and when the product's reporter returned from it (epoch ms). */
export interface EmittedProgress {
	emittedAt: number[];
	reportedAt: number[];
}

export const benchTaskQueueSuffix = 'bench-p4';
