// One conversation with a GitLab: the field client for an integration's (or a form's) server and
// token, how to name the server in messages, and the credentials git uses for its clones.
import type { ProviderKind } from '#core/domain/integrations/providers.ts';
import type { GitCredentials, GitSettings } from '#core/git/run-git.ts';
import type { ApiQuota } from '../provider.ts';
import { createGitLabClient, type GitLabClient, type GitLabCredentials } from './client.ts';
import { describeGitLabError, type ErrorContext } from './errors.ts';

/** GitLab's own settings in an integration's `settings` column; none is a secret. */
export interface GitLabSettings {
	caCertificate: string | null;
	autoImportAll: boolean;
}

export function readGitLabSettings(settings: Record<string, unknown>): GitLabSettings {
	return {
		caCertificate: typeof settings.caCertificate === 'string' ? settings.caCertificate : null,
		autoImportAll: settings.autoImportAll === true
	};
}

export interface GitLabSession {
	kind: ProviderKind;
	client: GitLabClient;
	/** The server's address (gitlab.com's, or the self-managed one's), without /api/v4. */
	host: string;
	/** Where clone URLs may point: the token goes to this server only. */
	cloneOrigin: string;
	credentials: GitLabCredentials;
	caCertificate: string | null;
	errors: ErrorContext;
	git: GitSettings;
}

export function serverName(kind: ProviderKind, baseUrl: string | null): string {
	if (kind !== 'gitlab-self-managed' || !baseUrl) return 'GitLab';
	return `Your GitLab server (${new URL(baseUrl).host})`;
}

export function openSession(
	input: { kind: ProviderKind; baseUrl: string | null; settings: Record<string, unknown>; credentials: GitLabCredentials },
	git: GitSettings & { gitlabUrl?: string },
	options: { signal?: AbortSignal; retries?: number; onQuota?: (quota: ApiQuota) => void; onAnswer?: () => void } = {}
): GitLabSession {
	const host = input.kind === 'gitlab-self-managed' && input.baseUrl ? input.baseUrl : (git.gitlabUrl ?? 'https://gitlab.com');
	const caCertificate = readGitLabSettings(input.settings).caCertificate;
	const errors: ErrorContext = { server: serverName(input.kind, input.baseUrl), caField: input.kind === 'gitlab-self-managed' };
	let client: GitLabClient;
	try {
		client = createGitLabClient(host, input.credentials, { settings: git, caCertificate, ...options });
	} catch (error) {
		throw describeGitLabError(error, errors);
	}
	return { kind: input.kind, client, host, cloneOrigin: new URL(host).origin, credentials: input.credentials, caCertificate, errors, git };
}

/** What git sends for clones: any user name with the token as password (GitLab documents "oauth2"). */
export function gitCredentialsOf(session: GitLabSession): GitCredentials {
	return { method: 'https-token', username: 'oauth2', token: session.credentials.token, ...(session.caCertificate ? { caCertificate: session.caCertificate } : {}) };
}
