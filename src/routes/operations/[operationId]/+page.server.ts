// One operation's page (SPEC B2): its counts live and its timeline, at an address support can send.
import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { readSettings, workflowUrlBase } from '#core/config.ts';
import { integrationIdOfScope } from '#core/domain/integrations/integration.ts';
import { getOperation, operationTimeline } from '#core/operations/queries.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { database } from '#lib/server/runtime.ts';
import { cancelOperation } from '#lib/server/operations/cancel.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard('integrations.view', async ({ params }, user) => {
	const { db } = database();
	// Another organisation's operation is as absent as one that never was.
	const operation = z.uuid().safeParse(params.operationId).success ? await getOperation(db, params.operationId) : undefined;
	if (!operation || operation.organizationId !== user.organizationId) error(404, 'There is no such operation in your organisation.');
	const integrationId = integrationIdOfScope(operation.scope);
	const [timeline, integration] = await Promise.all([
		operationTimeline(db, operation.id),
		integrationId
			? db.selectFrom('integrations').select('id').where('id', '=', integrationId).where('organization_id', '=', user.organizationId).executeTakeFirst()
			: undefined
	]);
	return { operation, timeline, integrationExists: integration !== undefined, workflowUrlBase: workflowUrlBase(readSettings()) };
});

export const actions: Actions = {
	// The manage level at least; an action for all integrations needs the delete level, which
	// cancelOperation checks against the operation.
	cancel: guard('integrations.manage', async ({ params }, user) => {
		if (!z.uuid().safeParse(params.operationId).success) return fail(404, { message: 'There is no such operation in your organisation.' });
		const outcome = await cancelOperation(user, params.operationId);
		if (!outcome.ok) return fail(outcome.status, { message: outcome.message });
		return { done: 'Cancelling: the work stops at its next checkpoint, and what it stored so far is kept for the next run.' };
	})
};
