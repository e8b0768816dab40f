// Every load, form action and endpoint is wrapped in `guard(permission, handler)`. The wrapper
// checks the permission on the server before the handler runs, and carries the permission as a
// tag so a test can read it from the route files and prove that nothing is left unguarded.
import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { can, refusal, type Permission } from '#core/domain/accounts/permissions.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';

const permissionTag = Symbol.for('tributary.permission');

type Tagged = { [permissionTag]?: Permission };

export function declaredPermission(handler: unknown): Permission | undefined {
	return typeof handler === 'function' ? (handler as Tagged)[permissionTag] : undefined;
}

type Event = Pick<RequestEvent, 'locals' | 'url' | 'request'>;

function signInRequired(event: Event): never {
	// A page visit goes to the sign-in page and comes back; anything else is simply refused.
	if (event.request.method === 'GET' && !event.url.pathname.startsWith('/api/')) {
		redirect(303, `/sign-in?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	}
	error(401, 'Sign in first.');
}

/** For handlers that need a signed-in user with `permission`. */
export function guard<E extends Event, R>(
	permission: Exclude<Permission, 'public'>,
	handler: (event: E, user: SignedInUser) => R
): (event: E) => R {
	const guarded = (event: E): R => {
		const user = event.locals.user;
		if (!user) signInRequired(event);
		if (!can(user, permission)) error(403, refusal(permission));
		return handler(event, user);
	};
	return Object.assign(guarded, { [permissionTag]: permission });
}

/** For the few handlers anyone may call (sign-in, health). Declared, so the test sees the choice. */
export function publicRoute<E extends Event, R>(handler: (event: E) => R): (event: E) => R {
	return Object.assign((event: E) => handler(event), { [permissionTag]: 'public' as Permission });
}
