import type { ColumnType, Generated, Selectable } from 'kysely';
import type { OperationStage, OperationState } from '#core/domain/operations/operation.ts';

export interface OperationsTable {
	id: Generated<string>;
	organization_id: string;
	kind: string;
	scope: string;
	state: OperationState;
	stages: ColumnType<OperationStage[], string, string>;
	current_item: string | null;
	started_by: string | null;
	started_at: ColumnType<Date, never, never>;
	ended_at: ColumnType<Date | null, never, Date | null>;
	error: string | null;
	result: ColumnType<Record<string, unknown> | null, string | null, string | null>;
	workflow_id: string;
	revision: Generated<number>;
	parent_id: ColumnType<string | null, string | null | undefined, string | null>;
	subject_label: ColumnType<string | null, string | null | undefined, string | null>;
	cancelled_by: ColumnType<string | null, string | null | undefined, string | null>;
	retries: Generated<number>;
	restarts: Generated<number>;
}

/** An operation's timeline (written by triggers on operations, and by the worker for retries). */
export interface OperationEventsTable {
	id: Generated<string>;
	operation_id: string;
	at: ColumnType<Date, Date | undefined, never>;
	kind: string;
	detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export type OperationRow = Selectable<OperationsTable>;

/** How far a running deletion got in one table, written with each of its batches. */
export interface DeletionCheckpointsTable {
	operation_id: string;
	table_name: string;
	/** bigint: the driver gives it as text. */
	deleted: ColumnType<string | number, number, number>;
	finished: boolean;
	next_page: number | null;
	/** A table deleted repository by repository: the last repository done (they go in id order). */
	after_repo: ColumnType<string | null, string | null | undefined, string | null>;
}
