export interface EmitProgressInput {
	operationId: string;
	events: number;
	intervalMs: number;
}

export const benchTaskQueueSuffix = 'bench-p4';
