import { capabilitiesOf } from '#core/domain/accounts/permissions.ts';
import { publicRoute } from '#lib/server/auth/guard.ts';
import type { LayoutServerLoad } from './$types';

// Who is signed in and what they may do, for every page's header and controls. Each page's own
// load still checks its permission on the server.
export const load: LayoutServerLoad = publicRoute(({ locals }) => ({
	user: locals.user,
	can: capabilitiesOf(locals.user)
}));
