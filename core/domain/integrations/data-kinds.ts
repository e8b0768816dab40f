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
}

export const integrationDataKinds = [
	{ table: 'pull_request_review_comments', label: 'Review comments', service: 'pull-requests' },
	{ table: 'pull_request_comments', label: 'Pull request comments', service: 'pull-requests' },
	{ table: 'pull_request_reviews', label: 'Reviews', service: 'pull-requests' },
	{ table: 'pull_requests', label: 'Pull requests', service: 'pull-requests' },
	{ table: 'commit_files', label: 'File changes', service: 'repos' },
	{ table: 'commits', label: 'Commits', service: 'repos' },
	{ table: 'tags', label: 'Tags', service: 'repos' },
	{ table: 'deployments', label: 'Deployments', service: 'repos' },
	{ table: 'repo_daily_metrics', label: 'Days of metrics', service: 'repos' },
	{ table: 'webhook_deliveries', label: 'Webhook deliveries', service: null },
	{ table: 'repos', label: 'Repositories', service: null },
	{ table: 'groups', label: 'Groups', service: null }
] as const satisfies readonly IntegrationDataKind[];

export type DeletionTable = (typeof integrationDataKinds)[number]['table'];
export const deletionTables: DeletionTable[] = integrationDataKinds.map((kind) => kind.table);
export const deletionLabels = Object.fromEntries(integrationDataKinds.map((kind) => [kind.table, kind.label])) as Record<DeletionTable, string>;

/** What deleting integrations would remove: rows per table. */
export type DataCounts = Record<DeletionTable, number>;
