// The connection test: who the credentials are, whether they grant what the chosen services need
// (classic tokens by their scopes; fine-grained tokens by probing; Apps by the installation's
// permissions), and when they expire. Every failure is a sentence naming what to change.
import type { Service } from '#core/domain/integrations/providers.ts';
import { testRepository } from '#core/git/ls-remote.ts';
import type { ConnectionReport, ConnectionStep } from '../provider.ts';
import { tokenKind } from './credentials.ts';
import { describeGitHubError, GitHubError, malformed, type GitHubFailureCategory } from './errors.ts';
import { gitCredentialsOf, type GitHubSession } from './session.ts';

type OnStep = (step: ConnectionStep) => Promise<void> | void;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `GitHub-Authentication-Token-Expiration: 2026-12-11 22:54:28 UTC` (or `+0000`, or `-0800`). */
export function parseExpiration(header: string | undefined): Date | null {
	if (!header) return null;
	const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(header.trim());
	if (!match) return null;
	const zone = !match[3] || match[3] === 'UTC' || match[3] === 'Z' ? 'Z' : match[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
	const date = new Date(`${match[1]}T${match[2]}${zone}`);
	return Number.isNaN(date.getTime()) ? null : date;
}

/** The classic scopes the services need: `repo` reads private repositories (and their pull requests); `read:org` lists organisations. */
export function neededScopes(services: readonly Service[]): string[] {
	const needed = ['read:org'];
	if (services.includes('repos') || services.includes('pull-requests')) needed.unshift('repo');
	return needed;
}

/** Which of the needed classic scopes the granted ones lack (a broader scope covers a narrower one). */
export function missingScopes(granted: readonly string[], needed: readonly string[]): string[] {
	const covers: Record<string, string[]> = { 'read:org': ['read:org', 'write:org', 'admin:org'], repo: ['repo'] };
	return needed.filter((scope) => !(covers[scope] ?? [scope]).some((s) => granted.includes(s)));
}

/** An App installation's permissions the services need, by GitHub's names for them. */
const appPermissions: Array<{ key: string; name: string; services: Service[] | 'all' }> = [
	{ key: 'metadata', name: 'Metadata: read', services: 'all' },
	{ key: 'contents', name: 'Contents: read', services: ['repos'] },
	{ key: 'pull_requests', name: 'Pull requests: read', services: ['pull-requests'] }
];

interface Probe {
	ok: boolean;
	account?: string;
	missing: string[];
	expiresAt: Date | null;
	message: string | null;
	reached: number;
	failed: number;
	/** What kind of failure stopped the test before anything was reached (a refused token…). */
	failure?: GitHubFailureCategory;
}

/**
 * How many steps the test will report, for its bar: an App and a fine-grained token probe one
 * repository per service after their own checks; a classic token says its scopes at once. A
 * test that stops early (a refused token), or finds no repository to probe, reports fewer.
 */
export function expectedSteps(session: GitHubSession, services: readonly Service[]): number {
	const probes = services.filter((service) => service === 'repos' || service === 'pull-requests').length;
	if (session.credentials.method === 'github-app') return 3 + probes;
	return tokenKind(session.credentials.token) === 'fine-grained' ? 2 + probes : 2;
}

/** Runs the test, reporting each step as it ends; stops at the first failure that leaves nothing to test. */
export async function checkConnection(
	session: GitHubSession,
	services: readonly Service[],
	onStep: OnStep = () => {}
): Promise<ConnectionReport & { failure?: GitHubFailureCategory }> {
	const probe: Probe = { ok: true, missing: [], expiresAt: null, message: null, reached: 0, failed: 0 };
	const step = async (item: string, outcome: { ok: true } | { ok: false; message: string }) => {
		if (outcome.ok) probe.reached++;
		else {
			probe.failed++;
			probe.ok = false;
			probe.message = probe.message ? `${probe.message} ${outcome.message}` : outcome.message;
		}
		await onStep({ item, ok: outcome.ok, message: outcome.ok ? null : outcome.message });
	};
	try {
		if (session.credentials.method === 'github-app') await checkApp(session, services, probe, step);
		else await checkToken(session, services, probe, step);
	} catch (error) {
		const failure = describeGitHubError(error, session.errors);
		probe.failure = failure.category;
		await step(probe.account ? 'Permissions' : session.credentials.method === 'github-app' ? 'Installation' : 'Account', { ok: false, message: failure.message });
	}
	return {
		ok: probe.ok,
		...(probe.account ? { account: probe.account } : {}),
		...(probe.missing.length > 0 ? { missingPermissions: probe.missing } : {}),
		expiresAt: probe.expiresAt,
		message: probe.message,
		reached: probe.reached,
		failed: probe.failed,
		...(probe.failure ? { failure: probe.failure } : {})
	};
}

type Step = (item: string, outcome: { ok: true } | { ok: false; message: string }) => Promise<void>;

async function checkToken(session: GitHubSession, services: readonly Service[], probe: Probe, step: Step): Promise<void> {
	const { octokit } = session.client;
	const server = session.errors.server;
	const who = await octokit.request('GET /user');
	if (!isObject(who.data) || typeof who.data.login !== 'string') throw malformed(session.errors, 'who the token belongs to (GET /user)');
	probe.account = who.data.login;
	probe.expiresAt = parseExpiration(who.headers['github-authentication-token-expiration'] as string | undefined);
	await step('Account', { ok: true });

	const scopesHeader = who.headers['x-oauth-scopes'];
	if (typeof scopesHeader === 'string' && tokenKind(session.credentials.method === 'personal-access-token' ? session.credentials.token : '') !== 'fine-grained') {
		// A classic token says what it may do: compare, no probing needed.
		const granted = scopesHeader.split(',').map((s) => s.trim()).filter(Boolean);
		probe.missing = missingScopes(granted, neededScopes(services));
		if (probe.missing.length > 0) {
			const list = probe.missing.map((s) => `“${s}”`).join(' and ');
			await step('Permissions', {
				ok: false,
				message: `${server} accepted the token, but it lacks the scope${probe.missing.length > 1 ? 's' : ''} ${list}: without them GitHub shows only public repositories${probe.missing.includes('read:org') ? ' and no organisations' : ''}. Create a token with the scopes repo and read:org, then edit the integration.`
			});
		} else await step('Permissions', { ok: true });
		return;
	}

	// A fine-grained token says nothing: try what the services do, on one repository it can see.
	const orgs = await octokit.request('GET /user/orgs', { per_page: 100 });
	if (!Array.isArray(orgs.data)) throw malformed(session.errors, 'the organisations (GET /user/orgs)');
	await step('Organisations', { ok: true });
	const firstOrg = orgs.data.find((o) => isObject(o) && typeof o.login === 'string') as { login: string } | undefined;
	const sample = firstOrg
		? await octokit.request('GET /orgs/{org}/repos', { org: firstOrg.login, per_page: 1 })
		: await octokit.request('GET /user/repos', { per_page: 1, affiliation: 'owner' });
	if (!Array.isArray(sample.data)) throw malformed(session.errors, 'the repositories');
	const repo = sample.data[0] as { name?: string; owner?: { login?: string }; clone_url?: string } | undefined;
	if (!repo?.name || !repo.owner?.login || !repo.clone_url) return;
	await probeRepository(session, services, { owner: repo.owner.login, name: repo.name, cloneUrl: repo.clone_url }, probe, step, 'token');
}

async function probeRepository(
	session: GitHubSession,
	services: readonly Service[],
	repo: { owner: string; name: string; cloneUrl: string },
	probe: Probe,
	step: Step,
	holder: 'token' | 'App'
): Promise<void> {
	const server = session.errors.server;
	const fullName = `${repo.owner}/${repo.name}`;
	if (services.includes('repos')) {
		const read = await testRepository(repo.cloneUrl, await gitCredentialsOf(session), session.git);
		if (read.ok) await step(`Contents of ${fullName}`, { ok: true });
		else if (read.reason === 'authentication-failed' || read.reason === 'repository-not-found') {
			probe.missing.push('Contents: read');
			await step(`Contents of ${fullName}`, { ok: false, message: `The ${holder} cannot read the contents of ${fullName} (git: ${read.message}): give it the permission “Contents: read”.` });
		} else await step(`Contents of ${fullName}`, { ok: false, message: `Git could not read ${fullName} from ${server}: ${read.message}` });
	}
	if (services.includes('pull-requests')) {
		try {
			const pulls = await session.client.octokit.request('GET /repos/{owner}/{repo}/pulls', { owner: repo.owner, repo: repo.name, per_page: 1, state: 'all' });
			if (!Array.isArray(pulls.data)) throw malformed(session.errors, `the pull requests of ${fullName}`);
			await step(`Pull requests of ${fullName}`, { ok: true });
		} catch (error) {
			const failure = describeGitHubError(error, session.errors);
			if (failure.category !== 'missing-permission' && failure.category !== 'not-found') throw failure;
			probe.missing.push('Pull requests: read');
			await step(`Pull requests of ${fullName}`, { ok: false, message: `The ${holder} cannot read the pull requests of ${fullName}: give it the permission “Pull requests: read”.` });
		}
	}
}

async function checkApp(session: GitHubSession, services: readonly Service[], probe: Probe, step: Step): Promise<void> {
	if (session.credentials.method !== 'github-app') return;
	const { octokit } = session.client;
	const { installationId, appId } = session.credentials;
	let installation: unknown;
	try {
		installation = (await octokit.request('GET /app/installations/{installation_id}', { installation_id: Number(installationId) })).data;
	} catch (error) {
		const failure = describeGitHubError(error, session.errors);
		if (failure.category === 'not-found') {
			throw new GitHubError('not-found', `${session.errors.server} knows no installation ${installationId} of App ${appId}: check the installation ID (the number at the end of the installation's settings URL), and that the App is still installed.`);
		}
		throw failure;
	}
	if (!isObject(installation) || !isObject(installation.account)) throw malformed(session.errors, `the installation (GET /app/installations/${installationId})`);
	const account = installation.account as { login?: unknown; slug?: unknown };
	probe.account = String(account.login ?? account.slug ?? installationId);
	await step('Installation', { ok: true });

	const granted = isObject(installation.permissions) ? installation.permissions : {};
	probe.missing = appPermissions.filter((p) => (p.services === 'all' || p.services.some((s) => services.includes(s))) && !granted[p.key]).map((p) => p.name);
	if (probe.missing.length > 0) {
		await step('Permissions', {
			ok: false,
			message: `The App's installation on ${probe.account} lacks the permission${probe.missing.length > 1 ? 's' : ''} ${probe.missing.map((p) => `“${p}”`).join(', ')}: add ${probe.missing.length > 1 ? 'them' : 'it'} in the App's settings, then accept the change on the installation.`
		});
		return;
	}
	await step('Permissions', { ok: true });
	// An installation token is minted here: the private key is the App's, and the installation answers.
	const repos = await octokit.request('GET /installation/repositories', { per_page: 1 });
	if (!isObject(repos.data) || !Array.isArray(repos.data.repositories)) throw malformed(session.errors, 'the installation’s repositories');
	await step('Repositories', { ok: true });
	const repo = repos.data.repositories[0] as { name?: string; owner?: { login?: string }; clone_url?: string } | undefined;
	if (repo?.name && repo.owner?.login && repo.clone_url) {
		await probeRepository(session, services, { owner: repo.owner.login, name: repo.name, cloneUrl: repo.clone_url }, probe, step, 'App');
	}
}
