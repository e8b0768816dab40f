import { redirect } from '@sveltejs/kit';
import { can } from '#core/domain/accounts/permissions.ts';
import { publicRoute } from '#lib/server/auth/guard.ts';
import type { RequestHandler } from './$types';

// Home: the integrations page for those who may see it, else the System page; or sign in.
export const GET: RequestHandler = publicRoute(({ locals }) =>
	redirect(307, !locals.user ? '/sign-in' : can(locals.user, 'integrations.view') ? '/integrations' : '/system')
);
