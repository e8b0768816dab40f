// Git over HTTP(S) for every GitLab project, at `/gitlab/<full path>.git`: HTTP basic auth with
// any username and a token as the password, which needs `read_repository` (or `api`, or
// `write_repository`) to fetch. Public projects clone without credentials. The refusals are
// GitLab's own words; the repository served is the World's, never a path from the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseGit, serveUploadPack, type GitAction } from '../shared/git-backend.ts';
import { GITLAB_PREFIX } from './http.ts';
import type { GitLabAuth } from './auth.ts';
import type { GitLabModel } from './model.ts';

const GIT_PATH = /^\/gitlab\/((?:[A-Za-z0-9_.-]+\/)+[A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const GIT_SCOPES = ['api', 'read_repository', 'write_repository'];
const CHALLENGE = { 'www-authenticate': 'Basic realm="GitLab"' };

export function isGitLabGitPath(pathname: string): boolean {
	return pathname.startsWith(`${GITLAB_PREFIX}/`) && GIT_PATH.test(pathname);
}

/** The password of `Authorization: Basic`, or undefined when the request has none. */
function basicPassword(header: string | undefined): string | undefined {
	const encoded = /^basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
	if (encoded === undefined) return undefined;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	return decoded.slice(decoded.indexOf(':') + 1);
}

export function createGitLabGitHttp(model: GitLabModel, auth: GitLabAuth, log: (event: string, fields: object) => void) {
	return function handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
		const host = `${url.origin}${GITLAB_PREFIX}`;
		const [, fullPath = '', action = ''] = GIT_PATH.exec(url.pathname)!;
		const service = action === 'info/refs' ? url.searchParams.get('service') : action;
		if (service !== 'git-upload-pack') return refuseGit(res, 403, 'This simulator serves clone and fetch only.');
		const accessDenied = () =>
			refuseGit(
				res,
				401,
				`HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped. See ${host}/help/topics/git/troubleshooting_git.md#error-on-git-fetch-http-basic-access-denied`,
				CHALLENGE
			);
		const project = model.project(fullPath);
		const password = basicPassword(req.headers.authorization);
		if (password === undefined) {
			// Without credentials a public project clones; anything else asks for them.
			if (project?.visibility === 'public') return serveUploadPack(model.world, project.repo, action as GitAction, req, res, log);
			return accessDenied();
		}
		const result = auth.check(password);
		if ('error' in result || !result.token) return accessDenied();
		const token = result.token;
		if (!project || !auth.canSee(token, project)) return refuseGit(res, 404, "The project you were looking for could not be found or you don't have permission to view it.");
		if (!token.scopes.some((scope) => GIT_SCOPES.includes(scope))) return refuseGit(res, 403, 'You are not allowed to download code.');
		serveUploadPack(model.world, project.repo, action as GitAction, req, res, log);
	};
}
