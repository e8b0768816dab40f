// Git over HTTP(S) for every Bitbucket Data Center repository, at
// `/bitbucket-dc/scm/{project key, lower case}/{slug}.git` and `/scm/~{user slug}/{slug}.git`:
// HTTP Basic with the password (and its username) or a token (any username), or Bearer with a
// token. Clone and fetch only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicCredentials, bearerToken } from '../shared/bitbucket.ts';
import { refuseGit, serveUploadPack, type GitAction } from '../shared/git-backend.ts';
import { DC_PREFIX, type DcModel } from './model.ts';

const GIT_PATH = /^\/bitbucket-dc\/scm\/(~?[A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const CHALLENGE = { 'www-authenticate': 'Basic realm="Atlassian Bitbucket"' };

export function isDcGitPath(pathname: string): boolean {
	return pathname.startsWith(`${DC_PREFIX}/scm/`) && GIT_PATH.test(pathname);
}

export function createDcGitHttp(model: DcModel, log: (event: string, fields: object) => void) {
	return function handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
		const [, key = '', slug = '', action = ''] = GIT_PATH.exec(url.pathname)!;
		const service = action === 'info/refs' ? url.searchParams.get('service') : action;
		if (service !== 'git-upload-pack') return refuseGit(res, 403, 'This simulator serves clone and fetch only.');
		const repo = model.repository(key, slug);
		const bearer = bearerToken(req.headers.authorization);
		const basic = bearer === undefined ? basicCredentials(req.headers.authorization) : undefined;
		if (bearer === undefined && !basic) return refuseGit(res, 401, 'Authentication failed. Please check your credentials and try again.', CHALLENGE);
		const result = bearer !== undefined ? model.check(null, bearer) : model.check(basic!.username, basic!.password);
		if ('error' in result || !result.credential) return refuseGit(res, 401, 'Authentication failed. Please check your credentials and try again.', CHALLENGE);
		if (!repo || !model.canSee(result.credential, repo)) return refuseGit(res, 404, `Repository not found`);
		serveUploadPack(model.world, repo.repo, action as GitAction, req, res, log);
	};
}
