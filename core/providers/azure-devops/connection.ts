// The connection test: who the token is (GET /_apis/connectionData: its authenticatedUser; an
// anonymous identity means Azure did not take the credentials), the projects it may list, then one
// repository read as an update would (git ls-remote with the token for commits and tags, the pull
// request list for pull requests). Azure's API does not tell a token's expiry: none is recorded.
import type { Service } from '#core/domain/integrations/providers.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { connectionSteps, emptyReport, type Step } from '../shared/connection-steps.ts';
import { cloneUrlOf, listRepositories } from './discovery.ts';
import { AzureDevOpsError, describeAzureError, malformed, type AzureFailureCategory } from './errors.ts';
import { azureGitCredentials, type AzureSession } from './session.ts';
import type { AzConnectionIdentity, AzList, AzProject, AzRepository } from './types.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

export interface AzureConnectionReport extends ConnectionReport {
	failure?: AzureFailureCategory;
}

/** Account, projects, one probe per service that reads a repository, and the work items when tickets are on. */
export function expectedSteps(services: readonly Service[]): number {
	return 2 + services.filter((service) => service === 'repos' || service === 'pull-requests' || service === 'tickets').length;
}

/** Who connectionData says the caller is: a name for a person, or null for the anonymous identity. */
export function accountOf(identity: AzConnectionIdentity | undefined): string | null {
	if (!identity?.id) return null;
	if (identity.descriptor?.startsWith('System:PublicAccess') || identity.providerDisplayName === 'Anonymous') return null;
	const account = identity.properties?.Account?.$value;
	if (typeof account === 'string' && account) return account;
	return identity.providerDisplayName ?? identity.id;
}

export async function checkAzureConnection(session: AzureSession, services: readonly Service[], onStep: OnStep = () => {}): Promise<AzureConnectionReport> {
	const report: AzureConnectionReport = emptyReport();
	const step = connectionSteps(report, onStep);
	let stage = 'Account';
	try {
		const { data } = await session.get<{ authenticatedUser?: AzConnectionIdentity }>('/_apis/connectionData', {}, 'who the token belongs to (GET /_apis/connectionData)');
		if (typeof data !== 'object' || data === null || !data.authenticatedUser) throw malformed(session.errors, 'who the token belongs to (GET /_apis/connectionData)');
		const account = accountOf(data.authenticatedUser);
		if (!account) {
			report.failure = 'bad-credentials';
			await step('Account', { ok: false, message: `${session.errors.server} answered as to an anonymous visitor: it did not accept the credentials. ${session.errors.renew}` });
			return report;
		}
		report.account = account;
		await step('Account', { ok: true });

		stage = 'Projects';
		const { data: projects } = await session.get<AzList<AzProject>>('/_apis/projects', { $top: 1 }, 'its projects (GET /_apis/projects)');
		if (!Array.isArray(projects?.value)) throw malformed(session.errors, 'its projects (GET /_apis/projects)');
		await step('Projects', { ok: true });

		if (services.includes('repos') || services.includes('pull-requests')) {
			stage = 'Repositories';
			let repositories: AzRepository[];
			try {
				repositories = await listRepositories(session);
			} catch (error) {
				const failure = describeAzureError(error, session.errors);
				if (failure.category !== 'missing-permission') throw failure;
				report.failure = failure.category;
				report.missingPermissions = failure.missingScopes.length > 0 ? failure.missingScopes : ['vso.code'];
				await step('Repositories', { ok: false, message: `This token cannot list the repositories: ${failure.message}` });
				return report;
			}
			const repository = repositories.find((r) => r.isDisabled !== true && r.id && r.name && r.project?.name) ?? null;
			if (repository) await probe(session, repository, services, step, report);
		}
		if (services.includes('tickets')) await probeWorkItems(session, projects.value[0]?.name, step, report);
	} catch (error) {
		const failure = describeAzureError(error, session.errors);
		report.failure = failure.category;
		if (failure instanceof AzureDevOpsError && failure.missingScopes.length > 0) report.missingPermissions = failure.missingScopes;
		await step(stage, { ok: false, message: failure.message });
	}
	return report;
}

async function probe(session: AzureSession, repository: AzRepository, services: readonly Service[], step: Step, report: AzureConnectionReport): Promise<void> {
	const name = `${repository.project!.name}/${repository.name}`;
	if (services.includes('repos')) {
		const url = cloneUrlOf(repository.remoteUrl, session.baseUrl);
		if (!url) await step(`Repository ${name}`, { ok: false, message: `${session.errors.server} names a clone URL for ${name} on another server: Tributary sends the token to the organization’s address only.` });
		else {
			const read = await testRepository(url, azureGitCredentials(session), session.git);
			if (read.ok) await step(`Repository ${name}`, { ok: true });
			else if (read.reason === 'authentication-failed' || read.reason === 'repository-not-found') {
				report.missingPermissions = [...new Set([...(report.missingPermissions ?? []), 'vso.code'])];
				await step(`Repository ${name}`, { ok: false, message: `This token cannot clone ${name} (git: ${read.message}): it needs the scope Code: Read.` });
			} else await step(`Repository ${name}`, { ok: false, message: `Git could not read ${name} from ${session.errors.server}: ${read.message}` });
		}
	}
	if (services.includes('pull-requests')) {
		try {
			await session.get(`/_apis/git/repositories/${encodeURIComponent(repository.id!)}/pullrequests`, { 'searchCriteria.status': 'all', $top: 1 }, `the pull requests of ${name}`);
			await step(`Pull requests of ${name}`, { ok: true });
		} catch (error) {
			const failure = describeAzureError(error, session.errors);
			if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw failure;
			if (failure.missingScopes.length > 0) report.missingPermissions = [...new Set([...(report.missingPermissions ?? []), ...failure.missingScopes])];
			await step(`Pull requests of ${name}`, { ok: false, message: `This token cannot read the pull requests of ${name}: ${failure.message}` });
		}
	}
}

/** One work item query in the first project, as an update asks it: Boards' scope (vso.work) is what it needs. */
async function probeWorkItems(session: AzureSession, project: string | undefined, step: Step, report: AzureConnectionReport): Promise<void> {
	if (!project) return;
	try {
		await session.post(`/${encodeURIComponent(project)}/_apis/wit/wiql`, { query: 'SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project' }, { $top: 1 }, `the work items of ${project}`);
		await step(`Work items of ${project}`, { ok: true });
	} catch (error) {
		const failure = describeAzureError(error, session.errors);
		if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw failure;
		report.missingPermissions = [...new Set([...(report.missingPermissions ?? []), ...(failure.missingScopes.length > 0 ? failure.missingScopes : ['vso.work'])])];
		await step(`Work items of ${project}`, { ok: false, message: `This token cannot read the work items of ${project}: it needs the scope Work Items: Read (vso.work). ${failure.message}` });
	}
}
