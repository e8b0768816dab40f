// Support's view (SPEC B2): every operation of the organisation, newest first, filterable.
import { z } from 'zod';
import { readSettings, workflowUrlBase } from '#core/config.ts';
import { operationStates } from '#core/domain/operations/operation.ts';
import { integrationIdOfScope } from '#core/domain/integrations/integration.ts';
import { listOrganizationOperations, operationFacets } from '#core/operations/queries.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { database } from '#lib/server/runtime.ts';
import type { PageServerLoad } from './$types';

const pageSize = 50;

const filterSchema = z.object({
	kind: z.string().max(100).optional().catch(undefined),
	state: z.enum(operationStates).optional().catch(undefined),
	scope: z.string().max(200).optional().catch(undefined),
	by: z.string().max(320).optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = guard('integrations.view', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const { db } = database();
	const [{ operations, total, page }, facets] = await Promise.all([
		listOrganizationOperations(db, user.organizationId, {
			kind: filter.kind || undefined,
			state: filter.state,
			scope: filter.scope || undefined,
			startedBy: filter.by || undefined,
			page: filter.page,
			pageSize
		}),
		operationFacets(db, user.organizationId)
	]);
	// Subjects still there get a link; a deleted integration's name stays, without one.
	const integrationIds = [...new Set(operations.map((op) => integrationIdOfScope(op.scope)).filter((id): id is string => id !== undefined))];
	const existing =
		integrationIds.length === 0
			? []
			: await db.selectFrom('integrations').select('id').where('organization_id', '=', user.organizationId).where('id', 'in', integrationIds).execute();
	return {
		operations,
		total,
		pageSize,
		filter: { ...filter, page },
		facets,
		existingIntegrations: existing.map((row) => row.id),
		workflowUrlBase: workflowUrlBase(readSettings())
	};
});
