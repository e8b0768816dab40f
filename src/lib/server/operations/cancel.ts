// Cancelling an operation (SPEC B1): its workflow is cancelled through Temporal; the activity
// under way hears it at its next heartbeat (git, HTTP and COPY stop with it), the workflow records
// "cancelled", and the next run carries on from the checkpoints the work stored.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { can, refusal } from '#core/domain/accounts/permissions.ts';
import { cancellation, type Operation } from '#core/domain/operations/operation.ts';
import { recordAudit } from '#core/accounts/audit.ts';
import { getOperation, toOperation } from '#core/operations/queries.ts';
import { broadcastProgress } from '#core/operations/broadcast.ts';
import { database, realtime, temporal } from '#lib/server/runtime.ts';
import { operationName } from '#lib/operations/describe.ts';
import { subjectText } from '#lib/operations/states.ts';

export type CancelOutcome = { ok: true; operation: Operation } | { ok: false; status: 403 | 404 | 409; message: string };

export async function cancelOperation(user: SignedInUser, operationId: string): Promise<CancelOutcome> {
	const { db } = database();
	const operation = await getOperation(db, operationId);
	if (!operation || operation.organizationId !== user.organizationId) return { ok: false, status: 404, message: 'There is no such operation in your organisation.' };
	const rule = cancellation(operation);
	if (!rule.allowed) return { ok: false, status: 409, message: rule.reason };
	if (!can(user, rule.permission)) return { ok: false, status: 403, message: refusal(rule.permission) };

	// Who asked is written first (the timeline and the page say so at once); a second request
	// changes nothing and is not audited twice.
	const marked = await db.transaction().execute(async (trx) => {
		const row = await trx
			.updateTable('operations')
			.set((eb) => ({ cancelled_by: user.email, revision: eb('revision', '+', 1) }))
			.where('id', '=', operation.id)
			.where('state', '=', 'running')
			.where('cancelled_by', 'is', null)
			.returningAll()
			.executeTakeFirst();
		if (row) {
			await recordAudit(trx, {
				organizationId: user.organizationId,
				actor: user,
				subject: { type: 'operation', id: operation.id, label: `${operationName(operation.kind)} of ${subjectText(operation)}` },
				action: 'operation.cancelled'
			});
		}
		return row;
	});
	if (marked) broadcastProgress(realtime(), toOperation(marked));
	try {
		await temporal().workflow.getHandle(operation.workflowId).cancel();
	} catch (error) {
		// Its workflow is gone already: the operation ends as its workflow did, or the check for
		// lost operations marks it.
		if (!(error instanceof WorkflowNotFoundError)) throw error;
	}
	return { ok: true, operation: marked ? toOperation(marked) : operation };
}
