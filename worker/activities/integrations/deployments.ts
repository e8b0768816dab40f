// Deployments from git tags, and the per-repo daily metrics: both derived from stored raw data
// only, so they can be recomputed at any time.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { holdForWriting } from '#core/integrations/queries.ts';

/**
 * Every tag of a commit becomes a deployment at its tag time (or its commit's time for lightweight tags): for
 * one repository after its ingest, or for the whole integration when the setting is turned on.
 */
export async function deriveDeployments(db: Kysely<Database>, integrationId: string, repoId?: string): Promise<void> {
	const ofRepo = (column: string) => (repoId ? sql`and ${sql.ref(column)} = ${repoId}` : sql``);
	await db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integrationId))) return;
		await sql`
			insert into deployments (organization_id, integration_id, repo_id, tag_name, sha, deployed_at)
			select t.organization_id, t.integration_id, t.repo_id, t.name, t.sha, coalesce(t.tagged_at, c.committed_at)
			-- A tag of a tree or a blob is a tag, but deploys no commit.
			from tags t join commits c on c.repo_id = t.repo_id and c.sha = t.sha
			where t.integration_id = ${integrationId} ${ofRepo('t.repo_id')}
			on conflict (repo_id, tag_name) do update set sha = excluded.sha, deployed_at = excluded.deployed_at
			-- Unchanged deployments are left alone: no dead rows on every update.
			where deployments.sha is distinct from excluded.sha or deployments.deployed_at is distinct from excluded.deployed_at`.execute(trx);
		// The tags that still deploy a commit are worked out once (materialized), then compared.
		// Written as a correlated NOT EXISTS, the planner could run the tags-to-commits join again
		// for every deployment, reading all of commits each time when its statistics still said
		// "empty" (right after a first ingest into a truncated or new table): 60-90 s measured
		// after 200,000 commits, for 40 tags. The same stale statistics can still make the planner
		// pick a nested loop over the materialized set (one estimated row): 50,000 tags then
		// compare 2.5 billion pairs, minutes at full CPU (seen on a tag-heavy repository). A hash
		// anti join is right at any size, so the nested loop is ruled out for this statement (the
		// transaction's last).
		await sql`set local enable_nestloop = off`.execute(trx);
		await sql`
			with deploying as materialized (
				select t.repo_id, t.name from tags t join commits c on c.repo_id = t.repo_id and c.sha = t.sha
				where t.integration_id = ${integrationId} ${ofRepo('t.repo_id')}
			)
			delete from deployments d
			where d.integration_id = ${integrationId} ${ofRepo('d.repo_id')}
			and not exists (select 1 from deploying v where v.repo_id = d.repo_id and v.name = d.tag_name)`.execute(trx);
	});
}

export async function removeDeployments(db: Kysely<Database>, integrationId: string): Promise<void> {
	await db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integrationId))) return;
		await trx.deleteFrom('deployments').where('integration_id', '=', integrationId).execute();
	});
}

/** Per repo per day: commits, lines added and deleted, deployments (UTC days). */
export async function recomputeDailyMetrics(db: Kysely<Database>, integrationId: string): Promise<number> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integrationId))) return 0;
		await trx.deleteFrom('repo_daily_metrics').where('integration_id', '=', integrationId).execute();
		const result = await sql`
			insert into repo_daily_metrics (organization_id, integration_id, repo_id, day, commits, additions, deletions, deployments)
			select organization_id, integration_id, repo_id, day, sum(commits), sum(additions), sum(deletions), sum(deployments)
			from (
				select organization_id, integration_id, repo_id, (committed_at at time zone 'UTC')::date as day,
					count(*) as commits, sum(additions) as additions, sum(deletions) as deletions, 0 as deployments
				from commits where integration_id = ${integrationId} group by 1, 2, 3, 4
				union all
				select organization_id, integration_id, repo_id, (deployed_at at time zone 'UTC')::date, 0, 0, 0, count(*)
				from deployments where integration_id = ${integrationId} group by 1, 2, 3, 4
			) as daily
			group by 1, 2, 3, 4`.execute(trx);
		return Number(result.numAffectedRows ?? 0);
	});
}
