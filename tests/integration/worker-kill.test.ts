// A worker killed with SIGKILL in the middle of a self-check: once a worker runs again, Temporal
// retries the interrupted activity, which resumes from its last heartbeat, and the operation ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOperation } from '../../src/lib/server/operations/queries.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let manager: string;

beforeAll(async () => {
	system = await createTestSystem();
	const demo = await system.seedDemo();
	web = await system.startWeb();
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
});
afterAll(() => system?.stop());

describe('worker killed mid-run', () => {
	it('completes the self-check after a restart, every stage counted once', async () => {
		const first = await system.startWorker();
		const response = await submitAction(web.url, '/system?/runSelfCheck', {}, manager);
		const id = response.data?.operationId as string;

		// Kill it once it is visibly mid-way through the first stage.
		const midway = await waitFor('progress past 5 of 20', async () => {
			const op = await getOperation(system.database.db, id);
			return op && op.stages[0]!.done >= 5 && op.stages[0]!.done < 20 ? op : undefined;
		});
		first.child.kill('SIGKILL');
		await new Promise((resolve) => first.child.once('exit', resolve));
		expect(midway.state).toBe('running');

		const second = await system.startWorker();
		const ended = await waitForOperationEnd(system, id, 60_000);
		expect(ended.error).toBeNull();
		expect(ended.state).toBe('succeeded');
		expect(ended.stages.map((s) => [s.done, s.total])).toEqual([
			[20, 20],
			[1, 1],
			[20, 20]
		]);
		// The samples measured before the kill were kept, not measured again: 20 in all.
		expect(ended.result).toMatchObject({ postgres: { samples: 20 }, worker: { pid: second.pid } });
	});
});
