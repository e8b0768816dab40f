// What a row of the Repos and Ticket projects pages shows alike: its integration, whether it is
// imported, where its data stands, and the revision live events are compared against.
import type { IntegrationDataStatus, ProviderKind, RepoDataStatus } from '#core/domain/integrations/providers.ts';

export interface ListItemColumns {
	integration_id: string;
	integration_name: string;
	integration_kind: ProviderKind;
	integration_status: IntegrationDataStatus;
	imported: boolean;
	data_status: RepoDataStatus;
	status_detail: string | null;
	last_updated_at: Date | null;
	progress_done: number;
	progress_total: number;
	revision: string;
}

export function listItemFields(row: ListItemColumns) {
	return {
		integrationId: row.integration_id,
		integrationName: row.integration_name,
		integrationKind: row.integration_kind,
		/** Its integration is being deleted: nothing about it can change any more. */
		integrationDeleting: row.integration_status === 'deleting',
		imported: row.imported,
		dataStatus: row.data_status,
		statusDetail: row.status_detail,
		lastUpdatedAt: row.last_updated_at?.toISOString() ?? null,
		progressDone: row.progress_done,
		progressTotal: row.progress_total,
		revision: Number(row.revision)
	};
}
