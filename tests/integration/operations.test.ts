import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	finishOperation,
	insertOperation,
	OperationAlreadyRunningError,
	recordProgress
} from '#core/operations/queries.ts';
import { createOrganization } from '../../src/lib/server/accounts/organizations.ts';
import type { OperationRow } from '#core/db/tables/operations.ts';
import { connectDatabase, createAsyncCommitPool } from '#core/db/connect.ts';
import { createTestSystem, waitFor, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let organizationId: string;
beforeAll(async () => {
	system = await createTestSystem();
	organizationId = (await createOrganization(system.database.db, 'Operations test')).id;
});
afterAll(() => system?.stop());

const stages = [
	{ key: 'fetch', label: 'Fetch', done: 0, total: 10 },
	{ key: 'store', label: 'Store', done: 0, total: 5 }
];

function newOperation(scope: string) {
	return insertOperation(system.database.db, {
		organizationId,
		kind: 'test.kind',
		scope,
		stages,
		startedBy: 'tester',
		workflowId: (id) => `test-${id}`
	});
}

describe('operations in Postgres', () => {
	it('starts running with its stages at zero and a workflow id derived from its own id', async () => {
		const operation = await newOperation('scope-a');
		expect(operation.state).toBe('running');
		expect(operation.stages.map((s) => s.done)).toEqual([0, 0]);
		expect(operation.workflowId).toBe(`test-${operation.id}`);
	});

	it('refuses a second running operation of the same kind and scope, and says which one runs', async () => {
		const first = await newOperation('scope-b');
		const second = newOperation('scope-b');
		await expect(second).rejects.toBeInstanceOf(OperationAlreadyRunningError);
		await expect(second).rejects.toMatchObject({ running: { id: first.id } });
		await finishOperation(system.database.db, first.id, { state: 'succeeded' });
		const third = await newOperation('scope-b');
		expect(third.id).not.toBe(first.id);
	});

	it('records progress per stage, never backwards, and bumps the revision each time', async () => {
		const operation = await newOperation('scope-c');
		const a = await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 4, currentItem: 'item 4' });
		const b = await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 2, currentItem: 'item 2 (retried)' });
		const c = await recordProgress(system.database.db, operation.id, { stage: 'store', done: 99 });
		expect(a?.stages[0]?.done).toBe(4);
		expect(b?.stages[0]?.done).toBe(4);
		expect(c?.stages[1]?.done).toBe(5);
		expect([a?.revision, b?.revision, c?.revision]).toEqual([2, 3, 4]);
		expect(c?.currentItem).toBe('item 2 (retried)');
	});

	it('takes reports sent at once from parallel activities: none lost, each stage finished once on the timeline', async () => {
		const operation = await newOperation('scope-parallel');
		const reports = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? { stage: 'fetch', done: i / 2 + 1 } : { stage: 'store', done: (i - 1) / 2 + 1 }));
		const written = await Promise.all(reports.map((report) => recordProgress(system.database.db, operation.id, report)));
		const revisions = written.map((op) => op!.revision).sort((x, y) => x - y);
		// Every report was one write of its own, on the revision before it.
		expect(revisions).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
		const [last] = written.filter((op) => op!.revision === 31);
		expect(last!.stages.map((stage) => stage.done)).toEqual([10, 5]);
		const events = await system.database.db.selectFrom('operation_events').select(['kind', 'detail']).where('operation_id', '=', operation.id).where('kind', '=', 'stage-finished').execute();
		expect(events.map((event) => (event.detail as { key: string }).key).sort()).toEqual(['fetch', 'store']);
	});

	it('starts a report from the row its reporter wrote last, and reads again when someone else wrote since', async () => {
		const operation = await newOperation('scope-known');
		const known = new Map<string, OperationRow>();
		await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 3 }, known);
		expect(known.get(operation.id)?.revision).toBe(2);
		// Another process's write: the remembered row is out of date.
		await recordProgress(system.database.db, operation.id, { stage: 'store', done: 4, currentItem: 'from elsewhere' });
		const next = await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 5 }, known);
		expect(next?.stages.map((stage) => stage.done)).toEqual([5, 4]);
		expect(next?.currentItem).toBe('from elsewhere');
		expect(next?.revision).toBe(4);
		await finishOperation(system.database.db, operation.id, { state: 'succeeded' });
		// Ended elsewhere: the remembered row must not let a report through.
		expect(await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 6 }, known)).toBeUndefined();
		expect(known.has(operation.id)).toBe(false);
	});

	it('ends once: a repeated finish changes nothing, and progress after the end is ignored', async () => {
		const operation = await newOperation('scope-d');
		const failed = await finishOperation(system.database.db, operation.id, { state: 'failed', error: 'it broke' });
		const again = await finishOperation(system.database.db, operation.id, { state: 'succeeded' });
		expect(failed?.state).toBe('failed');
		expect(again).toEqual(failed);
		expect(await recordProgress(system.database.db, operation.id, { stage: 'fetch', done: 1 })).toBeUndefined();
		expect(failed?.endedAt).not.toBeNull();
	});
});

describe('the connections progress is reported on', () => {
	it('commit without waiting for the disk, and end with the database handle they were made beside', async () => {
		const handle = connectDatabase(system.env.DATABASE_URL!, { max: 3, name: 'tributary-handle-test' });
		const reports = createAsyncCommitPool(handle.pool, 'tributary-async-test', 2);
		const { rows } = await reports.query<{ synchronous_commit: string }>('show synchronous_commit');
		expect(rows[0]!.synchronous_commit).toBe('off');
		const open = async () =>
			(
				await system.database.pool.query<{ count: number }>(`select count(*)::int as count from pg_stat_activity where application_name = 'tributary-async-test'`)
			).rows[0]!.count;
		expect(await open()).toBe(1);

		await handle.close();
		expect(reports.ended).toBe(true);
		await waitFor('the async-commit connection to close', async () => (await open()) === 0, 5_000);
	});
});
