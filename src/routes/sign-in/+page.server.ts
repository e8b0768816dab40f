import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { findUserByEmail } from '#lib/server/accounts/users.ts';
import { setSessionCookie } from '#lib/server/auth/cookies.ts';
import { publicRoute } from '#lib/server/auth/guard.ts';
import { verifyDecoy, verifyPassword } from '#lib/server/auth/passwords.ts';
import { createSession, generateSessionToken } from '#lib/server/auth/sessions.ts';
import { accountKey, addressKey, blockedUntil, clearAccountFailures, recordFailure } from '#lib/server/auth/sign-in-limits.ts';
import { email, password, readForm, safeNext } from '#lib/server/forms.ts';
import { database } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const signInForm = z.object({ email: email(), password: password() });
const noErrors: Record<string, string> = {};

export const load: PageServerLoad = publicRoute(({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	return {};
});

function tryAgainMessage(until: Date): string {
	const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
	return `Too many failed sign-ins. Try again in ${seconds} seconds (at ${until.toISOString().slice(11, 19)} UTC).`;
}

export const actions: Actions = {
	default: publicRoute(async ({ request, cookies, url, getClientAddress }) => {
		const form = readForm(await request.formData(), signInForm);
		if (!form.ok) return fail(400, { email: form.values.email ?? '', errors: form.errors, message: null as string | null });
		const { db } = database();
		const keys = { account: accountKey(form.data.email), address: addressKey(getClientAddress()) };

		const until = await blockedUntil(db, keys);
		if (until) {
			return fail(429, { email: form.data.email, errors: noErrors, message: tryAgainMessage(until), retryAt: until.toISOString() });
		}
		const user = await findUserByEmail(db, form.data.email);
		const matches = user ? await verifyPassword(user.password_hash, form.data.password) : (await verifyDecoy(form.data.password), false);
		if (!user || !matches) {
			await recordFailure(db, keys);
			return fail(400, { email: form.data.email, errors: noErrors, message: 'That email and password do not match an account.' });
		}
		if (user.deactivated_at) {
			return fail(403, {
				email: form.data.email,
				errors: noErrors,
				message: 'This account has been deactivated. Ask an admin of your organisation.'
			});
		}
		await clearAccountFailures(db, keys.account);
		const token = generateSessionToken();
		const session = await createSession(db, token, user.id);
		setSessionCookie(cookies, url, token, session.expiresAt);
		redirect(303, safeNext(url.searchParams.get('next')));
	})
};
