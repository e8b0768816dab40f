// Users of an organisation. Every change here is audited in the same transaction; every query
// that takes a user id also takes the organisation, so nothing crosses organisations.
import { sql, type Kysely } from 'kysely';
import type { IntegrationsLevel } from '#core/domain/accounts/levels.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Database } from '#core/db/database.ts';
import type { UserRow } from '#core/db/tables/accounts.ts';
import { hashPassword, verifyDecoy, verifyPassword } from '#lib/server/auth/passwords.ts';
import { invalidateUserSessions } from '#lib/server/auth/sessions.ts';
import { recordAudit } from '#core/accounts/audit.ts';

export interface UserSummary {
	id: string;
	email: string;
	name: string;
	level: IntegrationsLevel;
	isAdmin: boolean;
	active: boolean;
	createdAt: string;
}

function toSummary(row: UserRow): UserSummary {
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		level: row.integrations_level,
		isAdmin: row.is_admin,
		active: row.deactivated_at === null,
		createdAt: row.created_at.toISOString()
	};
}

export class AccountError extends Error {}

export async function listUsers(db: Kysely<Database>, organizationId: string): Promise<UserSummary[]> {
	const rows = await db
		.selectFrom('users')
		.selectAll()
		.where('organization_id', '=', organizationId)
		.orderBy(sql`deactivated_at is not null`)
		.orderBy('email')
		.execute();
	return rows.map(toSummary);
}

/**
 * The accounts of an email address, oldest first. Each organisation may have one (an address is
 * unique only within an organisation), so sign-in lets the password choose among them.
 */
async function findUsersByEmail(db: Kysely<Database>, email: string): Promise<UserRow[]> {
	return db
		.selectFrom('users')
		.selectAll()
		.where(sql`lower(email)`, '=', email.trim().toLowerCase())
		.orderBy('created_at')
		.orderBy('id')
		.execute();
}

/**
 * The account this email and password open. Each organisation may hold the address once; all of
 * them are checked at the same time, so the answer takes as long for one account as for several
 * (and as for none: a decoy hash is checked then).
 */
export async function accountOpenedBy(db: Kysely<Database>, email: string, password: string): Promise<UserRow | undefined> {
	const candidates = await findUsersByEmail(db, email);
	if (candidates.length === 0) {
		await verifyDecoy(password);
		return undefined;
	}
	const matches = await Promise.all(candidates.map((user) => verifyPassword(user.password_hash, password)));
	const opened = candidates.filter((_, index) => matches[index]);
	return opened.find((user) => !user.deactivated_at) ?? opened[0];
}

export async function createUser(
	db: Kysely<Database>,
	actor: SignedInUser | null,
	input: { organizationId: string; email: string; name: string; password: string; level: IntegrationsLevel; isAdmin?: boolean }
): Promise<UserSummary> {
	const passwordHash = await hashPassword(input.password);
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('users')
			.values({
				organization_id: input.organizationId,
				email: input.email.trim(),
				name: input.name.trim(),
				password_hash: passwordHash,
				integrations_level: input.level,
				is_admin: input.isAdmin ?? false
			})
			.onConflict((oc) => oc.expression(sql`organization_id, lower(email)`).doNothing())
			.returningAll()
			.executeTakeFirst();
		// Only this organisation's accounts can conflict: nothing here tells of other organisations.
		if (!row) throw new AccountError(`${input.email.trim()} already has an account in this organisation.`);
		await recordAudit(trx, {
			organizationId: input.organizationId,
			actor,
			subject: { type: 'user', id: row.id, label: row.email },
			action: 'user.created',
			after: { email: row.email, name: row.name, level: row.integrations_level, admin: row.is_admin }
		});
		return toSummary(row);
	});
}

async function lockUser(trx: Kysely<Database>, organizationId: string, userId: string): Promise<UserRow> {
	const row = await trx
		.selectFrom('users')
		.selectAll()
		.where('id', '=', userId)
		.where('organization_id', '=', organizationId)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw new AccountError('No such user in your organisation.');
	return row;
}

export async function changeLevel(
	db: Kysely<Database>,
	actor: SignedInUser,
	userId: string,
	level: IntegrationsLevel
): Promise<UserSummary> {
	return db.transaction().execute(async (trx) => {
		const before = await lockUser(trx, actor.organizationId, userId);
		if (before.integrations_level === level) return toSummary(before);
		if (before.is_admin && level !== 'delete') {
			throw new AccountError('Organisation admins hold the “delete” level; remove admin first.');
		}
		const row = await trx
			.updateTable('users')
			.set({ integrations_level: level, version: sql`version + 1` })
			.where('id', '=', userId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			organizationId: actor.organizationId,
			actor,
			subject: { type: 'user', id: row.id, label: row.email },
			action: 'user.level_changed',
			before: { level: before.integrations_level },
			after: { level: row.integrations_level }
		});
		return toSummary(row);
	});
}

export async function deactivateUser(db: Kysely<Database>, actor: SignedInUser, userId: string): Promise<UserSummary> {
	if (userId === actor.id) throw new AccountError('You cannot deactivate your own account.');
	return db.transaction().execute(async (trx) => {
		const before = await lockUser(trx, actor.organizationId, userId);
		if (before.deactivated_at) return toSummary(before);
		const row = await trx
			.updateTable('users')
			.set({ deactivated_at: new Date(), version: sql`version + 1` })
			.where('id', '=', userId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await invalidateUserSessions(trx, userId);
		await recordAudit(trx, {
			organizationId: actor.organizationId,
			actor,
			subject: { type: 'user', id: row.id, label: row.email },
			action: 'user.deactivated',
			before: { active: true },
			after: { active: false }
		});
		return toSummary(row);
	});
}

export async function countLevelHolders(db: Kysely<Database>, organizationId: string, level: IntegrationsLevel): Promise<number> {
	const row = await db
		.selectFrom('users')
		.select(sql<number>`count(*)::int`.as('holders'))
		.where('organization_id', '=', organizationId)
		.where('integrations_level', '=', level)
		.where('deactivated_at', 'is', null)
		.executeTakeFirstOrThrow();
	return row.holders;
}

export async function getUser(db: Kysely<Database>, organizationId: string, userId: string): Promise<UserSummary | undefined> {
	const row = await db
		.selectFrom('users')
		.selectAll()
		.where('id', '=', userId)
		.where('organization_id', '=', organizationId)
		.executeTakeFirst();
	return row && toSummary(row);
}
