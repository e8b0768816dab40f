// The connection test: who the token is, which scopes it has against what the chosen services need
// (GitLab tells: /personal_access_tokens/self gives scopes, expiry and whether it is active), and
// then one project it can see, read as an update would (git for commits and tags, the merge
// request list for merge requests). Every failure is a sentence naming what to change.
import type { Service } from '#core/domain/integrations/providers.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { connectionSteps, emptyReport, type Step } from '../shared/connection-steps.ts';
import { describeGitLabError, malformed, type GitLabFailureCategory } from './errors.ts';
import { gitCredentialsOf, type GitLabSession } from './session.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The scopes the services need, each with the broader scopes that cover it. */
export function neededScopes(services: readonly Service[]): Array<{ scope: string; coveredBy: string[] }> {
	const needed = [{ scope: 'read_api', coveredBy: ['read_api', 'api'] }];
	if (services.includes('repos')) needed.push({ scope: 'read_repository', coveredBy: ['read_repository', 'write_repository', 'api'] });
	return needed;
}

export function missingScopes(granted: readonly string[], services: readonly Service[]): string[] {
	return neededScopes(services)
		.filter((need) => !need.coveredBy.some((scope) => granted.includes(scope)))
		.map((need) => need.scope);
}

/** `expires_at` is a date: the token works through that day (UTC). */
export function parseExpiry(value: unknown): Date | null {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
	const date = new Date(`${value.slice(0, 10)}T23:59:59Z`);
	return Number.isNaN(date.getTime()) ? null : date;
}

/** Account, token, and one probe per service that reads a project. */
export function expectedSteps(services: readonly Service[]): number {
	return 2 + services.filter((service) => service === 'repos' || service === 'pull-requests').length;
}

export interface GitLabConnectionReport extends ConnectionReport {
	failure?: GitLabFailureCategory;
	/** Group and project access tokens belong to a bot user. */
	bot?: boolean;
}

export async function checkConnection(session: GitLabSession, services: readonly Service[], onStep: OnStep = () => {}): Promise<GitLabConnectionReport> {
	const report: GitLabConnectionReport = emptyReport();
	const step = connectionSteps(report, onStep);
	try {
		await check(session, services, report, step);
	} catch (error) {
		const failure = describeGitLabError(error, session.errors);
		report.failure = failure.category;
		await step(report.account ? 'Token' : 'Account', { ok: false, message: failure.message });
	}
	return report;
}

async function check(session: GitLabSession, services: readonly Service[], report: GitLabConnectionReport, step: Step): Promise<void> {
	const { api } = session.client;
	const server = session.errors.server;
	const who: unknown = await api.Users.showCurrentUser();
	if (!isObject(who) || typeof who.username !== 'string') throw malformed(session.errors, 'who the token belongs to (GET /user)');
	report.account = who.username;
	report.bot = who.bot === true;
	await step('Account', { ok: true });

	const token: unknown = await api.PersonalAccessTokens.show();
	if (!isObject(token) || !Array.isArray(token.scopes)) throw malformed(session.errors, 'the token (GET /personal_access_tokens/self)');
	report.expiresAt = parseExpiry(token.expires_at);
	const missing = missingScopes(token.scopes.filter((s): s is string => typeof s === 'string'), services);
	if (missing.length > 0) {
		report.missingPermissions = missing;
		const list = missing.map((s) => `“${s}”`).join(' and ');
		await step('Token', {
			ok: false,
			message: `${server} accepted the token, but it lacks the scope${missing.length > 1 ? 's' : ''} ${list}${missing.includes('read_repository') ? ': git cannot clone with it' : ''}. Create a token with the scopes read_api and read_repository, then edit the integration.`
		});
		return;
	}
	await step('Token', { ok: true });

	// One project the token's user is a member of (a project token: its project), read as an update would.
	const projects: unknown = await api.Projects.all({ membership: true, simple: true, perPage: 1, maxPages: 1, orderBy: 'id', sort: 'asc' });
	if (!Array.isArray(projects)) throw malformed(session.errors, 'the projects (GET /projects)');
	const project = projects[0] as { id?: unknown; path_with_namespace?: unknown; http_url_to_repo?: unknown } | undefined;
	if (!project || typeof project.id !== 'number' || typeof project.path_with_namespace !== 'string' || typeof project.http_url_to_repo !== 'string') return;
	const name = project.path_with_namespace;
	if (services.includes('repos')) {
		const read = await testRepository(project.http_url_to_repo, gitCredentialsOf(session), session.git);
		if (read.ok) await step(`Repository ${name}`, { ok: true });
		else if (read.reason === 'authentication-failed' || read.reason === 'repository-not-found') {
			report.missingPermissions = [...(report.missingPermissions ?? []), 'read_repository'];
			await step(`Repository ${name}`, { ok: false, message: `The token cannot clone ${name} (git: ${read.message}): it needs the scope read_repository and the role Reporter or above.` });
		} else await step(`Repository ${name}`, { ok: false, message: `Git could not read ${name} from ${server}: ${read.message}` });
	}
	if (services.includes('pull-requests')) {
		try {
			const list: unknown = await api.MergeRequests.all({ projectId: project.id, perPage: 1, maxPages: 1 });
			if (!Array.isArray(list)) throw malformed(session.errors, `the merge requests of ${name}`);
			await step(`Merge requests of ${name}`, { ok: true });
		} catch (error) {
			const failure = describeGitLabError(error, session.errors);
			if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw failure;
			await step(`Merge requests of ${name}`, { ok: false, message: `The token cannot read the merge requests of ${name}: ${failure.message}` });
		}
	}
}
