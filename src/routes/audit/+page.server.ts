// The organisation's audit log (SPEC B3), for admins: every change people made, who, when, from
// which value to which; kept after what it was about is gone.
import { z } from 'zod';
import { auditPage } from '#core/accounts/audit.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { database } from '#lib/server/runtime.ts';
import type { PageServerLoad } from './$types';

const pageSize = 50;

const filterSchema = z.object({
	action: z.string().max(100).optional().catch(undefined),
	by: z.string().max(320).optional().catch(undefined),
	subject: z.enum(['integration', 'integrations', 'user', 'operation']).optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = guard('users.manage', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const result = await auditPage(database().db, user.organizationId, {
		action: filter.action || undefined,
		actorEmail: filter.by || undefined,
		subjectType: filter.subject,
		page: filter.page,
		pageSize
	});
	return { ...result, pageSize, filter: { ...filter, page: result.page } };
});
