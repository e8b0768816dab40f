// An integration's data made in SQL, with realistic widths and every owner column set: for tests
// and benchmarks that need many rows without ingesting a repository that large.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#core/db/database.ts';
import { deletionTables, type DeletionTable } from '../../workflows/integrations/contract.ts';

export interface IntegrationDataShape {
	/** The integration's repos rows are used as they are: this many are expected. */
	repos: number;
	/** Per repository; files and the rest scale from it (see the counts below). */
	commitsPerRepo: number;
}

/** Rows per integration: commits c, commit_files 3.5c, tags c/10, daily metrics 0.4c: 5c in all. */
function shape(options: IntegrationDataShape) {
	const c = options.commitsPerRepo;
	return { commits: c, files: Math.round(c * 3.5), tags: Math.round(c / 10), days: Math.round(c * 0.4) };
}

/** Fills one integration's tables with generate_series: realistic widths, every owner column set. */
export async function fillIntegrationData(db: Kysely<Database>, integrationId: string, options: IntegrationDataShape): Promise<number> {
	const per = shape(options);
	// The same sha for commit g of a repository in commits and in commit_files.
	const sha = (g: string) => `md5(r.id::text || ${g}::text) || substr(md5(${g}::text), 1, 8)`;
	const statements = [
		sql.raw(`insert into commits (organization_id, integration_id, repo_id, sha, parents, author_name, author_email, authored_at,
				committer_name, committer_email, committed_at, subject, additions, deletions, files_changed)
			select r.organization_id, r.integration_id, r.id, ${sha('g')}, array[${sha('(g + 1)')}],
				'Author ' || (g % 57), 'author' || (g % 57) || '@example.com', timestamptz '2015-01-01' + g * interval '17 minutes',
				'Committer ' || (g % 13), 'committer' || (g % 13) || '@example.com', timestamptz '2015-01-01' + g * interval '17 minutes',
				'Fix the thing number ' || g || ' in the parser', g % 120, g % 45, 3 + (g % 2)
			from repos r, generate_series(1, ${per.commits}) g where r.integration_id = '${integrationId}'`),
		sql.raw(`insert into commit_files (organization_id, integration_id, repo_id, sha, path, additions, deletions)
			select r.organization_id, r.integration_id, r.id, ${sha(`(((f - 1) % ${per.commits}) + 1)`)},
				'src/module' || (f % 23) || '/component' || (f % 71) || '/file_' || f || '.ts', f % 80, f % 25
			from repos r, generate_series(1, ${per.files}) f where r.integration_id = '${integrationId}'`),
		sql.raw(`insert into tags (organization_id, integration_id, repo_id, name, sha, tagged_at)
			select r.organization_id, r.integration_id, r.id, 'v' || (t / 100) || '.' || (t % 100) || '.0', ${sha('(t * 10)')},
				case when t % 2 = 0 then timestamptz '2015-01-01' + t * interval '170 minutes' end
			from repos r, generate_series(1, ${per.tags}) t where r.integration_id = '${integrationId}'`),
		sql.raw(`insert into repo_daily_metrics (organization_id, integration_id, repo_id, day, commits, additions, deletions, deployments)
			select r.organization_id, r.integration_id, r.id, date '2000-01-01' + d, d % 9, d % 400, d % 150, d % 2
			from repos r, generate_series(1, ${per.days}) d where r.integration_id = '${integrationId}'`)
	];
	for (const statement of statements) await statement.execute(db);
	return options.repos * (per.commits + per.files + per.tags + per.days) + options.repos;
}

/** The integration's rows in each table that holds integration data. */
export async function countIntegrationRows(db: Kysely<Database>, integrationId: string): Promise<Record<DeletionTable, number>> {
	const counts = {} as Record<DeletionTable, number>;
	for (const table of deletionTables) {
		const { n } = await db
			.selectFrom(table)
			.select(sql<number>`count(*)::int`.as('n'))
			.where('integration_id', '=', integrationId)
			.executeTakeFirstOrThrow();
		counts[table] = n;
	}
	return counts;
}
