// Sessions the way the Lucia guide (lucia-auth.com) describes them, since the `lucia` package is
// deprecated: a random token goes to the browser in a cookie; the database keeps only its SHA-256
// hash; sessions slide (renewed when half their life is gone) and end on sign-out, deactivation
// or expiry.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Kysely } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Database } from '#core/db/database.ts';
import { toSignedInUser } from '#lib/server/accounts/signed-in-user.ts';

export const sessionCookieName = 'tributary_session';
const dayMs = 24 * 60 * 60 * 1000;
const sessionLifetimeMs = 30 * dayMs;

export interface Session {
	id: string;
	userId: string;
	expiresAt: Date;
}

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdOf(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(db: Kysely<Database>, token: string, userId: string): Promise<Session> {
	const session: Session = { id: sessionIdOf(token), userId, expiresAt: new Date(Date.now() + sessionLifetimeMs) };
	await db.insertInto('sessions').values({ id: session.id, user_id: userId, expires_at: session.expiresAt }).execute();
	return session;
}

export interface ValidSession {
	session: Session;
	user: SignedInUser;
	/** True when the expiry moved: the cookie must be set again with the new date. */
	renewed: boolean;
}

/**
 * `renew: false` for callers that cannot set the cookie again (a Socket.IO handshake): moving the
 * expiry there would leave the browser's cookie expiring first.
 */
export async function validateSessionToken(db: Kysely<Database>, token: string, options: { renew?: boolean } = {}): Promise<ValidSession | null> {
	// A token is 32 base32 characters; anything else is not worth a query.
	if (!/^[a-z2-7]{32}$/.test(token)) return null;
	const id = sessionIdOf(token);
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.innerJoin('organizations', 'organizations.id', 'users.organization_id')
		.select([
			'sessions.id',
			'sessions.expires_at',
			'users.id as user_id',
			'users.organization_id',
			'organizations.name as organization_name',
			'users.email',
			'users.name',
			'users.integrations_level',
			'users.is_admin',
			'users.deactivated_at'
		])
		.where('sessions.id', '=', id)
		.executeTakeFirst();
	if (!row) return null;
	if (row.deactivated_at || Date.now() >= row.expires_at.getTime()) {
		await db.deleteFrom('sessions').where('id', '=', id).execute();
		return null;
	}
	let expiresAt = row.expires_at;
	let renewed = false;
	if (options.renew !== false && Date.now() >= expiresAt.getTime() - sessionLifetimeMs / 2) {
		expiresAt = new Date(Date.now() + sessionLifetimeMs);
		await db.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
		renewed = true;
	}
	return {
		session: { id, userId: row.user_id, expiresAt },
		user: toSignedInUser(row.user_id, row),
		renewed
	};
}

export async function invalidateSession(db: Kysely<Database>, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateUserSessions(db: Kysely<Database>, userId: string): Promise<void> {
	await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
