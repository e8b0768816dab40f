// A mistake in Tributary's own code (a TypeError in a bookkeeping step) fails the same way on
// every try: the update must end, failed, with the mistake recorded, instead of retrying for ever
// and staying "running". A passing failure (a lost connection) is still retried. The workflow runs
// on the real Temporal; the activities are stand-ins that fail on cue.
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { updateIntegrationWorkflow } from '../../workflows/integrations/update.ts';

const address = inject('temporalAddress');
let connection: NativeConnection;
let client: Client;
let workflowBundle: { code: string };

beforeAll(async () => {
	Runtime.install({ logger: new DefaultLogger('WARN') });
	connection = await NativeConnection.connect({ address });
	client = new Client({ connection: await Connection.connect({ address }) });
	workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: new DefaultLogger('WARN') });
});
afterAll(async () => {
	await client?.connection.close();
	await connection?.close();
});

/** Runs an update whose planning fails with `failure` (the first `failures` times), with stand-in activities. */
async function runUpdate(failure: () => Error, failures: number) {
	const taskQueue = `workflow-mistakes-${process.pid}-${Math.random().toString(36).slice(2)}`;
	const calls = { planUpdate: 0, failUpdate: [] as Array<{ state: string; message: string }>, finishUpdate: 0 };
	const worker = await Worker.create({
		connection,
		taskQueue,
		workflowBundle,
		activities: {
			async planUpdate() {
				calls.planUpdate++;
				if (calls.planUpdate <= failures) throw failure();
				return [];
			},
			// No ticket projects: the update's repositories are all there is.
			async planTickets() {
				return [];
			},
			async finishUpdate() {
				calls.finishUpdate++;
			},
			async failUpdate(input: { state: string; message: string }) {
				calls.failUpdate.push({ state: input.state, message: input.message });
			}
		}
	});
	const outcome = await worker.runUntil(
		client.workflow
			.execute<typeof updateIntegrationWorkflow>('updateIntegrationWorkflow', {
				taskQueue,
				workflowId: taskQueue,
				args: [{ version: 1, operationId: 'op', integrationId: 'integration', concurrency: 1, discover: false }],
				workflowExecutionTimeout: '30 seconds'
			})
			.then(
				() => 'succeeded',
				(error: unknown) => error
			)
	);
	return { outcome, calls };
}

describe('an update whose own code fails', () => {
	it('ends failed at the first TypeError, and says what it was', async () => {
		const { outcome, calls } = await runUpdate(() => new TypeError("Cannot read properties of undefined (reading 'kind')"), Infinity);
		expect(outcome).toBeInstanceOf(WorkflowFailedError);
		expect(calls.planUpdate).toBe(1);
		expect(calls.failUpdate).toEqual([{ state: 'failed', message: expect.stringContaining("reading 'kind'") }]);
	});

	it('still retries a failure that passes, and then finishes', async () => {
		const { outcome, calls } = await runUpdate(() => new Error('Connection terminated unexpectedly'), 2);
		expect(outcome).toBe('succeeded');
		expect(calls.planUpdate).toBe(3);
		expect(calls.finishUpdate).toBe(1);
		expect(calls.failUpdate).toEqual([]);
	});
});
