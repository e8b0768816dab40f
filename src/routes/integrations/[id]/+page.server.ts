import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { integrationScope } from '#core/domain/integrations/integration.ts';
import { listAudit } from '#core/accounts/audit.ts';
import { guard } from '#lib/server/auth/guard.ts';
import { readSettings, workflowUrlBase } from '#core/config.ts';
import { broadcastIntegration, broadcastRepo } from '#core/integrations/broadcast.ts';
import { startDelete, startDeploymentSource, startRefresh, startTest, startUpdate } from '#lib/server/integrations/operations.ts';
import { providerDiscovers, providerOf } from '#core/providers/registry.ts';
import { services as allServices, providers } from '#core/domain/integrations/providers.ts';
import { groupToggles, listGroups, setAutoImportAll, setGroupToggle, setRepoImported, setService, type GroupToggle } from '#lib/server/integrations/repos-settings.ts';
import {
	autoImportsTicketProjects,
	readTicketSettingsForm,
	saveTicketProjectSettings,
	setAutoImportTicketProjects,
	setTicketProjectImported,
	ticketProjectRemoval
} from '#lib/server/integrations/ticket-projects-settings.ts';
import { broadcastTicketProject, listTicketProjects } from '#core/tickets/projects.ts';
import { countIntegrationData, getIntegration, listRepos, toRepoSummary } from '#core/integrations/queries.ts';
import { listOperations } from '#core/operations/queries.ts';
import { startUnlessRunning } from '#lib/server/operations/start.ts';
import { database, realtime } from '#lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';
import { integrationForPage } from '#lib/server/integrations/integration-for-page.ts';

const idSchema = z.uuid();


export const load: PageServerLoad = guard('integrations.view', async ({ params }, user) => {
	const integration = await integrationForPage(params.id, user.organizationId);
	const { db } = database();
	const settings = readSettings();
	const withTickets = providers[integration.kind].services.includes('tickets');
	const [repos, groups, ticketProjects, autoImportTicketProjects, operations, audit] = await Promise.all([
		listRepos(db, user.organizationId, integration.id),
		listGroups(db, user.organizationId, integration.id),
		withTickets ? listTicketProjects(db, user.organizationId, integration.id) : [],
		withTickets && autoImportsTicketProjects(db, user.organizationId, integration.id),
		listOperations(db, { organizationId: user.organizationId, scope: integrationScope(integration.id), limit: 5 }),
		listAudit(db, { organizationId: user.organizationId, subjectId: integration.id, limit: 20 })
	]);
	return {
		integration,
		repos,
		groups,
		ticketProjects,
		autoImportTicketProjects,
		discovers: providerOf(integration.kind)?.discover !== undefined,
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
		return { done: providers[integration.kind].hasRepoData ? 'Testing the connection to every repository.' : `Testing the connection to ${providers[integration.kind].label}.` };
	}),

	update: guard('integrations.manage', async ({ params }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (integration.dataStatus === 'deleting') return fail(409, { message: 'This integration is being deleted.' });
		if (!(await startUnlessRunning(() => startUpdate(user, integration.id)))) return alreadyRunning('An update');
		const provider = providers[integration.kind];
		const tickets = provider.services.includes('tickets') && integration.services.includes('tickets');
		if (!provider.hasRepoData) return { done: 'Update started: new and changed tickets of every imported project.' };
		return { done: `Update started: new commits and tags of every imported repository${tickets ? ', and new and changed tickets of every imported project' : ''}.` };
	}),

	// Hosted providers list their repositories (ticket systems their projects) again; Generic Git
	// has no server to ask for more, so refreshing re-reads the ones it has.
	refresh: guard('integrations.manage', async ({ params }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		if (!providers[integration.kind].hasRepoData) {
			if (!(await startUnlessRunning(() => startRefresh(user, integration.id)))) return alreadyRunning('A refresh');
			return { done: 'Looking for new ticket projects and changes to their workflows.' };
		}
		if (providerDiscovers(integration.kind)) {
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
		const outcome = await setRepoImported(database().db, user, { repoId: repoId.data, integrationId: integration.id }, imported === 'yes');
		if (!outcome.ok) return fail(outcome.status, { message: outcome.message });
		broadcastRepo(realtime(), toRepoSummary(outcome.repo));
		return { done: outcome.message };
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

	// The Tickets tab (SPEC F7.6).
	autoImportTicketProjects: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const on = (await request.formData()).get('on');
		if (on !== 'yes' && on !== 'no') return fail(400, { refused: 'Choose on or off.' });
		if (!providers[integration.kind].services.includes('tickets')) return fail(404, { refused: 'This integration has no ticket projects.' });
		const outcome = await setAutoImportTicketProjects(database().db, user, integration, on === 'yes');
		return outcome.ok ? { saved: outcome.message } : fail(outcome.status, { refused: outcome.message });
	}),

	// Removing deletes the project's tickets: the server asks first, with how many go.
	setTicketProjectImported: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const form = await request.formData();
		const projectId = idSchema.safeParse(form.get('projectId'));
		const imported = form.get('imported');
		if (!projectId.success || (imported !== 'yes' && imported !== 'no')) return fail(400, { refused: 'Choose a ticket project and whether to import it.' });
		const { db } = database();
		if (imported === 'no' && form.get('confirm') !== 'yes') {
			const removal = await ticketProjectRemoval(db, user.organizationId, projectId.data, integration.id);
			if (!removal) return fail(404, { refused: 'There is no such ticket project in this integration.' });
			return fail(409, { confirmRemoveProject: removal });
		}
		const outcome = await setTicketProjectImported(db, user, { projectId: projectId.data, integrationId: integration.id }, imported === 'yes');
		if (!outcome.ok) return fail(outcome.status, { refused: outcome.message });
		broadcastTicketProject(realtime(), outcome.project);
		return { saved: outcome.message };
	}),

	configureTicketProject: guard('integrations.manage', async ({ params, request }, user) => {
		const integration = await integrationForPage(params.id, user.organizationId);
		const read = readTicketSettingsForm(await request.formData());
		if (!read.ok) return fail(400, { refused: read.message });
		const outcome = await saveTicketProjectSettings(database().db, user, integration, read.request, read.errors);
		if (outcome.ok) {
			broadcastTicketProject(realtime(), outcome.project);
			return { saved: outcome.message };
		}
		const projectId = read.request.projectId;
		if ('errors' in outcome) return fail(400, { projectId, settingsErrors: outcome.errors });
		if ('stale' in outcome) return fail(409, { projectId, stale: outcome.stale });
		return fail(outcome.status, { refused: outcome.message });
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
