// The Repos and Services tabs of a hosted integration: which groups import their new repositories,
// which show on the Repos page, whether every new group imports, which repositories are imported
// (there and on the Repos page), and which services run. Each change is one transaction with its
// audit entry, refused once a deletion has started.
import type { Kysely } from 'kysely';
import { recordAudit } from '#core/accounts/audit.ts';
import type { Database } from '#core/db/database.ts';
import type { RepoRow } from '#core/db/tables/integrations.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { providers, serviceLabelOf, type ProviderKind, type Service } from '#core/domain/integrations/providers.ts';
import { holdForWriting } from '#core/integrations/queries.ts';

export interface GroupSummary {
	id: string;
	name: string;
	url: string | null;
	autoImport: boolean;
	showInRepos: boolean;
	repos: number;
	imported: number;
}

export async function listGroups(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<GroupSummary[]> {
	const rows = await db
		.selectFrom('groups')
		.leftJoin('repos', 'repos.group_id', 'groups.id')
		.select(['groups.id', 'groups.name', 'groups.url', 'groups.auto_import', 'groups.show_in_repos'])
		.select((eb) => [eb.fn.count<string>('repos.id').as('repos'), eb.fn.count<string>('repos.id').filterWhere('repos.imported', '=', true).as('imported')])
		.where('groups.organization_id', '=', organizationId)
		.where('groups.integration_id', '=', integrationId)
		.groupBy('groups.id')
		.orderBy('groups.name')
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, url: r.url, autoImport: r.auto_import, showInRepos: r.show_in_repos, repos: Number(r.repos), imported: Number(r.imported) }));
}

type Outcome = { ok: true; message: string } | { ok: false; status: 404 | 409; message: string };
const deleting: Outcome = { ok: false, status: 409, message: 'This integration is being deleted: its settings can no longer change.' };

interface Subject {
	id: string;
	organizationId: string;
	name: string;
}

export async function setAutoImportAll(db: Kysely<Database>, user: SignedInUser, integration: Subject, on: boolean): Promise<Outcome> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integration.id))) return deleting;
		const row = await trx.selectFrom('integrations').select('settings').where('id', '=', integration.id).where('organization_id', '=', user.organizationId).executeTakeFirstOrThrow();
		const before = row.settings.autoImportAll !== false;
		await trx
			.updateTable('integrations')
			.set({ settings: JSON.stringify({ ...row.settings, autoImportAll: on }) })
			.where('id', '=', integration.id)
			.execute();
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: 'integration.repos_settings_changed',
			before: { autoImportAll: before },
			after: { autoImportAll: on }
		});
		return { ok: true, message: on ? 'Groups found by the next refresh will import their repositories.' : 'Groups found by the next refresh will not import their repositories until you say so.' };
	});
}

export const groupToggles = { autoImport: 'auto_import', showInRepos: 'show_in_repos' } as const;
export type GroupToggle = keyof typeof groupToggles;

export async function setGroupToggle(db: Kysely<Database>, user: SignedInUser, integration: Subject, groupId: string, toggle: GroupToggle, on: boolean): Promise<Outcome> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integration.id))) return deleting;
		const group = await trx
			.updateTable('groups')
			.set({ [groupToggles[toggle]]: on })
			.where('id', '=', groupId)
			.where('integration_id', '=', integration.id)
			.where('organization_id', '=', user.organizationId)
			.returning(['name'])
			.executeTakeFirst();
		if (!group) return { ok: false, status: 404, message: 'There is no such group in this integration.' };
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: 'integration.repos_settings_changed',
			before: { [`${group.name}.${toggle}`]: !on },
			after: { [`${group.name}.${toggle}`]: on }
		});
		const what = toggle === 'autoImport' ? (on ? 'imports the new repositories a refresh finds' : 'leaves new repositories unimported') : on ? 'shows on the Repos page' : 'is hidden from the Repos page';
		return { ok: true, message: `${group.name} ${what}.` };
	});
}

export async function setService(db: Kysely<Database>, user: SignedInUser, integration: Subject & { kind: ProviderKind }, service: Service, on: boolean): Promise<Outcome> {
	if (!providers[integration.kind].services.includes(service)) return { ok: false, status: 404, message: 'This integration has no such service.' };
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integration.id))) return deleting;
		const row = await trx.selectFrom('integrations').select('services').where('id', '=', integration.id).where('organization_id', '=', user.organizationId).executeTakeFirstOrThrow();
		const services = providers[integration.kind].services.filter((s) => (s === service ? on : row.services.includes(s)));
		await trx.updateTable('integrations').set({ services: JSON.stringify(services) }).where('id', '=', integration.id).execute();
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: 'integration.services_changed',
			before: { services: row.services },
			after: { services, kind: integration.kind }
		});
		return { ok: true, message: `${serviceLabelOf(integration.kind, service)} ${on ? 'on: the next update fetches it' : 'off: updates no longer fetch it; what was fetched stays'}.` };
	});
}

/** A repository as the question before removing it names it: whose, and what it holds. */
export interface RepoRemoval {
	id: string;
	name: string;
	integrationName: string;
	commits: number;
	pullRequests: number;
}

export async function repoRemoval(db: Kysely<Database>, organizationId: string, repoId: string): Promise<RepoRemoval | undefined> {
	return db
		.selectFrom('repos')
		.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
		.select(['repos.id', 'repos.name', 'integrations.name as integrationName', 'repos.commits_count as commits', 'repos.pull_requests_count as pullRequests'])
		.where('repos.organization_id', '=', organizationId)
		.where('integrations.organization_id', '=', organizationId)
		.where('repos.id', '=', repoId)
		.executeTakeFirst();
}

/**
 * Imports a repository (the next update ingests it) or stops importing it. Stopping keeps what was
 * ingested: a repository's commits and pull requests go only with its integration's deletion,
 * which removes them in batches. `integrationId`, when given, is the integration the page is
 * about: a repository of another is refused.
 */
export async function setRepoImported(
	db: Kysely<Database>,
	user: SignedInUser,
	target: { repoId: string; integrationId?: string },
	imported: boolean
): Promise<{ ok: true; message: string; repo: RepoRow } | { ok: false; status: 404 | 409; message: string }> {
	let query = db
		.selectFrom('repos')
		.innerJoin('integrations', 'integrations.id', 'repos.integration_id')
		.select(['repos.integration_id', 'integrations.name as integrationName'])
		.where('repos.organization_id', '=', user.organizationId)
		.where('integrations.organization_id', '=', user.organizationId)
		.where('repos.id', '=', target.repoId);
	if (target.integrationId) query = query.where('repos.integration_id', '=', target.integrationId);
	const owner = await query.executeTakeFirst();
	if (!owner) return { ok: false, status: 404, message: target.integrationId ? 'There is no such repository in this integration.' : 'There is no such repository in your organisation.' };
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, owner.integration_id))) return { ok: false, status: 409, message: 'This integration is being deleted: its repositories can no longer change.' } as const;
		const changed = await trx
			.updateTable('repos')
			.set({ imported, data_status: imported ? 'queued' : 'excluded', status_detail: null })
			.where('id', '=', target.repoId)
			.where('integration_id', '=', owner.integration_id)
			.where('organization_id', '=', user.organizationId)
			.returningAll()
			.executeTakeFirst();
		if (!changed) return { ok: false, status: 404, message: 'There is no such repository in this integration.' } as const;
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: owner.integration_id, label: owner.integrationName },
			action: 'integration.repository_imported',
			after: { repository: changed.name, imported: changed.imported }
		});
		return {
			ok: true,
			message: imported ? `${changed.name} will be imported by the next update.` : `${changed.name} is no longer imported; its data stays until you delete the integration.`,
			repo: changed
		} as const;
	});
}
