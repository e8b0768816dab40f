// Answers to what a browser's socket may ask about operations (see SocketRequests).
import type { SignedInUser } from '#lib/accounts/user.ts';
import type { Operation } from '#lib/operations/operation.ts';
import type { SocketRequests } from '#lib/server/realtime/server.ts';
import { database } from '#lib/server/runtime.ts';
import { canWatch } from './broadcast.ts';
import { toOperation } from './queries.ts';

/** The operations among `ids` of the user's organisation that the user's sockets would be told about. */
async function watchableOperations(user: SignedInUser, ids: string[]): Promise<Operation[]> {
	if (ids.length === 0) return [];
	const rows = await database()
		.db.selectFrom('operations')
		.selectAll()
		.where('organization_id', '=', user.organizationId)
		.where('id', 'in', ids)
		.execute();
	return rows.map(toOperation).filter((operation) => canWatch(user, operation));
}

export const socketRequests: SocketRequests = { operations: watchableOperations };
