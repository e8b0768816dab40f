// A user as requests, actions and the starters of long work see them: one shape, built here.
import { sql, type Kysely } from 'kysely';
import type { IntegrationsLevel } from '#core/domain/accounts/levels.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Database } from '#core/db/database.ts';

interface UserWithOrganization {
	organization_id: string;
	organization_name: string;
	email: string;
	name: string;
	integrations_level: IntegrationsLevel;
	is_admin: boolean;
}

export function toSignedInUser(id: string, row: UserWithOrganization): SignedInUser {
	return {
		id,
		organizationId: row.organization_id,
		organizationName: row.organization_name,
		email: row.email,
		name: row.name,
		level: row.integrations_level,
		isAdmin: row.is_admin
	};
}

/** An active user by email, for work done on their behalf outside a request (demo data, tests). */
export async function findSignedInUser(db: Kysely<Database>, email: string): Promise<SignedInUser | undefined> {
	const row = await db
		.selectFrom('users')
		.innerJoin('organizations', 'organizations.id', 'users.organization_id')
		.select(['users.id', 'users.organization_id', 'organizations.name as organization_name', 'users.email', 'users.name', 'users.integrations_level', 'users.is_admin'])
		.where(sql`lower(users.email)`, '=', email.trim().toLowerCase())
		.where('users.deactivated_at', 'is', null)
		.executeTakeFirst();
	return row && toSignedInUser(row.id, row);
}
