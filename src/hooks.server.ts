import type { Handle, HandleServerError } from '@sveltejs/kit/hooks';
import { deleteSessionCookie, setSessionCookie } from '#lib/server/auth/cookies.ts';
import { sessionCookieName, validateSessionToken } from '#lib/server/auth/sessions.ts';
import { createLogger } from '#core/logger.ts';
import { database } from '#lib/server/runtime.ts';

const log = createLogger('web');

// Who is asking: read on every request. What they may do is decided by each route's guard.
export const handle: Handle = async ({ event, resolve }) => {
	// SvelteKit throws (a 500) when a form names the default action explicitly; it is bad input.
	if (event.request.method === 'POST' && event.url.searchParams.has('/default')) {
		return new Response(JSON.stringify({ message: 'Post to the page itself for its default action, not ?/default.' }), {
			status: 400,
			headers: { 'content-type': 'application/json' }
		});
	}
	event.locals.user = null;
	event.locals.sessionId = null;
	const token = event.cookies.get(sessionCookieName);
	if (token) {
		const valid = await validateSessionToken(database().db, token);
		if (valid) {
			event.locals.user = valid.user;
			event.locals.sessionId = valid.session.id;
			if (valid.renewed) setSessionCookie(event.cookies, event.url, token, valid.session.expiresAt);
		} else {
			deleteSessionCookie(event.cookies, event.url);
		}
	}
	return resolve(event);
};

// Errors we raise (401, 403, 404…) keep their own sentence. Unexpected ones are logged with their
// detail and shown as one plain sentence, never a stack trace.
export const handleError: HandleServerError = (caught) => {
	if (caught.kind !== 'unknown') return;
	const detail = caught.error instanceof Error ? caught.error.message : String(caught.error);
	log.error({ err: detail, path: caught.event.url.pathname }, 'request failed');
	return { message: 'Something went wrong on our side; it has been logged.' };
};
