import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { accountOpenedBy } from '#lib/server/accounts/users.ts';
import { setSessionCookie } from '#lib/server/auth/cookies.ts';
import { publicRoute } from '#lib/server/auth/guard.ts';
import { createSession, generateSessionToken } from '#lib/server/auth/sessions.ts';
import { beginSignInAttempt, forgetOldFailures, signInKeys, signInSucceeded } from '#lib/server/auth/sign-in-limits.ts';
import { email, password, readForm, safeNext } from '#core/forms.ts';
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
		const keys = signInKeys(form.data.email, getClientAddress());

		// Counted before the password is checked, so parallel guesses cannot slip past the limit.
		const attempt = await beginSignInAttempt(db, keys);
		if (!attempt.allowed) {
			return fail(429, { email: form.data.email, errors: noErrors, message: tryAgainMessage(attempt.until), retryAt: attempt.until.toISOString() });
		}
		const user = await accountOpenedBy(db, form.data.email, form.data.password);
		if (!user) {
			await forgetOldFailures(db);
			return fail(400, { email: form.data.email, errors: noErrors, message: 'That email and password do not match an account.' });
		}
		await signInSucceeded(db, keys, attempt);
		if (user.deactivated_at) {
			return fail(403, {
				email: form.data.email,
				errors: noErrors,
				message: 'This account has been deactivated. Ask an admin of your organisation.'
			});
		}
		const token = generateSessionToken();
		const session = await createSession(db, token, user.id);
		setSessionCookie(cookies, url, token, session.expiresAt);
		redirect(303, safeNext(url.searchParams.get('next')));
	})
};
