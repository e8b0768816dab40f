// The connection test: the server (its version, GET /rest/api/latest/application-properties), who
// the credentials are (Data Center has no "who am I": every authenticated answer names its user in
// X-AUSERNAME), then one readable repository read as an update would (git for commits and tags,
// the pull request list for pull requests).
import type { Service } from '#core/domain/integrations/providers.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { connectionSteps, emptyReport, type Step } from '../shared/connection-steps.ts';
import { describeBitbucketError, malformed, type BitbucketFailureCategory } from '../bitbucket/errors.ts';
import { httpCloneUrl, type ServerRepository } from './discovery.ts';
import { dataCenterGitCredentials, type DataCenterSession } from './session.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

export interface DataCenterConnectionReport extends ConnectionReport {
	failure?: BitbucketFailureCategory;
}

/** Server, account, and one probe per service that reads a repository. */
export function expectedSteps(services: readonly Service[]): number {
	return 2 + services.filter((service) => service === 'repos' || service === 'pull-requests').length;
}

export async function checkDataCenterConnection(session: DataCenterSession, services: readonly Service[], onStep: OnStep = () => {}): Promise<DataCenterConnectionReport> {
	const report: DataCenterConnectionReport = emptyReport();
	const step = connectionSteps(report, onStep);
	let stage = 'Server';
	try {
		const { data: properties } = await session.api.GET('/api/latest/application-properties', {});
		const version = (properties as { version?: unknown } | undefined)?.version;
		if (typeof version !== 'string') throw malformed(session.errors, 'its version (GET /rest/api/latest/application-properties)');
		await step(`Server (Bitbucket ${version})`, { ok: true });

		stage = 'Account';
		const { data, response } = await session.api.GET('/api/latest/repos', { params: { query: { limit: 1, permission: 'REPO_READ' } as never } });
		const user = response.headers.get('x-ausername');
		if (!user) {
			await step('Account', { ok: false, message: `${session.errors.server} answered as to an anonymous visitor: it did not accept the credentials. ${session.errors.renew}` });
			report.failure = 'bad-credentials';
			return report;
		}
		report.account = user;
		await step('Account', { ok: true });
		const repository = (data as { values?: ServerRepository[] } | undefined)?.values?.[0];
		if (repository) await probe(session, repository, services, step, report);
	} catch (error) {
		const failure = describeBitbucketError(error, session.errors);
		report.failure = failure.category;
		await step(stage, { ok: false, message: failure.message });
	}
	return report;
}

async function probe(session: DataCenterSession, repository: ServerRepository, services: readonly Service[], step: Step, report: DataCenterConnectionReport): Promise<void> {
	const key = repository.project?.key;
	const slug = repository.slug;
	const clone = httpCloneUrl(repository);
	if (!key || !slug) return;
	const name = `${key}/${slug}`;
	if (services.includes('repos') && clone) {
		const url = new URL(clone);
		url.username = '';
		const read = await testRepository(url.toString(), dataCenterGitCredentials(session), session.git);
		if (read.ok) await step(`Repository ${name}`, { ok: true });
		else if (read.reason === 'authentication-failed' || read.reason === 'repository-not-found') {
			report.missingPermissions = [...(report.missingPermissions ?? []), 'REPO_READ'];
			await step(`Repository ${name}`, { ok: false, message: `These credentials cannot clone ${name} (git: ${read.message}): they need Repository read.` });
		} else await step(`Repository ${name}`, { ok: false, message: `Git could not read ${name} from ${session.errors.server}: ${read.message}` });
	}
	if (services.includes('pull-requests')) {
		try {
			await session.api.GET('/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests', { params: { path: { projectKey: key, repositorySlug: slug }, query: { limit: 1, state: 'ALL' } as never } });
			await step(`Pull requests of ${name}`, { ok: true });
		} catch (error) {
			const failure = describeBitbucketError(error, session.errors);
			if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw error;
			await step(`Pull requests of ${name}`, { ok: false, message: `These credentials cannot read the pull requests of ${name}: ${failure.message}` });
		}
	}
}
