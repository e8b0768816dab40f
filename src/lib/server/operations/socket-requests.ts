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

export const socketRequests: SocketRequests = { operations: operationsOfOrganization };
