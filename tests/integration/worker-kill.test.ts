// A worker killed with SIGKILL in the middle of a self-check: once a worker runs again, Temporal
// retries the interrupted activity, which resumes from its last heartbeat, and the operation ends.
// Twenty samples in the result would hold after a restart from zero too; what only a resume gives
// is that the samples checkpointed before the kill are not measured (nor reported) again.
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOperation } from '#core/operations/queries.ts';
import { selfCheckWorkflowId } from '../../workflows/self-check/contract.ts';
import { createTestSystem, demoUser, signIn, submitAction, waitFor, waitForOperationEnd, type RunningWeb, type TestSystem } from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let manager: string;
let temporal: Client;

beforeAll(async () => {
	system = await createTestSystem();
	const demo = await system.seedDemo();
	web = await system.startWeb();
	const { email, password } = demoUser(demo, 'manager@acme.example');
	manager = await signIn(web.url, email, password);
	temporal = new Client({ connection: await Connection.connect({ address: system.env.TEMPORAL_ADDRESS! }) });
});
afterAll(async () => {
	await temporal?.connection.close();
	await system?.stop();
});

/** How many Postgres samples Temporal holds as the running check's checkpoint (its heartbeat details). */
async function checkpointedSamples(operationId: string): Promise<number> {
	const description = await temporal.workflow.getHandle(selfCheckWorkflowId(operationId)).describe();
	const activity = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'checkPostgres');
	const details = activity?.heartbeatDetails?.payloads?.[0];
	return details ? defaultPayloadConverter.fromPayload<number[]>(details).length : 0;
}

describe('worker killed mid-run', () => {
	it('completes the self-check after a restart, resuming from its checkpoint', async () => {
		const first = await system.startWorker();
		const response = await submitAction(web.url, '/system?/runSelfCheck', {}, manager);
		const id = response.data?.operationId as string;

		// Kill it once Temporal holds a checkpoint of at least 5 of the first stage's 20 samples.
		const checkpointed = await waitFor('a checkpoint of 5 samples or more', async () => {
			const samples = await checkpointedSamples(id);
			return samples >= 5 ? samples : undefined;
		});
		first.child.kill('SIGKILL');
		await new Promise((resolve) => first.child.once('exit', resolve));
		const atKill = (await getOperation(system.database.db, id))!;
		expect(atKill.state).toBe('running');
		expect(atKill.stages[0]!.done).toBeLessThan(20);

		const second = await system.startWorker();
		const ended = await waitForOperationEnd(system, id, 60_000);
		expect(ended.error).toBeNull();
		expect(ended.state).toBe('succeeded');
		expect(ended.stages.map((s) => [s.done, s.total])).toEqual([
			[20, 20],
			[1, 1],
			[20, 20]
		]);
		expect(ended.result).toMatchObject({ postgres: { samples: 20 }, worker: { pid: second.pid } });
		// Support sees the restart it survived: one attempt again, after a lost worker.
		expect({ retries: ended.retries, restarts: ended.restarts }).toEqual({ retries: 1, restarts: 1 });
		// Every report bumps the revision. After the restart: the retry recorded, the Postgres samples
		// not checkpointed, the worker check, 20 broadcasts and the end. A restart from zero would add
		// all 20 samples.
		const reportsAfterKill = ended.revision - atKill.revision;
		expect(reportsAfterKill).toBeLessThanOrEqual(1 + (20 - checkpointed) + 1 + 20 + 1);
	});
});
