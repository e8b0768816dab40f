// Integrations picked in a form (checkboxes, a row menu): only ids of the user's organisation count.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#core/db/database.ts';

const ids = z.array(z.uuid()).min(1).max(500);

export type Selection = { ok: true; integrations: Array<{ id: string; name: string; kind: string; dataStatus: string }> } | { ok: false; message: string };

export async function readSelection(db: Kysely<Database>, organizationId: string, form: FormData): Promise<Selection> {
	const parsed = ids.safeParse(form.getAll('id'));
	if (!parsed.success) return { ok: false, message: 'Select at least one integration (and at most 500).' };
	const rows = await db
		.selectFrom('integrations')
		.select(['id', 'name', 'kind', 'data_status'])
		.where('organization_id', '=', organizationId)
		.where('id', 'in', parsed.data)
		.orderBy('name')
		.execute();
	if (rows.length !== new Set(parsed.data).size) return { ok: false, message: 'Some of the selected integrations no longer exist; reload the page.' };
	return { ok: true, integrations: rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, dataStatus: r.data_status })) };
}
