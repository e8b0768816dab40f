// The Tickets tab of a ticket system's integration, and the Ticket projects page: whether new
// projects are imported, which projects are, and each imported project's settings (which statuses
// mean in progress and done, which ticket types count). Each change is one transaction with its
// audit entry, refused once a deletion has started; a settings save made on an older version than
// the stored one is refused with what the other person changed (SPEC F11).
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '#core/accounts/audit.ts';
import type { Database } from '#core/db/database.ts';
import type { TicketProjectRow } from '#core/db/tables/tickets.ts';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import { describeTicketSettingsChange } from '#core/domain/tickets/settings-change.ts';
import {
	checkTicketSettings,
	effectiveTicketSettings,
	type TicketProjectSettings,
	type TicketProjectSummary,
	type TicketWorkflow
} from '#core/domain/tickets/ticket-project.ts';
import { holdForWriting } from '#core/integrations/queries.ts';
import { countTickets, setTicketProjectsImported, toTicketProjectSummary } from '#core/tickets/projects.ts';

interface Subject {
	id: string;
	organizationId: string;
	name: string;
}

type Refusal = { ok: false; status: 404 | 409; message: string };
const deleting: Refusal = { ok: false, status: 409, message: 'This integration is being deleted: its ticket projects can no longer change.' };
const noSuchProject: Refusal = { ok: false, status: 404, message: 'There is no such ticket project in your organisation.' };

/** The audit actions of this file, as describeAudit reads them. */
export const ticketAuditActions = {
	autoImport: 'integration.tickets_settings_changed',
	imported: 'integration.ticket_project_imported',
	configured: 'integration.ticket_project_configured'
} as const;

export async function autoImportsTicketProjects(db: Kysely<Database>, organizationId: string, integrationId: string): Promise<boolean> {
	const row = await db.selectFrom('integrations').select('settings').where('id', '=', integrationId).where('organization_id', '=', organizationId).executeTakeFirst();
	return row?.settings.autoImportTicketProjects === true;
}

export async function setAutoImportTicketProjects(db: Kysely<Database>, user: SignedInUser, integration: Subject, on: boolean): Promise<{ ok: true; message: string } | Refusal> {
	return db.transaction().execute(async (trx) => {
		if (!(await holdForWriting(trx, integration.id))) return deleting;
		const row = await trx.selectFrom('integrations').select('settings').where('id', '=', integration.id).where('organization_id', '=', user.organizationId).executeTakeFirst();
		if (!row) return { ok: false, status: 404, message: 'There is no such integration in your organisation.' } as const;
		const before = row.settings.autoImportTicketProjects === true;
		await trx
			.updateTable('integrations')
			.set({ settings: JSON.stringify({ ...row.settings, autoImportTicketProjects: on }) })
			.where('id', '=', integration.id)
			.execute();
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: ticketAuditActions.autoImport,
			before: { autoImportTicketProjects: before },
			after: { autoImportTicketProjects: on }
		});
		return {
			ok: true,
			message: on ? 'New projects found by the next update or refresh will be imported.' : 'New projects found from now on wait for you to import them.'
		} as const;
	});
}

/** A project as a removal dialog names it: what it is, whose, and how many tickets go with it. */
export interface TicketProjectRemoval {
	id: string;
	key: string;
	name: string;
	integrationName: string;
	tickets: number;
}

/** The organisation's project (of `integrationId` when given), for the question before removing it. */
export async function ticketProjectRemoval(db: Kysely<Database>, organizationId: string, projectId: string, integrationId?: string): Promise<TicketProjectRemoval | undefined> {
	let query = db
		.selectFrom('ticket_projects')
		.innerJoin('integrations', 'integrations.id', 'ticket_projects.integration_id')
		.select(['ticket_projects.id', 'ticket_projects.key', 'ticket_projects.name', 'integrations.name as integrationName'])
		.where('ticket_projects.organization_id', '=', organizationId)
		.where('integrations.organization_id', '=', organizationId)
		.where('ticket_projects.id', '=', projectId);
	if (integrationId) query = query.where('ticket_projects.integration_id', '=', integrationId);
	const row = await query.executeTakeFirst();
	return row && { ...row, tickets: await countTickets(db, organizationId, row.id) };
}

export type ImportOutcome = { ok: true; message: string; project: TicketProjectSummary } | Refusal;

/**
 * Imports a project (its tickets come with the next update) or removes it (its tickets and their
 * history are deleted now). `integrationId`, when given, is the integration the page is about: a
 * project of another is refused.
 */
export async function setTicketProjectImported(
	db: Kysely<Database>,
	user: SignedInUser,
	target: { projectId: string; integrationId?: string },
	imported: boolean
): Promise<ImportOutcome> {
	let query = db
		.selectFrom('ticket_projects')
		.innerJoin('integrations', 'integrations.id', 'ticket_projects.integration_id')
		.select(['ticket_projects.integration_id', 'integrations.name as integrationName'])
		.where('ticket_projects.organization_id', '=', user.organizationId)
		.where('integrations.organization_id', '=', user.organizationId)
		.where('ticket_projects.id', '=', target.projectId);
	if (target.integrationId) query = query.where('ticket_projects.integration_id', '=', target.integrationId);
	const owner = await query.executeTakeFirst();
	if (!owner) return target.integrationId ? { ...noSuchProject, message: 'There is no such ticket project in this integration.' } : noSuchProject;
	return db.transaction().execute(async (trx): Promise<ImportOutcome> => {
		if (!(await holdForWriting(trx, owner.integration_id))) return deleting;
		const tickets = imported ? 0 : await countTickets(trx, user.organizationId, target.projectId);
		const [changed] = await setTicketProjectsImported(trx, user.organizationId, owner.integration_id, [target.projectId], imported);
		const project = changed ?? (await trx.selectFrom('ticket_projects').selectAll().where('id', '=', target.projectId).executeTakeFirstOrThrow());
		const label = `${project.key} (${project.name})`;
		if (!changed) return { ok: true, message: `${label} is already ${imported ? 'imported' : 'not imported'}.`, project: toTicketProjectSummary(project) };
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: owner.integration_id, label: owner.integrationName },
			action: ticketAuditActions.imported,
			after: { project: label, imported, ...(imported ? {} : { ticketsDeleted: tickets }) }
		});
		return {
			ok: true,
			message: imported
				? `${label} will be imported by the next update.`
				: `${label} is no longer imported; ${tickets === 0 ? 'it had no tickets stored' : `its ${tickets.toLocaleString('en')} ${tickets === 1 ? 'ticket was' : 'tickets were'} deleted`}.`,
			project: toTicketProjectSummary(project)
		};
	});
}

/** A settings save as the form sent it. */
export interface TicketSettingsRequest {
	projectId: string;
	/** The project's version the form was filled from. */
	version: number;
	/** The settings the form started from (to say what changed if someone saved first); null when not sent. */
	base: TicketProjectSettings | null;
	/** Null: back to the defaults the project's own categories give. */
	settings: TicketProjectSettings | null;
}

export type TicketSettingsErrors = Record<string, string>;

const name = z.string().min(1).max(255);
const settingsSchema = z.object({ inProgress: z.array(name).max(500), done: z.array(name).max(500), types: z.array(name).max(500) });
const statusPrefix = 'status:';
/** The form field that holds a status's meaning. */
export const statusField = (status: string) => `${statusPrefix}${status}`;

/** The settings the form started from, if it sent them whole. */
function readBase(value: FormDataEntryValue | null): TicketProjectSettings | null {
	if (typeof value !== 'string') return null;
	try {
		const parsed = settingsSchema.safeParse(JSON.parse(value));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}

/**
 * Reads the Configure form: `projectId`, `version`, `base` (JSON of the settings it started from),
 * `intent` ("reset" for the defaults), a `status:<name>` field per status (to-do, in-progress or
 * done) and a `type` field per ticket type that counts.
 */
export function readTicketSettingsForm(form: FormData): { ok: true; request: TicketSettingsRequest; errors: TicketSettingsErrors } | { ok: false; message: string } {
	const projectId = z.uuid().safeParse(form.get('projectId'));
	const version = z.coerce.number().int().min(1).max(2_147_483_647).safeParse(form.get('version'));
	if (!projectId.success || !version.success) return { ok: false, message: 'Choose a ticket project, and reload the page if this persists.' };
	const request = { projectId: projectId.data, version: version.data, base: readBase(form.get('base')) };
	if (form.get('intent') === 'reset') return { ok: true, request: { ...request, settings: null }, errors: {} };
	const settings: TicketProjectSettings = { inProgress: [], done: [], types: [] };
	const errors: TicketSettingsErrors = {};
	for (const [key, value] of form.entries()) {
		if (!key.startsWith(statusPrefix)) continue;
		const status = key.slice(statusPrefix.length);
		if (!name.safeParse(status).success) continue;
		if (value === 'in-progress') settings.inProgress.push(status);
		else if (value === 'done') settings.done.push(status);
		else if (value !== 'to-do') errors.statuses = `Choose To do, In progress or Done for “${status}”.`;
	}
	for (const value of form.getAll('type')) {
		if (typeof value === 'string' && name.safeParse(value).success && !settings.types.includes(value)) settings.types.push(value);
	}
	if (settings.inProgress.length + settings.done.length > 500 || settings.types.length > 500) return { ok: false, message: 'Too many statuses or types for one project.' };
	return { ok: true, request: { ...request, settings }, errors };
}

export type SettingsOutcome =
	| { ok: true; message: string; project: TicketProjectSummary }
	| Refusal
	| { ok: false; status: 400; errors: TicketSettingsErrors }
	| { ok: false; status: 409; stale: string; project: TicketProjectSummary };

/** Who saved the project's settings last, from the audit log (null: no one yet, or unknown). */
async function lastConfiguredBy(db: Kysely<Database>, organizationId: string, integrationId: string, projectId: string): Promise<string | null> {
	const row = await db
		.selectFrom('audit_events')
		.select('actor_email')
		.where('organization_id', '=', organizationId)
		.where('subject_id', '=', integrationId)
		.where('action', '=', ticketAuditActions.configured)
		.where(sql<boolean>`after->>'projectId' = ${projectId}`)
		.orderBy('created_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	return row?.actor_email ?? null;
}

function staleMessage(project: TicketProjectRow, base: TicketProjectSettings | null, who: string | null): string {
	const someone = who ?? 'Someone else';
	const now = effectiveTicketSettings(project.workflow, project.settings);
	if (!base) return `${someone} changed the settings of ${project.key} while you were editing. Nothing of yours was saved; the form now shows the current settings.`;
	const changes = describeTicketSettingsChange(project.workflow, base, now);
	if (changes.length === 0) return `${someone} saved the settings of ${project.key} while you were editing (they mean the same as before). Nothing of yours was saved: check the form and save again.`;
	return `${someone} changed the settings of ${project.key} while you were editing: ${changes.join('; ')}. Nothing of yours was saved; the form now shows their settings.`;
}

/** The settings in the workflow's order, each name once: what is stored. */
function normalized(workflow: TicketWorkflow, settings: TicketProjectSettings): TicketProjectSettings {
	const statusOrder = workflow.statuses.map((s) => s.name);
	const typeOrder = workflow.types.map((t) => t.name);
	const inOrder = (names: string[], order: string[]) => [...new Set(names)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
	return { inProgress: inOrder(settings.inProgress, statusOrder), done: inOrder(settings.done, statusOrder), types: inOrder(settings.types, typeOrder) };
}

/**
 * Saves an imported project's settings (or puts back the defaults), if the form was filled from
 * the stored version and the settings fit the project's workflow; otherwise nothing changes.
 * `readErrors` are what reading the form found wrong already.
 */
export async function saveTicketProjectSettings(
	db: Kysely<Database>,
	user: SignedInUser,
	integration: Subject,
	request: TicketSettingsRequest,
	readErrors: TicketSettingsErrors = {}
): Promise<SettingsOutcome> {
	return db.transaction().execute(async (trx): Promise<SettingsOutcome> => {
		if (!(await holdForWriting(trx, integration.id))) return deleting;
		const project = await trx
			.selectFrom('ticket_projects')
			.selectAll()
			.where('id', '=', request.projectId)
			.where('integration_id', '=', integration.id)
			.where('organization_id', '=', user.organizationId)
			.forUpdate()
			.executeTakeFirst();
		if (!project) return { ...noSuchProject, message: 'There is no such ticket project in this integration.' };
		if (!project.imported) return { ok: false, status: 409, message: `${project.key} is not imported: import it first, then configure it.` };
		if (project.version !== request.version) {
			return { ok: false, status: 409, stale: staleMessage(project, request.base, await lastConfiguredBy(trx, user.organizationId, integration.id, project.id)), project: toTicketProjectSummary(project) };
		}
		const settings = request.settings && normalized(project.workflow, request.settings);
		const errors = { ...readErrors, ...(settings ? checkTicketSettings(project.workflow, settings) : {}) };
		if (Object.keys(errors).length > 0) return { ok: false, status: 400, errors };
		const before = effectiveTicketSettings(project.workflow, project.settings);
		const saved = await trx
			.updateTable('ticket_projects')
			.set({ settings: settings && JSON.stringify(settings), version: sql`version + 1` })
			.where('id', '=', project.id)
			.where('version', '=', request.version)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			organizationId: user.organizationId,
			actor: user,
			subject: { type: 'integration', id: integration.id, label: integration.name },
			action: ticketAuditActions.configured,
			before: { project: project.key, settings: before, version: project.version },
			after: { project: project.key, projectId: project.id, settings: effectiveTicketSettings(saved.workflow, saved.settings), defaults: settings === null, version: saved.version }
		});
		return {
			ok: true,
			message: settings ? `Saved the settings of ${project.key}.` : `${project.key} is back to the defaults its workflow gives.`,
			project: toTicketProjectSummary(saved)
		};
	});
}
