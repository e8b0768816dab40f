// Queries on the operations table. Every write bumps `revision` so browsers can order events.
import { sql, type Kysely } from 'kysely';
import type { Operation, OperationEvent, OperationStage, OperationState } from '#core/domain/operations/operation.ts';
import type { Database } from '#core/db/database.ts';
import type { OperationRow } from '#core/db/tables/operations.ts';
import { pageWithin } from '#core/db/paging.ts';

export function toOperation(row: OperationRow): Operation {
	return {
		id: row.id,
		organizationId: row.organization_id,
		kind: row.kind,
		scope: row.scope,
		state: row.state,
		stages: row.stages,
		currentItem: row.current_item,
		startedBy: row.started_by,
		startedAt: row.started_at.toISOString(),
		endedAt: row.ended_at?.toISOString() ?? null,
		error: row.error,
		result: row.result,
		workflowId: row.workflow_id,
		revision: row.revision,
		subjectLabel: row.subject_label,
		cancelledBy: row.cancelled_by,
		retries: row.retries,
		restarts: row.restarts
	};
}

export class OperationAlreadyRunningError extends Error {
	readonly running: Operation;
	constructor(running: Operation) {
		super(`This is already running (started ${running.startedAt}).`);
		this.running = running;
	}
}

export interface NewOperation {
	id?: string;
	organizationId: string;
	kind: string;
	scope: string;
	stages: OperationStage[];
	startedBy: string | null;
	workflowId: (id: string) => string;
	/** The action for all integrations this operation is part of. */
	parentId?: string;
}

/** Inserts a running operation; refuses when one of the same kind and scope is still running. */
export async function insertOperation(db: Kysely<Database>, input: NewOperation): Promise<Operation> {
	const id = input.id ?? crypto.randomUUID();
	const row = await db
		.insertInto('operations')
		.values({
			id,
			organization_id: input.organizationId,
			kind: input.kind,
			scope: input.scope,
			state: 'running',
			stages: JSON.stringify(input.stages),
			current_item: null,
			started_by: input.startedBy,
			error: null,
			result: null,
			workflow_id: input.workflowId(id),
			parent_id: input.parentId ?? null
		})
		.onConflict((oc) => oc.columns(['organization_id', 'kind', 'scope']).where('state', '=', 'running').doNothing())
		.returningAll()
		.executeTakeFirst();
	if (row) return toOperation(row);
	const running = await findRunningOperation(db, input.organizationId, input.kind, input.scope);
	if (running) throw new OperationAlreadyRunningError(running);
	// The running one ended between the two statements: try once more.
	return insertOperation(db, { ...input, id });
}

export async function findRunningOperation(
	db: Kysely<Database>,
	organizationId: string,
	kind: string,
	scope: string
): Promise<Operation | undefined> {
	const row = await db
		.selectFrom('operations')
		.selectAll()
		.where('organization_id', '=', organizationId)
		.where('kind', '=', kind)
		.where('scope', '=', scope)
		.where('state', '=', 'running')
		.executeTakeFirst();
	return row && toOperation(row);
}

export async function getOperation(db: Kysely<Database>, id: string): Promise<Operation | undefined> {
	const row = await db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
	return row && toOperation(row);
}

export async function listOperations(
	db: Kysely<Database>,
	filter: { organizationId: string; scope: string; kind?: string; limit: number }
): Promise<Operation[]> {
	let query = db
		.selectFrom('operations')
		.selectAll()
		.where('organization_id', '=', filter.organizationId)
		.where('scope', '=', filter.scope);
	if (filter.kind) query = query.where('kind', '=', filter.kind);
	const rows = await query.orderBy('started_at', 'desc').limit(filter.limit).execute();
	return rows.map(toOperation);
}

export interface ProgressUpdate {
	stage: string;
	done: number;
	total?: number;
	currentItem?: string | null;
}

/**
 * Records progress of one or more stages. Counts never move backwards: a retried activity that
 * resumes from an older checkpoint must not make the bar jump back. A finished operation is left
 * as it is.
 *
 * To be committed without waiting for the disk (the worker's reporter sends it on such
 * connections, createAsyncCommitPool): progress is a view of the work, not the work. A report
 * lost to a crash of Postgres is overwritten by the next one, and the operation's end commits
 * normally (making every report before it durable too). Waiting would make each report wait for
 * all the WAL the work itself wrote since the last flush: 20-30 ms measured beside a deletion,
 * every time.
 */
export async function recordProgress(
	db: Kysely<Database>,
	id: string,
	updates: ProgressUpdate | ProgressUpdate[],
	/** The rows this reporter last wrote, by operation id: a report that follows its own needs no read. */
	known?: Map<string, OperationRow>
): Promise<Operation | undefined> {
	const list = Array.isArray(updates) ? updates : [updates];
	// No transaction: read (or take the row this reporter wrote last), then write only if nobody
	// wrote in between (the revision: every write bumps it), else read again. A report is on the
	// live path of every viewer (P4, P5): a transaction with a row lock took five round trips where
	// this takes one, or two after someone else's write.
	for (;;) {
		const row = known?.get(id) ?? (await db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst());
		known?.delete(id);
		if (!row || row.state !== 'running') return undefined;
		let currentItem = row.current_item;
		const stages = row.stages.map((stage) => {
			const update = list.find((u) => u.stage === stage.key);
			if (!update) return stage;
			const total = update.total ?? stage.total;
			return { ...stage, total, done: Math.max(stage.done, Math.min(update.done, total)) };
		});
		for (const update of list) if (update.currentItem !== undefined) currentItem = update.currentItem;
		const write = db
			.updateTable('operations')
			.set({ stages: JSON.stringify(stages), current_item: currentItem, revision: sql`revision + 1` })
			.where('id', '=', id)
			.where('revision', '=', row.revision)
			.where('state', '=', 'running')
			.returningAll();
		// The timeline: each stage that is done now and was not before, in the same statement.
		const isDone = (stage: OperationStage) => stage.total > 0 && stage.done >= stage.total;
		const finished = stages.filter((stage, index) => isDone(stage) && !isDone(row.stages[index]!));
		const details = finished.map((stage) => JSON.stringify({ key: stage.key, label: stage.label, total: stage.total }));
		const updated =
			details.length === 0
				? await write.executeTakeFirst()
				: (
						await sql<OperationRow>`
							with updated as (${write}),
							events as (
								insert into operation_events (operation_id, kind, detail)
								select updated.id, 'stage-finished', detail from updated, unnest(${details}::jsonb[]) as detail
							)
							select * from updated`.execute(db)
					).rows[0];
		if (updated) {
			known?.set(id, updated);
			return toOperation(updated);
		}
	}
}

/** Adds a stage to a running operation unless it has it (work a plan finds it needs, like pull requests). */
export async function addOperationStage(db: Kysely<Database>, id: string, stage: OperationStage): Promise<Operation | undefined> {
	const row = await db
		.updateTable('operations')
		.set({ stages: sql`stages || ${JSON.stringify([stage])}::jsonb`, revision: sql`revision + 1` })
		.where('id', '=', id)
		.where('state', '=', 'running')
		.where(sql<boolean>`not jsonb_path_exists(stages, '$[*] ? (@.key == $key)', ${JSON.stringify({ key: stage.key })}::jsonb)`)
		.returningAll()
		.executeTakeFirst();
	return row ? toOperation(row) : undefined;
}

/** Ends a running operation. Idempotent: ending an ended one changes nothing and returns it. */
export async function finishOperation(
	db: Kysely<Database>,
	id: string,
	outcome: { state: Exclude<OperationState, 'running'>; error?: string | null; result?: Record<string, unknown> | null }
): Promise<Operation | undefined> {
	const row = await db
		.updateTable('operations')
		.set({
			state: outcome.state,
			error: outcome.error ?? null,
			result: outcome.result ? JSON.stringify(outcome.result) : null,
			ended_at: sql`now()`,
			current_item: null,
			revision: sql`revision + 1`
		})
		.where('id', '=', id)
		.where('state', '=', 'running')
		.returningAll()
		.executeTakeFirst();
	if (row) return toOperation(row);
	return getOperation(db, id);
}

/** The running operations of an organisation whose scope starts with `scopePrefix`, newest first. */
export async function listRunningOperations(db: Kysely<Database>, organizationId: string, scopePrefix: string, limit: number): Promise<Operation[]> {
	const rows = await db
		.selectFrom('operations')
		.selectAll()
		.where('organization_id', '=', organizationId)
		.where('scope', 'like', `${scopePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
		.where('state', '=', 'running')
		.orderBy('started_at', 'desc')
		.limit(limit)
		.execute();
	return rows.map(toOperation);
}

export interface OperationFilter {
	kind?: string;
	state?: OperationState;
	/** An operation's scope: one integration's, all integrations', the system's. */
	scope?: string;
	startedBy?: string;
}

/** One page of an organisation's operations, newest first, and how many match in all. */
export async function listOrganizationOperations(
	db: Kysely<Database>,
	organizationId: string,
	filter: OperationFilter & { page: number; pageSize: number }
): Promise<{ operations: Operation[]; total: number; page: number }> {
	let query = db.selectFrom('operations').where('organization_id', '=', organizationId);
	if (filter.kind) query = query.where('kind', '=', filter.kind);
	if (filter.state) query = query.where('state', '=', filter.state);
	if (filter.scope) query = query.where('scope', '=', filter.scope);
	if (filter.startedBy) query = query.where('started_by', '=', filter.startedBy);
	const { total } = await query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await query
		.selectAll()
		.orderBy('started_at', 'desc')
		.orderBy('id', 'desc')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	return { operations: rows.map(toOperation), total, page };
}

/** What the filters offer: the kinds, subjects and people an organisation's operations have. */
export async function operationFacets(db: Kysely<Database>, organizationId: string) {
	const [kinds, subjects, people] = await Promise.all([
		db.selectFrom('operations').select('kind').distinct().where('organization_id', '=', organizationId).orderBy('kind').execute(),
		db
			.selectFrom('operations')
			.select(['scope', sql<string | null>`max(subject_label)`.as('label')])
			.where('organization_id', '=', organizationId)
			.groupBy('scope')
			.orderBy(sql`max(subject_label)`)
			.limit(500)
			.execute(),
		db
			.selectFrom('operations')
			.select('started_by')
			.distinct()
			.where('organization_id', '=', organizationId)
			.where('started_by', 'is not', null)
			.orderBy('started_by')
			.limit(500)
			.execute()
	]);
	return {
		kinds: kinds.map((k) => k.kind),
		subjects: subjects.map((s) => ({ scope: s.scope, label: s.label })),
		people: people.map((p) => p.started_by!)
	};
}

/** An operation's timeline, oldest first. */
export async function operationTimeline(db: Kysely<Database>, operationId: string): Promise<OperationEvent[]> {
	const rows = await db.selectFrom('operation_events').selectAll().where('operation_id', '=', operationId).orderBy('id').limit(1_000).execute();
	return rows.map((row) => ({ id: String(row.id), at: row.at.toISOString(), kind: row.kind, detail: row.detail }));
}
