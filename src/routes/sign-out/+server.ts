import { redirect } from '@sveltejs/kit';
import { deleteSessionCookie } from '#lib/server/auth/cookies.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { invalidateSession } from '#lib/server/auth/sessions.ts';
import { disconnectSession } from '#core/realtime/server.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { RequestHandler } from './$types';

// The session ends everywhere at once: its row, its cookie, and its live connections.
export const POST: RequestHandler = guard('signed-in', async ({ locals, cookies, url }) => {
	if (locals.sessionId) {
		await invalidateSession(database().db, locals.sessionId);
		disconnectSession(realtime(), locals.sessionId);
	}
	deleteSessionCookie(cookies, url);
	redirect(303, '/sign-in');
});
