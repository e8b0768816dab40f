import { fail } from '@sveltejs/kit';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings, workflowUrlBase } from '#core/config.ts';
import { checkHealth } from '#lib/server/health.ts';
import { listOperations, OperationAlreadyRunningError } from '#core/operations/queries.ts';
import { startSelfCheck, systemScope } from '#lib/server/operations/self-check.ts';
import { database } from '#lib/server/runtime.ts';
import { selfCheckKind } from '../../../workflows/self-check/contract.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard('signed-in', async (_event, user) => {
	const settings = readSettings();
	const [health, operations] = await Promise.all([
		checkHealth(),
		// With Postgres down the page still renders, and the health cards say why.
		listOperations(database().db, {
			organizationId: user.organizationId,
			scope: systemScope,
			kind: selfCheckKind,
			limit: 6
		}).catch(() => [])
	]);
	return {
		health,
		operations,
		workflowUrlBase: workflowUrlBase(settings)
	};
});

export const actions: Actions = {
	runSelfCheck: guard('system.run', async (_event, user) => {
		try {
			const operation = await startSelfCheck(user);
			return { operationId: operation.id };
		} catch (error) {
			if (error instanceof OperationAlreadyRunningError) {
				return fail(409, { message: 'A self-check is already running; its progress is shown below.' });
			}
			const reason = error instanceof Error ? error.message : String(error);
			return fail(503, { message: `The self-check could not start: ${reason}` });
		}
	})
};
