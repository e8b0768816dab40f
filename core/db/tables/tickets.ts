import type { ColumnType, Generated, Selectable } from 'kysely';
import type { RepoDataStatus } from '#core/domain/integrations/providers.ts';
import type { TicketProjectSettings, TicketWorkflow } from '#core/domain/tickets/ticket-project.ts';

/** A provider's container of tickets: a Jira project, an Azure Boards project. */
export interface TicketProjectsTable {
	id: Generated<string>;
	organization_id: string;
	integration_id: string;
	/** The provider's id of it within the integration (Jira: the project's id, which a rename keeps). */
	provider_id: string;
	/** What its tickets' keys start with (Jira's CORE of CORE-12). */
	key: string;
	name: string;
	url: string | null;
	imported: Generated<boolean>;
	/** The same statuses as a repository's. */
	data_status: Generated<RepoDataStatus>;
	status_detail: string | null;
	last_updated_at: Date | null;
	tickets_count: Generated<number>;
	progress_done: Generated<number>;
	progress_total: Generated<number>;
	/** Where ticket ingest stands, the provider's own shape; null before the first. */
	cursor: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
	/** Its statuses and ticket types as the provider last listed them. */
	workflow: ColumnType<TicketWorkflow, string | undefined, string>;
	/** A person's choices; null: the defaults the workflow's categories give. */
	settings: ColumnType<TicketProjectSettings | null, string | null | undefined, string | null>;
	/** Bumped by every edit of its settings: a stale edit is refused. */
	version: Generated<number>;
	update_operation_id: string | null;
	created_at: ColumnType<Date, never, never>;
	/** Bumped by a trigger on every change to the row: which of two views of it is newer. */
	revision: ColumnType<string, never, never>;
}

export interface TicketsTable {
	organization_id: string;
	integration_id: string;
	project_id: string;
	provider_id: string;
	key: string;
	title: string;
	type: string;
	priority: string | null;
	status: string;
	/** The provider's category of the status: to-do, in-progress or done. */
	status_category: string;
	assignee: string | null;
	reporter: string | null;
	story_points: number | null;
	url: string;
	created_at: Date;
	updated_at: Date;
	resolved_at: Date | null;
}

export interface TicketStatusChangesTable {
	organization_id: string;
	integration_id: string;
	project_id: string;
	ticket_provider_id: string;
	provider_id: string;
	from_status: string | null;
	to_status: string;
	author: string | null;
	changed_at: Date;
}

export type TicketProjectRow = Selectable<TicketProjectsTable>;
