import type { ColumnType, Selectable } from 'kysely';

/** Worker processes announce themselves here; health reads who was seen recently. */
export interface WorkersTable {
	id: string;
	host: string;
	pid: number;
	task_queue: string;
	started_at: ColumnType<Date, Date, never>;
	last_seen_at: ColumnType<Date, Date, Date>;
}

export type WorkerRow = Selectable<WorkersTable>;
