import { sessionCookieName, validateSessionToken } from './sessions.ts';
import { database } from '#lib/server/runtime.ts';
import type { Handshake } from '#core/realtime/server.ts';

/** The session token in a raw Cookie header (a Socket.IO handshake has no SvelteKit cookies). */
function sessionTokenFromCookieHeader(header: string | undefined): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name === sessionCookieName) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

/** Socket.IO's handshake check: the same session validation every page load uses. */
export async function authenticateSocket(cookieHeader: string | undefined): Promise<Handshake | null> {
	const token = sessionTokenFromCookieHeader(cookieHeader);
	if (!token) return null;
	// The handshake cannot send a cookie back, so it must not move the session's expiry.
	const valid = await validateSessionToken(database().db, token, { renew: false });
	return valid && { user: valid.user, sessionId: valid.session.id };
}
