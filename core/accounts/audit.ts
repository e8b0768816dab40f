// Audit events: who changed what, when, from which value to which (SPEC B3).
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Database } from '#core/db/database.ts';
import type { AuditEventsTable } from '#core/db/tables/accounts.ts';
import { pageWithin } from '#core/db/paging.ts';

export interface AuditEvent {
	id: string;
	actorEmail: string | null;
	subjectType: string;
	subjectId: string;
	subjectLabel: string;
	action: string;
	before: Record<string, unknown> | null;
	after: Record<string, unknown> | null;
	createdAt: string;
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
	return {
		id: row.id,
		actorEmail: row.actor_email,
		subjectType: row.subject_type,
		subjectId: row.subject_id,
		subjectLabel: row.subject_label,
		action: row.action,
		before: row.before,
		after: row.after,
		createdAt: row.created_at.toISOString()
	};
}

export async function recordAudit(
	db: Kysely<Database> | Transaction<Database>,
	event: {
		organizationId: string;
		actor: Pick<SignedInUser, 'id' | 'email'> | null;
		subject: { type: string; id: string; label: string };
		action: string;
		before?: Record<string, unknown> | null;
		after?: Record<string, unknown> | null;
	}
): Promise<void> {
	await db
		.insertInto('audit_events')
		.values({
			organization_id: event.organizationId,
			actor_id: event.actor?.id ?? null,
			actor_email: event.actor?.email ?? null,
			subject_type: event.subject.type,
			subject_id: event.subject.id,
			subject_label: event.subject.label,
			action: event.action,
			before: event.before ? JSON.stringify(event.before) : null,
			after: event.after ? JSON.stringify(event.after) : null
		})
		.execute();
}

export async function listAudit(
	db: Kysely<Database>,
	filter: { organizationId: string; subjectType?: string; subjectId?: string; limit: number }
): Promise<AuditEvent[]> {
	let query = db.selectFrom('audit_events').selectAll().where('organization_id', '=', filter.organizationId);
	if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
	if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
	const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
	return rows.map(toAuditEvent);
}

export interface AuditFilter {
	action?: string;
	actorEmail?: string;
	subjectType?: string;
}

/** One page of an organisation's audit log, newest first, with how many match and what the filters offer. */
export async function auditPage(
	db: Kysely<Database>,
	organizationId: string,
	filter: AuditFilter & { page: number; pageSize: number }
): Promise<{ events: AuditEvent[]; total: number; page: number; actions: string[]; actors: string[] }> {
	let query = db.selectFrom('audit_events').where('organization_id', '=', organizationId);
	if (filter.action) query = query.where('action', '=', filter.action);
	if (filter.actorEmail) query = query.where('actor_email', '=', filter.actorEmail);
	if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
	const [{ total }, actions, actors] = await Promise.all([
		query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
		db.selectFrom('audit_events').select('action').distinct().where('organization_id', '=', organizationId).orderBy('action').execute(),
		db
			.selectFrom('audit_events')
			.select('actor_email')
			.distinct()
			.where('organization_id', '=', organizationId)
			.where('actor_email', 'is not', null)
			.orderBy('actor_email')
			.limit(500)
			.execute()
	]);
	const { page, offset } = pageWithin(filter.page, total, filter.pageSize);
	const rows = await query
		.selectAll()
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(filter.pageSize)
		.offset(offset)
		.execute();
	return {
		events: rows.map(toAuditEvent),
		total,
		page,
		actions: actions.map((a) => a.action),
		actors: actors.map((a) => a.actor_email!)
	};
}
