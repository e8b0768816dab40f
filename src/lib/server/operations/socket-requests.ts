// Answers to what a browser's socket may ask about operations (see SocketRequests).
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Operation } from '#core/domain/operations/operation.ts';
import type { SocketRequests } from '#core/realtime/server.ts';
import { database } from '#lib/server/runtime.ts';
import { toOperation } from '#core/operations/queries.ts';

/** The operations among `ids` of the user's organisation (the socket then keeps those its rooms would hear). */
async function operationsOfOrganization(user: SignedInUser, ids: string[]): Promise<Operation[]> {
	if (ids.length === 0) return [];
	const rows = await database()
		.db.selectFrom('operations')
		.selectAll()
		.where('organization_id', '=', user.organizationId)
		.where('id', 'in', ids)
		.execute();
	return rows.map(toOperation);
}

/** Whether the integration is the user's organisation's: presence on its pages is for them only. */
async function ownsIntegration(user: SignedInUser, integrationId: string): Promise<boolean> {
	const row = await database()
		.db.selectFrom('integrations')
		.select('id')
		.where('id', '=', integrationId)
		.where('organization_id', '=', user.organizationId)
		.executeTakeFirst();
	return row !== undefined;
}

export const socketRequests: SocketRequests = { operations: operationsOfOrganization, ownsIntegration };
