// Audit events: who changed what, when, from which value to which (SPEC B3).
import type { Kysely, Transaction } from 'kysely';
import type { SignedInUser } from '#core/domain/accounts/user.ts';
import type { Database } from '#core/db/database.ts';

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
	return rows.map((row) => ({
		id: row.id,
		actorEmail: row.actor_email,
		subjectType: row.subject_type,
		subjectId: row.subject_id,
		subjectLabel: row.subject_label,
		action: row.action,
		before: row.before,
		after: row.after,
		createdAt: row.created_at.toISOString()
	}));
}
