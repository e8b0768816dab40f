// Operations never stay running forever. A web process that stops between an operation's row and
// its workflow's start, and an Update all that stops after planning its per-integration updates,
// leave rows that say "running" with nothing behind them in Temporal. The worker compares running
// rows with Temporal when it starts and periodically, and marks those failed with a reason the
// card and banner show; a later update starts, and a deletion waiting for such an update goes on.
// An operation whose workflow Temporal still runs is left alone.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepository } from '../../scripts/generate-repo.ts';
import { describeOperation } from '../../src/lib/operations/describe.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '#core/domain/realtime/events.ts';
import { getOperation, insertOperation } from '#core/operations/queries.ts';
import { operationKinds, updateIntegrationWorkflowId, updateStages } from '../../workflows/integrations/contract.ts';
import { selfCheckKind, selfCheckStages, selfCheckWorkflowId, type SelfCheckInput } from '../../workflows/self-check/contract.ts';
import { createGitWrapper } from '../support/git-wrapper.ts';
import {
	connectSocket,
	createTestSystem,
	demoUser,
	signIn,
	submitAction,
	waitFor,
	waitForOperationEnd,
	type RunningProcess,
	type RunningWeb,
	type TestSystem
} from '../support/system.ts';

let system: TestSystem;
let web: RunningWeb;
let worker: RunningProcess;
let temporal: Client;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
let manager: string;
let deleter: string;
const finished: Operation[] = [];
const integrations: Array<{ id: string; name: string }> = [];

/** A worker that compares operations with Temporal when it starts and then every `seconds`. */
const startWorker = (seconds: number, env: NodeJS.ProcessEnv = {}) =>
	system.startWorker({ TRIBUTARY_LOST_OPERATIONS_CHECK_SECONDS: String(seconds), ...env });

const db = () => system.database.db;

async function latest(kind: string, scope: string) {
	return db().selectFrom('operations').select('id').where('kind', '=', kind).where('scope', '=', scope).orderBy('started_at', 'desc').executeTakeFirstOrThrow();
}

/** Makes operations look as old as a web process that stopped a day ago would have left them. */
async function backdate(ids: string[]): Promise<void> {
	await sql`update operations set started_at = now() - interval '1 day' where id = any(${ids}::uuid[])`.execute(db());
}

beforeAll(async () => {
	system = await createTestSystem({ TRIBUTARY_GIT_SCHEMES: 'https,ssh,file' });
	const demo = await system.seedDemo();
	web = await system.startWeb();
	worker = await startWorker(3600);
	temporal = new Client({ connection: await Connection.connect({ address: system.env.TEMPORAL_ADDRESS! }) });
	manager = await signIn(web.url, 'manager@acme.example', demoUser(demo, 'manager@acme.example').password);
	deleter = await signIn(web.url, 'deleter@acme.example', demoUser(demo, 'deleter@acme.example').password);
	socket = await connectSocket(web.url, manager);
	socket.on('operation.finished', (operation) => finished.push(operation));

	const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-lost-'));
	for (const [index, name] of ['One', 'Two', 'Three'].entries()) {
		const source = path.join(root, name.toLowerCase());
		await generateRepository(source, { commits: 150, branches: 1, tags: 2, seed: 60 + index });
		const added = await submitAction(web.url, '/integrations/new/generic-git', { name, urls: `file://${source}`, authMethod: 'none' }, manager);
		expect(added.type, JSON.stringify(added)).toBe('redirect');
		const { id } = await db().selectFrom('integrations').select('id').where('name', '=', name).executeTakeFirstOrThrow();
		integrations.push({ id, name });
		const first = await waitForOperationEnd(system, (await latest(operationKinds.update, `integration:${id}`)).id);
		expect(first.state, first.error ?? '').toBe('succeeded');
	}
}, 180_000);
afterAll(async () => {
	socket?.close();
	await temporal?.connection.close();
	await system?.stop();
});

describe('operations that Temporal no longer runs', () => {
	it('on worker start, fails an update whose workflow never started, with its reason; the next update starts; a running one is left alone', async () => {
		const one = integrations[0]!;
		const { organization_id: organizationId } = await db().selectFrom('integrations').select('organization_id').where('id', '=', one.id).executeTakeFirstOrThrow();
		await worker.stop();

		// What a web process leaves when it stops right after writing the row: no workflow at all.
		const lost = await insertOperation(db(), {
			organizationId,
			kind: operationKinds.update,
			scope: `integration:${one.id}`,
			stages: updateStages(1),
			startedBy: 'manager@acme.example',
			workflowId: updateIntegrationWorkflowId
		});
		// A self-check whose workflow Temporal runs (waiting on a task queue no worker serves yet).
		const live = await insertOperation(db(), {
			organizationId,
			kind: selfCheckKind,
			scope: 'system',
			stages: selfCheckStages(20),
			startedBy: 'manager@acme.example',
			workflowId: selfCheckWorkflowId
		});
		const liveWorkflow = await temporal.workflow.start('selfCheckWorkflow', {
			taskQueue: `no-worker-${live.id}`,
			workflowId: live.workflowId,
			args: [{ version: 1, operationId: live.id, samples: 20, intervalMs: 100 } satisfies SelfCheckInput]
		});
		await backdate([lost.id, live.id]);

		const refused = await submitAction(web.url, `/integrations/${one.id}?/update`, {}, manager);
		expect(refused.status).toBe(409);

		worker = await startWorker(3600);
		const ended = await waitForOperationEnd(system, lost.id);
		expect(ended.state).toBe('failed');
		expect(ended.error).toBe('Lost: its work never reached Temporal (the web process that started it stopped first), so nothing was done. Start it again.');
		// The same pass looked at the self-check: Temporal runs it, so it still runs.
		expect((await getOperation(db(), live.id))?.state).toBe('running');
		expect((await liveWorkflow.describe()).status.name).toBe('RUNNING');
		// Every viewer heard it end; the banner says why.
		const event = await waitFor('the finished event', async () => finished.find((op) => op.id === lost.id));
		expect(describeOperation(event, one.name)).toEqual({ title: `Update of “${one.name}” failed`, message: ended.error });
		// Nothing had begun: the integration keeps its status.
		expect((await db().selectFrom('integrations').select('data_status').where('id', '=', one.id).executeTakeFirstOrThrow()).data_status).toBe('healthy');

		const again = await submitAction(web.url, `/integrations/${one.id}?/update`, {}, manager);
		expect(again.type, JSON.stringify(again)).toBe('success');
		const next = await waitForOperationEnd(system, (await latest(operationKinds.update, `integration:${one.id}`)).id);
		expect(next.id).not.toBe(lost.id);
		expect(next.state, next.error ?? '').toBe('succeeded');

		await liveWorkflow.terminate('test over');
	});

	it('periodically, fails an Update all that stopped after planning and its updates; a deletion waiting for one goes on', async () => {
		// Updates that cannot finish: every fetch is held.
		const git = createGitWrapper({ hold: { command: 'fetch', repository: 'every' } });
		await worker.stop();
		worker = await startWorker(3600, { PATH: git.path });
		try {
			const asked = await submitAction(web.url, '/integrations?/updateAll', {}, deleter);
			expect(asked.type, JSON.stringify(asked)).toBe('success');
			const all = await latest(operationKinds.updateAll, 'integrations');
			// Planned (one update per integration) and under way; then the workflow is stopped for good.
			await waitFor('the planned updates to be fetching', async () => git.holding());
			const planned = await db().selectFrom('operations').select(['id', 'scope']).where('parent_id', '=', all.id).execute();
			expect(planned).toHaveLength(3);
			worker.child.kill('SIGKILL');
			await new Promise((resolve) => worker.child.once('exit', resolve));
			await temporal.workflow.getHandle(`update-all-${all.id}`).terminate('stopped by the test after planning');

			// A deletion asked for meanwhile waits for the integration's update to stop.
			const two = integrations[1]!;
			const deletion = await submitAction(web.url, `/integrations/${two.id}?/delete`, { confirm: 'yes' }, deleter);
			expect(deletion.type, JSON.stringify(deletion)).toBe('redirect');

			worker = await startWorker(1);
			const parent = await waitForOperationEnd(system, all.id);
			expect(parent.state).toBe('failed');
			expect(parent.error).toBe('Lost: its workflow was terminated in Temporal without recording an outcome. Start it again.');
			const event = await waitFor('the finished event', async () => finished.find((op) => op.id === all.id));
			expect(describeOperation(event)).toEqual({ title: 'Update of all repositories failed', message: parent.error });
			for (const update of planned) {
				const ended = await waitForOperationEnd(system, update.id);
				expect(ended.state).toBe('failed');
				expect(ended.error).toMatch(/^Lost: /);
			}

			const deleted = await waitForOperationEnd(system, (await latest(operationKinds.delete, `integration:${two.id}`)).id);
			expect(deleted.state, deleted.error ?? '').toBe('succeeded');
			// The others no longer say "processing": their status tells the update stopped.
			for (const { id } of [integrations[0]!, integrations[2]!]) {
				const row = await db().selectFrom('integrations').select(['data_status', 'status_detail']).where('id', '=', id).executeTakeFirstOrThrow();
				expect(row.data_status, row.status_detail ?? '').not.toBe('processing');
			}
		} finally {
			git.release();
		}

		// And the next Update all runs to its end.
		await worker.stop();
		worker = await startWorker(1);
		const asked = await submitAction(web.url, '/integrations?/updateAll', {}, deleter);
		expect(asked.type, JSON.stringify(asked)).toBe('success');
		const next = await waitForOperationEnd(system, (await latest(operationKinds.updateAll, 'integrations')).id);
		expect(next.state, next.error ?? '').toBe('succeeded');
		expect(next.result).toEqual({ integrations: 2 });
		for (const { id } of [integrations[0]!, integrations[2]!]) {
			const row = await db().selectFrom('integrations').select('data_status').where('id', '=', id).executeTakeFirstOrThrow();
			expect(row.data_status).toBe('healthy');
		}
	}, 300_000);
});
