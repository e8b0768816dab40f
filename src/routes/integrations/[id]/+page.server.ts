import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { integrationScope } from '#core/domain/integrations/integration.ts';
import { listAudit, recordAudit } from '#core/accounts/audit.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings, workflowUrlBase } from '#core/config.ts';
import { broadcastIntegration, broadcastRepo } from '#core/integrations/broadcast.ts';
import { startDelete, startDeploymentSource, startRefresh, startTest, startUpdate } from '#lib/server/integrations/operations.ts';
import { requireProvider } from '#core/providers/registry.ts';
import { services as allServices } from '#core/domain/integrations/providers.ts';
import { groupToggles, listGroups, setAutoImportAll, setGroupToggle, setService, type GroupToggle } from '#lib/server/integrations/repos-settings.ts';
import { countIntegrationData, getIntegration, holdForWriting, listRepos, toRepoSummary } from '#core/integrations/queries.ts';
import { listOperations } from '#core/operations/queries.ts';
import { providerOf } from '#core/providers/registry.ts';
import { startUnlessRunning } from '#lib/server/operations/start.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';
import { integrationForPage } from '#lib/server/integrations/integration-for-page.ts';

const idSchema = z.uuid();


export const load: PageServerLoad = guard('integrations.view', async ({ params }, user) => {
	const integration = await integrationForPage(params.id, user.organizationId);
	const { db } = database();
	const settings = readSettings();
	const [repos, groups, operations, audit] = await Promise.all([
		listRepos(db, user.organizationId, integration.id),
		listGroups(db, user.organizationId, integration.id),
		listOperations(db, { organizationId: user.organizationId, scope: integrationScope(integration.id), limit: 5 }),
		listAudit(db, { organizationId: user.organizationId, subjectId: integration.id, limit: 20 })
	]);
	return {
		integration,
		repos,
		groups,
		discovers: requireProvider(integration.kind).discover !== undefined,
		autoImportAll: (await db.selectFrom('integrations').select('settings').where('id', '=', integration.id).executeTakeFirstOrThrow()).settings.autoImportAll !== false,
		operations,
		audit,
		cooldownHours: settings.reAddCooldownHours,
		hasWebhooks: providerOf(integration.kind)?.webhooks !== undefined,
		workflowUrlBase: workflowUrlBase(settings)
	};
});

function alreadyRunning(what: string) {
	return fail(409, { message: `${what} is already running for this integration; its progress is shown below.` });
}

export const actions: Actions = {
	test: guard('integrations.manage', async ({ params }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (!(await startUnlessRunning(() => startTest(user, integration.id)))) return alreadyRunning('A connection test');
		return { done: 'Testing the connection to every repository.' };
	}),

	update: guard('integrations.manage', async ({ params }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (integration.dataStatus === 'deleting') return fail(409, { message: 'This integration is being deleted.' });
		if (!(await startUnlessRunning(() => startUpdate(user, integration.id)))) return alreadyRunning('An update');
		return { done: 'Update started: new commits and tags of every imported repository.' };
	}),

	// Hosted providers list their repositories again; Generic Git has no server to ask for more, so
	// refreshing re-reads the ones it has.
	refresh: guard('integrations.manage', async ({ params }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (requireProvider(integration.kind).discover) {
			if (!(await startUnlessRunning(() => startRefresh(user, integration.id)))) return alreadyRunning('A refresh');
			return { done: 'Looking for new groups and repositories.' };
		}
		if (!(await startUnlessRunning(() => startTest(user, integration.id)))) return alreadyRunning('A refresh');
		return { done: 'Checking every repository is still there and readable.' };
	}),

	deploymentSource: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const gitTags = (await request.formData()).get('gitTags');
		if (gitTags !== 'on' && gitTags !== 'off') return fail(400, { message: 'Choose on or off.' });
		if (!(await startUnlessRunning(() => startDeploymentSource(user, [integration.id], gitTags === 'on')))) return alreadyRunning('A deployment source change');
		return { done: `Turning deployments from git tags ${gitTags}.` };
	}),

	setImported: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const form = await request.formData();
		const repoId = idSchema.safeParse(form.get('repoId'));
		const imported = form.get('imported');
		if (!repoId.success || (imported !== 'yes' && imported !== 'no')) return fail(400, { message: 'Choose a repository and whether to import it.' });
		const row = await database()
			.db.transaction()
			.execute(async (trx) => {
				if (!(await holdForWriting(trx, integration.id))) return 'deleting' as const;
				const changed = await trx
					.updateTable('repos')
					.set({ imported: imported === 'yes', data_status: imported === 'yes' ? 'queued' : 'excluded', status_detail: null })
					.where('id', '=', repoId.data)
					.where('integration_id', '=', integration.id)
					.where('organization_id', '=', user.organizationId)
					.returningAll()
					.executeTakeFirst();
				if (changed) {
					await recordAudit(trx, {
						organizationId: user.organizationId,
						actor: user,
						subject: { type: 'integration', id: integration.id, label: integration.name },
						action: 'integration.repository_imported',
						after: { repository: changed.name, imported: changed.imported }
					});
				}
				return changed;
			});
		if (row === 'deleting') return fail(409, { message: 'This integration is being deleted: its repositories can no longer change.' });
		if (!row) return fail(404, { message: 'There is no such repository in this integration.' });
		broadcastRepo(realtime(), toRepoSummary(row));
		return { done: imported === 'yes' ? `${row.name} will be imported by the next update.` : `${row.name} is no longer imported; its data stays until you delete the integration.` };
	}),

	autoImportAll: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const on = (await request.formData()).get('on');
		if (on !== 'yes' && on !== 'no') return fail(400, { message: 'Choose on or off.' });
		const outcome = await setAutoImportAll(database().db, user, integration, on === 'yes');
		return outcome.ok ? { done: outcome.message } : fail(outcome.status, { message: outcome.message });
	}),

	setGroup: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const form = await request.formData();
		const groupId = idSchema.safeParse(form.get('groupId'));
		const toggle = String(form.get('toggle'));
		const on = form.get('on');
		if (!groupId.success || !Object.hasOwn(groupToggles, toggle) || (on !== 'yes' && on !== 'no')) return fail(400, { message: 'Choose a group, a setting and on or off.' });
		const outcome = await setGroupToggle(database().db, user, integration, groupId.data, toggle as GroupToggle, on === 'yes');
		return outcome.ok ? { done: outcome.message } : fail(outcome.status, { message: outcome.message });
	}),

	setService: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const form = await request.formData();
		const service = String(form.get('service'));
		const on = form.get('on');
		if (!(allServices as readonly string[]).includes(service) || (on !== 'yes' && on !== 'no')) return fail(400, { message: 'Choose a service and on or off.' });
		const outcome = await setService(database().db, user, integration, service as (typeof allServices)[number], on === 'yes');
		if (!outcome.ok) return fail(outcome.status, { message: outcome.message });
		const fresh = await getIntegration(database().db, user.organizationId, integration.id);
		if (fresh) broadcastIntegration(realtime(), fresh);
		return { done: outcome.message };
	}),

	delete: guard('integrations.delete', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if ((await request.formData()).get('confirm') !== 'yes') {
			return fail(409, { confirmDelete: { counts: await countIntegrationData(database().db, user.organizationId, [integration.id]) } });
		}
		if (!(await startUnlessRunning(() => startDelete(user, integration.id)))) return alreadyRunning('A deletion');
		redirect(303, '/integrations');
	})
};
