import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { integrationDataStatuses, providerKinds, providers, type ProviderKind } from '#core/domain/integrations/providers.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings } from '#core/config.ts';
import {
	startDelete,
	startDeploymentSource,
	startMetrics,
	startUpdate,
	startUpdateAll
} from '#lib/server/integrations/operations.ts';
import { countIntegrationData, listIntegrations, sortColumns } from '#core/integrations/queries.ts';
import { readSelection } from '#lib/server/integrations/selection.ts';
import { listRunningOperations } from '#core/operations/queries.ts';
import { startEach, startUnlessRunning } from '#lib/server/operations/start.ts';
import { database } from '#lib/server/runtime.ts';
import { listFilter, listPageSize } from '#lib/server/list-filter.ts';
import type { Actions, PageServerLoad } from './$types';

const pageSize = listPageSize;

const filterSchema = listFilter(sortColumns, 'name').extend({
	provider: z.enum(providerKinds).optional().catch(undefined),
	status: z.enum(integrationDataStatuses).optional().catch(undefined)
});

export const load: PageServerLoad = guard('integrations.view', async ({ url }, user) => {
	const filter = filterSchema.parse(Object.fromEntries(url.searchParams));
	const { db } = database();
	const [{ integrations, total, page }, operations] = await Promise.all([
		listIntegrations(db, user.organizationId, {
			text: filter.q || undefined,
			provider: filter.provider,
			status: filter.status,
			sort: filter.sort,
			direction: filter.dir,
			page: filter.page,
			pageSize
		}),
		listRunningOperations(db, user.organizationId, 'integration', 200)
	]);
	return { integrations, total, filter: { ...filter, page }, pageSize, operations, cooldownHours: readSettings().reAddCooldownHours };
});

function outcome(started: number, skipped: string[], what: string) {
	const skippedText = skipped.length > 0 ? ` Already running for: ${skipped.join(', ')}.` : '';
	return { done: `${what} started for ${started} integration${started === 1 ? '' : 's'}.${skippedText}` };
}

export const actions: Actions = {
	remove: guard('integrations.delete', async ({ request }, user) => {
		const form = await request.formData();
		const { db } = database();
		const selection = await readSelection(db, user.organizationId, form);
		if (!selection.ok) return fail(400, { message: selection.message });
		const ids = selection.integrations.map((i) => i.id);
		// What will be lost, with counts, before anything is: the server asks, the page shows it.
		if (form.get('confirm') !== 'yes') {
			return fail(409, { confirmRemove: { integrations: selection.integrations, counts: await countIntegrationData(db, user.organizationId, ids) } });
		}
		const { started, skipped } = await startEach(selection.integrations, (integration) => startDelete(user, integration.id));
		return outcome(started, skipped, 'Deletion');
	}),

	deploymentSource: guard('integrations.manage', async ({ request }, user) => {
		const form = await request.formData();
		const gitTags = form.get('gitTags');
		if (gitTags !== 'on' && gitTags !== 'off') return fail(400, { message: 'Choose whether git tags count as deployments (on or off).' });
		const selection = await readSelection(database().db, user.organizationId, form);
		if (!selection.ok) return fail(400, { message: selection.message });
		const gitBased = selection.integrations.filter((i) => providers[i.kind as ProviderKind].hasRepoData);
		if (gitBased.length === 0) return fail(400, { message: 'None of the selected integrations has repository data.' });
		if (!(await startUnlessRunning(() => startDeploymentSource(user, gitBased.map((i) => i.id), gitTags === 'on')))) return fail(409, { message: 'A deployment source change is already running for these integrations; wait for it to finish.' });
		return { done: `Turning deployments from git tags ${gitTags} for ${gitBased.length} integration${gitBased.length === 1 ? '' : 's'}.` };
	}),

	update: guard('integrations.manage', async ({ request }, user) => {
		const selection = await readSelection(database().db, user.organizationId, await request.formData());
		if (!selection.ok) return fail(400, { message: selection.message });
		const { started, skipped } = await startEach(selection.integrations, (integration) => startUpdate(user, integration.id));
		return outcome(started, skipped, 'Update');
	}),

	updateAll: guard('integrations.delete', async (_event, user) => {
		if (!(await startUnlessRunning(() => startUpdateAll(user)))) return fail(409, { message: 'Updating all repositories is already running.' });
		return { done: 'Updating every repository of every integration.' };
	}),

	updateMetrics: guard('integrations.delete', async (_event, user) => {
		if (!(await startUnlessRunning(() => startMetrics(user)))) return fail(409, { message: 'Background metrics are already being updated.' });
		return { done: 'Recomputing background metrics from stored data.' };
	}),

	deploymentSourceAll: guard('integrations.delete', async ({ request }, user) => {
		const gitTags = (await request.formData()).get('gitTags');
		if (gitTags !== 'on' && gitTags !== 'off') return fail(400, { message: 'Choose whether git tags count as deployments (on or off).' });
		if (!(await startUnlessRunning(() => startDeploymentSource(user, [], gitTags === 'on')))) return fail(409, { message: 'A deployment source change for all integrations is already running.' });
		return { done: `Turning deployments from git tags ${gitTags} for all git-based integrations.` };
	})
};
