// The integration a page or action under /integrations/[id] is about: its own organisation's, or 404.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { IntegrationSummary } from '#core/domain/integrations/integration.ts';
import { database } from '#lib/server/runtime.ts';
import { getIntegration } from '#core/integrations/queries.ts';

export async function integrationForPage(id: string, organizationId: string): Promise<IntegrationSummary> {
	if (!z.uuid().safeParse(id).success) error(404, 'There is no such integration.');
	const integration = await getIntegration(database().db, organizationId, id);
	if (!integration) error(404, 'There is no such integration in your organisation.');
	return integration;
}
