import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

// The integrations page becomes home once it exists; until then the System page is.
export const GET: RequestHandler = () => redirect(307, '/system');
