// One conversation with a GitHub: the field client for an integration's (or a form's) server and
// credentials, how to name the server in messages, and the credentials git uses for its clones.
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import type { GitCredentials, GitSettings } from '#core/git/run-git.ts';
import { apiUrlOf, createGitHubClient, githubCloud, type GitHubClient, type GitHubCloud, type GitHubCredentials } from './client.ts';
import { describeGitHubError, type ErrorContext } from './errors.ts';

/** GitHub's own settings in an integration's `settings` column; none is a secret. */
export interface GitHubSettings {
	/** PEM of the CA a GitHub Enterprise Server's certificate is signed by. */
	caCertificate?: string | null;
	/** Refresh imports the repositories of groups it finds for the first time. */
	autoImportAll?: boolean;
}

export function readGitHubSettings(settings: Record<string, unknown>): GitHubSettings {
	return {
		caCertificate: typeof settings.caCertificate === 'string' ? settings.caCertificate : null,
		autoImportAll: settings.autoImportAll === true
	};
}

export interface GitHubSession {
	kind: ProviderKind;
	client: GitHubClient;
	/** The REST API's root. */
	apiUrl: string;
	/** Where clone URLs may point: the token goes to the server the person named (or GitHub.com's), and nowhere else. */
	cloneOrigin: string;
	credentials: GitHubCredentials;
	caCertificate: string | null;
	errors: ErrorContext;
	git: GitSettings;
}

export function serverName(kind: ProviderKind, baseUrl: string | null): string {
	if (kind !== 'github-enterprise' || !baseUrl) return 'GitHub';
	return `Your GitHub Enterprise Server (${new URL(baseUrl).host})`;
}

export function openSession(
	input: { kind: ProviderKind; baseUrl: string | null; settings: Record<string, unknown>; credentials: GitHubCredentials },
	git: GitSettings & Partial<GitHubCloud>,
	options: { signal?: AbortSignal; retries?: number } = {}
): GitHubSession {
	const cloud = { githubApiUrl: git.githubApiUrl ?? githubCloud.githubApiUrl, githubUrl: git.githubUrl ?? githubCloud.githubUrl };
	const apiUrl = apiUrlOf(input.kind, input.baseUrl, cloud);
	const cloneOrigin = input.kind === 'github-enterprise' ? new URL(apiUrl).origin : new URL(cloud.githubUrl).origin;
	const caCertificate = readGitHubSettings(input.settings).caCertificate ?? null;
	const errors: ErrorContext = { server: serverName(input.kind, input.baseUrl), caField: input.kind === 'github-enterprise', app: input.credentials.method === 'github-app' };
	let client: GitHubClient;
	try {
		client = createGitHubClient(apiUrl, input.credentials, { settings: git, caCertificate: caCertificate ?? undefined, ...options });
	} catch (error) {
		throw describeGitHubError(Object.assign(error as Error, { code: 'EPRIVATE' }), errors);
	}
	return { kind: input.kind, client, apiUrl, cloneOrigin, credentials: input.credentials, caCertificate, errors, git };
}

/** What git sends for clones: the token, or an installation token minted now (they last an hour). */
export async function gitCredentialsOf(session: GitHubSession): Promise<GitCredentials> {
	let token: string;
	if (session.credentials.method === 'personal-access-token') token = session.credentials.token;
	else {
		try {
			const auth = (await session.client.octokit.auth({ type: 'installation' })) as { token: string };
			token = auth.token;
		} catch (error) {
			throw describeGitHubError(error, session.errors);
		}
	}
	return { method: 'https-token', username: 'x-access-token', token, ...(session.caCertificate ? { caCertificate: session.caCertificate } : {}) };
}
