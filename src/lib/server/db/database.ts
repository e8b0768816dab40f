import type { OperationsTable } from './tables/operations.ts';
import type { WorkersTable } from './tables/workers.ts';

export interface Database {
	operations: OperationsTable;
	workers: WorkersTable;
}
