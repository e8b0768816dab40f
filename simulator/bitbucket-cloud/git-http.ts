// Git over HTTP(S) for every Bitbucket Cloud repository, at `/bitbucket-cloud/{workspace}/{slug}.git`:
// HTTP Basic with an API token (username `x-bitbucket-api-token-auth` or the account's username;
// it needs `read:repository:bitbucket`) or an app password (the username). Public repositories
// clone without credentials. Clone and fetch only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicCredentials } from '../shared/bitbucket.ts';
import { refuseGit, serveUploadPack, type GitAction } from '../shared/git-backend.ts';
import { CLOUD_PREFIX, type CloudModel } from './model.ts';

const GIT_PATH = /^\/bitbucket-cloud\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const CHALLENGE = { 'www-authenticate': 'Basic realm="Bitbucket.org HTTP"' };

export function isCloudGitPath(pathname: string): boolean {
	return pathname.startsWith(`${CLOUD_PREFIX}/`) && GIT_PATH.test(pathname);
}

export function createCloudGitHttp(model: CloudModel, log: (event: string, fields: object) => void) {
	return function handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
		const [, workspace = '', slug = '', action = ''] = GIT_PATH.exec(url.pathname)!;
		const service = action === 'info/refs' ? url.searchParams.get('service') : action;
		if (service !== 'git-upload-pack') return refuseGit(res, 403, 'This simulator serves clone and fetch only.');
		const repo = model.repository(workspace, slug);
		const basic = basicCredentials(req.headers.authorization);
		if (!basic) {
			if (repo && !repo.repo.private) return serveUploadPack(model.world, repo.repo, action as GitAction, req, res, log);
			return refuseGit(res, 401, 'Authentication failed', CHALLENGE);
		}
		const credential = model.check(basic.username, basic.password, true);
		if (!credential) return refuseGit(res, 401, 'Invalid credentials', CHALLENGE);
		if (!credential.scopes.includes('read:repository:bitbucket')) return refuseGit(res, 403, 'Your credentials lack one or more required privilege scopes.');
		if (!repo) return refuseGit(res, 404, 'Repository not found');
		serveUploadPack(model.world, repo.repo, action as GitAction, req, res, log);
	};
}
