// Every kind of data an integration brings, listed once: the deletion clears these tables in this
// order (children before what they hang from), its stages are these, and the confirmation dialog
// counts these. A provider that brings a new kind of data adds it here.
import type { Service } from './providers.ts';

export interface IntegrationDataKind {
	table: string;
	/** What the dialog and the deletion's stages call it. */
	label: string;
	/** The service that brings it; none for what every integration has. */
	service: Service | null;
	/**
	 * Its primary key starts with repo_id, and every row is of one of the integration's repositories
	 * (repos rows go only with their integration, last): a deletion can take it repository by
	 * repository through that key.
	 */
	byRepo: boolean;
}

export const integrationDataKinds = [
	{ table: 'pull_request_review_comments', label: 'Review comments', service: 'pull-requests', byRepo: true },
	{ table: 'pull_request_comments', label: 'Pull request comments', service: 'pull-requests', byRepo: true },
	{ table: 'pull_request_reviews', label: 'Reviews', service: 'pull-requests', byRepo: true },
	{ table: 'pull_requests', label: 'Pull requests', service: 'pull-requests', byRepo: true },
	{ table: 'commit_files', label: 'File changes', service: 'repos', byRepo: true },
	{ table: 'commits', label: 'Commits', service: 'repos', byRepo: true },
	{ table: 'tags', label: 'Tags', service: 'repos', byRepo: true },
	{ table: 'deployments', label: 'Deployments', service: 'repos', byRepo: true },
	{ table: 'repo_daily_metrics', label: 'Days of metrics', service: 'repos', byRepo: true },
	{ table: 'ticket_status_changes', label: 'Ticket status changes', service: 'tickets', byRepo: false },
	{ table: 'tickets', label: 'Tickets', service: 'tickets', byRepo: false },
	{ table: 'ticket_projects', label: 'Ticket projects', service: 'tickets', byRepo: false },
	{ table: 'webhook_deliveries', label: 'Webhook deliveries', service: null, byRepo: false },
	{ table: 'repos', label: 'Repositories', service: null, byRepo: false },
	{ table: 'groups', label: 'Groups', service: null, byRepo: false }
] as const satisfies readonly IntegrationDataKind[];

export type DeletionTable = (typeof integrationDataKinds)[number]['table'];
export const deletionTables: DeletionTable[] = integrationDataKinds.map((kind) => kind.table);
export const deletionByRepo = new Set<DeletionTable>(integrationDataKinds.filter((kind) => kind.byRepo).map((kind) => kind.table));
export const deletionLabels = Object.fromEntries(integrationDataKinds.map((kind) => [kind.table, kind.label])) as Record<DeletionTable, string>;

/** What deleting integrations would remove: rows per table. */
export type DataCounts = Record<DeletionTable, number>;
