// The embedded Temporal (the dev server on its SQLite file) keeps what it was told across a
// crash: its file is written ahead (WAL) and synced lazily, which survives the process being
// killed (only a crash of the machine itself could lose the last moments). A workflow started
// before the server was killed outright is still there, still running, once it is back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { startTemporalDevServer, type RunningTemporal } from '../../scripts/engines/temporal.ts';

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-temporal-restart-'));
let running: RunningTemporal | undefined;

afterAll(async () => {
	await running?.stop();
	rmSync(stateDir, { recursive: true, force: true });
});

async function describeWorkflow(address: string, workflowId: string) {
	const connection = await Connection.connect({ address });
	try {
		return await new Client({ connection }).workflow.getHandle(workflowId).describe();
	} finally {
		await connection.close();
	}
}

describe('the embedded Temporal killed outright', () => {
	it('still has the workflows it had accepted once it runs again', async () => {
		running = await startTemporalDevServer(stateDir, () => {});
		const connection = await Connection.connect({ address: running.address });
		const workflowId = `kept-across-a-crash-${process.pid}`;
		try {
			// No worker serves this queue: the workflow waits, running, for one.
			await new Client({ connection }).workflow.start('waitsForAWorker', { taskQueue: `nobody-${process.pid}`, workflowId });
		} finally {
			await connection.close();
		}
		const pid = Number(readFileSync(path.join(stateDir, 'temporal', 'server.pid'), 'utf8').trim());
		process.kill(pid, 'SIGKILL');

		running = await startTemporalDevServer(stateDir, () => {});
		const described = await describeWorkflow(running.address, workflowId);
		expect(described.status.name).toBe('RUNNING');
		expect(described.type).toBe('waitsForAWorker');
	});
});
