import type {
	AuditEventsTable,
	OrganizationsTable,
	SessionsTable,
	SignInFailuresTable,
	UsersTable
} from './tables/accounts.ts';
import type { OperationsTable } from './tables/operations.ts';
import type { WorkersTable } from './tables/workers.ts';

export interface Database {
	organizations: OrganizationsTable;
	users: UsersTable;
	sessions: SessionsTable;
	sign_in_failures: SignInFailuresTable;
	audit_events: AuditEventsTable;
	operations: OperationsTable;
	workers: WorkersTable;
}
