import type {
	AuditEventsTable,
	OrganizationsTable,
	SessionsTable,
	SignInFailuresTable,
	UsersTable
} from './tables/accounts.ts';
import type {
	CommitFilesTable,
	CommitsTable,
	DeploymentsTable,
	GroupsTable,
	IntegrationsTable,
	PullRequestActivityTable,
	PullRequestsTable,
	RemovedAccountsTable,
	RepoDailyMetricsTable,
	ReposTable,
	TagsTable,
	UrlTestsTable,
	WebhookDeliveriesTable
} from './tables/integrations.ts';
import type { DeletionCheckpointsTable, OperationEventsTable, OperationsTable } from './tables/operations.ts';
import type { TicketProjectsTable, TicketsTable, TicketStatusChangesTable } from './tables/tickets.ts';
import type { WorkersTable } from './tables/workers.ts';

export interface Database {
	organizations: OrganizationsTable;
	users: UsersTable;
	sessions: SessionsTable;
	sign_in_failures: SignInFailuresTable;
	audit_events: AuditEventsTable;
	integrations: IntegrationsTable;
	groups: GroupsTable;
	repos: ReposTable;
	commits: CommitsTable;
	commit_files: CommitFilesTable;
	tags: TagsTable;
	deployments: DeploymentsTable;
	repo_daily_metrics: RepoDailyMetricsTable;
	pull_requests: PullRequestsTable;
	pull_request_reviews: PullRequestActivityTable;
	pull_request_review_comments: PullRequestActivityTable;
	pull_request_comments: PullRequestActivityTable;
	removed_accounts: RemovedAccountsTable;
	url_tests: UrlTestsTable;
	webhook_deliveries: WebhookDeliveriesTable;
	ticket_projects: TicketProjectsTable;
	tickets: TicketsTable;
	ticket_status_changes: TicketStatusChangesTable;
	operations: OperationsTable;
	operation_events: OperationEventsTable;
	deletion_checkpoints: DeletionCheckpointsTable;
	workers: WorkersTable;
}
