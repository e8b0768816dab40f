// Whether repositories may be added to an organisation: not already in one of its integrations,
// not in one being deleted, not in their cooldown after a deletion (SPEC F2.4). The same for
// every provider: a repository is recognised by its clone URL.
import { sql, type Kysely } from 'kysely';
import { readSettings } from '#core/config.ts';
import type { Database } from '#core/db/database.ts';
import { heldByDeletionText } from '#core/domain/integrations/held-by-deletion.ts';

/** Refusals for URLs that are already here, being deleted, or in their cooldown after a deletion. */
export async function checkRepositoryAvailability(
	db: Kysely<Database>,
	organizationId: string,
	urls: string[],
	exceptIntegrationId?: string
): Promise<string[]> {
	if (urls.length === 0) return [];
	const hours = readSettings().reAddCooldownHours;
	const problems: string[] = [];
	const reported = new Set<string>();
	let present = db
		.selectFrom('repos')
		.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
		.select(['repos.url', 'integrations.name', 'integrations.data_status'])
		.where('repos.organization_id', '=', organizationId)
		.where('repos.url', 'in', urls);
	if (exceptIntegrationId) present = present.where('repos.integration_id', '!=', exceptIntegrationId);
	for (const row of await present.execute()) {
		reported.add(row.url);
		problems.push(
			row.data_status === 'deleting'
				? heldByDeletionText(row.url, false, row.name, hours)
				: `${row.url} is already added, in “${row.name}”.`
		);
	}
	const cooling = await db
		.selectFrom('removed_accounts')
		.select(['account', 'integration_name', 'removed_at', sql<Date>`removed_at + make_interval(hours => ${hours})`.as('free_at')])
		.where('organization_id', '=', organizationId)
		.where('account', 'in', urls)
		.where(sql<boolean>`removed_at + make_interval(hours => ${hours}) > now()`)
		.execute();
	for (const row of cooling) {
		if (reported.has(row.account)) continue;
		problems.push(
			`${row.account} was in “${row.integration_name}”, deleted ${row.removed_at.toISOString().replace('T', ' ').slice(0, 16)} UTC; it can be added again from ${row.free_at.toISOString().replace('T', ' ').slice(0, 16)} UTC.`
		);
	}
	return problems;
}

