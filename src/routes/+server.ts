import { redirect } from '@sveltejs/kit';
import { publicRoute } from '#lib/server/auth/guard.ts';
import type { RequestHandler } from './$types';

// Home: the System page for the signed-in (the integrations page takes over once it exists).
export const GET: RequestHandler = publicRoute(({ locals }) => redirect(307, locals.user ? '/system' : '/sign-in'));
