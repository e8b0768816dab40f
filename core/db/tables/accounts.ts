import type { ColumnType, Generated, Selectable } from 'kysely';
import type { IntegrationsLevel } from '#core/domain/accounts/levels.ts';

export interface OrganizationsTable {
	id: Generated<string>;
	name: string;
	created_at: ColumnType<Date, never, never>;
}

export interface UsersTable {
	id: Generated<string>;
	organization_id: string;
	email: string;
	name: string;
	password_hash: string;
	integrations_level: IntegrationsLevel;
	is_admin: boolean;
	deactivated_at: ColumnType<Date | null, never, Date | null>;
	created_at: ColumnType<Date, never, never>;
	version: Generated<number>;
}

export interface SessionsTable {
	/** SHA-256 of the token, hex. The token itself is never stored. */
	id: string;
	user_id: string;
	expires_at: Date;
	created_at: ColumnType<Date, never, never>;
}

export interface SignInFailuresTable {
	id: Generated<string>;
	key: string;
	failed_at: ColumnType<Date, never, never>;
}

export interface AuditEventsTable {
	id: Generated<string>;
	organization_id: string;
	actor_id: string | null;
	actor_email: string | null;
	subject_type: string;
	subject_id: string;
	subject_label: string;
	action: string;
	before: ColumnType<Record<string, unknown> | null, string | null, never>;
	after: ColumnType<Record<string, unknown> | null, string | null, never>;
	created_at: ColumnType<Date, never, never>;
}

export type UserRow = Selectable<UsersTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
