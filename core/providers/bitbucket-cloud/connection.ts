// The connection test: who the credentials are (/user), which workspaces they see, then one
// repository read as an update would (git for commits and tags, the pull request list for pull
// requests). Bitbucket Cloud does not list a token's scopes, but names the missing ones when it
// refuses a request: those become the test's missing permissions.
import type { Service } from '#core/domain/integrations/providers.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { connectionSteps, emptyReport, type Step } from '../shared/connection-steps.ts';
import { BitbucketResponseError, describeBitbucketError, type BitbucketFailureCategory } from '../bitbucket/errors.ts';
import { listWorkspaces, type CloudRepository } from './discovery.ts';
import { cloudGitCredentials, required, withoutUser, type BitbucketCloudSession } from './session.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

export interface CloudConnectionReport extends ConnectionReport {
	failure?: BitbucketFailureCategory;
}

/** Account, workspaces, and one probe per service that reads a repository. */
export function expectedSteps(services: readonly Service[]): number {
	return 2 + services.filter((service) => service === 'repos' || service === 'pull-requests').length;
}

export async function checkCloudConnection(session: BitbucketCloudSession, services: readonly Service[], onStep: OnStep = () => {}): Promise<CloudConnectionReport> {
	const report: CloudConnectionReport = emptyReport();
	const step = connectionSteps(report, onStep);
	let stage = 'Account';
	try {
		const { data: me } = await session.api.GET('/user');
		const user = required(me, 'who the credentials belong to (GET /user)');
		report.account = String(user.nickname ?? user.display_name ?? user.uuid ?? 'unknown');
		await step('Account', { ok: true });

		stage = 'Workspaces';
		const workspaces = await listWorkspaces(session, { pages: 1 });
		await step('Workspaces', { ok: true });
		const first = workspaces[0];
		if (!first) return report;
		const { data: page } = await session.api.GET('/repositories/{workspace}', { params: { path: { workspace: first.slug }, query: { pagelen: 1 } as never } });
		const repository = required(page, `the repositories of ${first.slug}`).values?.[0] as CloudRepository | undefined;
		if (!repository?.full_name) return report;
		await probe(session, repository, services, report, step);
	} catch (error) {
		const failure = describeBitbucketError(error, session.errors);
		report.failure = failure.category;
		if (error instanceof BitbucketResponseError && error.required) report.missingPermissions = error.required;
		await step(stage, { ok: false, message: failure.message });
	}
	return report;
}

async function probe(session: BitbucketCloudSession, repository: CloudRepository, services: readonly Service[], report: CloudConnectionReport, step: Step): Promise<void> {
	const name = repository.full_name!;
	const clone = repository.links?.clone?.find((link) => link.name === 'https')?.href;
	if (services.includes('repos') && clone) {
		const read = await testRepository(withoutUser(clone), cloudGitCredentials(session.credentials), session.git);
		if (read.ok) await step(`Repository ${name}`, { ok: true });
		else if (read.reason === 'authentication-failed' || read.reason === 'repository-not-found') {
			report.missingPermissions = [...(report.missingPermissions ?? []), 'read:repository:bitbucket'];
			await step(`Repository ${name}`, { ok: false, message: `These credentials cannot clone ${name} (git: ${read.message}): they need the scope read:repository.` });
		} else await step(`Repository ${name}`, { ok: false, message: `Git could not read ${name} from Bitbucket Cloud: ${read.message}` });
	}
	if (services.includes('pull-requests')) {
		const [workspace, slug] = name.split('/') as [string, string];
		try {
			await session.api.GET('/repositories/{workspace}/{repo_slug}/pullrequests', { params: { path: { workspace, repo_slug: slug }, query: { pagelen: 1 } as never } });
			await step(`Pull requests of ${name}`, { ok: true });
		} catch (error) {
			const failure = describeBitbucketError(error, session.errors);
			if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw error;
			if (error instanceof BitbucketResponseError && error.required) report.missingPermissions = [...(report.missingPermissions ?? []), ...error.required];
			await step(`Pull requests of ${name}`, { ok: false, message: `These credentials cannot read the pull requests of ${name}: ${failure.message}` });
		}
	}
}
