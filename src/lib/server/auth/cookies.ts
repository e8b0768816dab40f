import type { Cookies } from '@sveltejs/kit';
import { sessionCookieName } from './sessions.ts';

// httpOnly (no script reads it), sameSite=lax (not sent on cross-site posts), secure whenever the
// site is served over https, which is how it runs in production (behind TLS, ORIGIN=https://…).
export function setSessionCookie(cookies: Cookies, url: URL, token: string, expiresAt: Date): void {
	cookies.set(sessionCookieName, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		expires: expiresAt
	});
}

export function deleteSessionCookie(cookies: Cookies, url: URL): void {
	cookies.delete(sessionCookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:' });
}
