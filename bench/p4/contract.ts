export interface EmitProgressInput {
	operationId: string;
	events: number;
	intervalMs: number;
	/**
	 * `product`: the product's ProgressReporter (the row written, then broadcast); `bare`: the
	 * same broadcast from the same process with no row written, the floor under it.
	 */
	path: 'product' | 'bare';
}

/** When each report started, and when the product's reporter returned from it (epoch ms). */
export interface EmittedProgress {
	emittedAt: number[];
	reportedAt: number[];
}

export const benchTaskQueueSuffix = 'bench-p4';
