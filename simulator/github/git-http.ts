// Git smart HTTP (clone and fetch only) behind HTTP basic auth the way GitHub asks: any username,
// a token with contents read on the repository as the password. Only names of repositories we
// know reach git, rebuilt from our own data: never the raw path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseGit, serveUploadPack, type GitAction } from '../shared/git-backend.ts';
import type { Auth } from './auth.ts';
import type { World } from './data.ts';

const GIT_PATH = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export function isGitPath(pathname: string): boolean {
	return GIT_PATH.test(pathname);
}

export function createGitHttp(world: World, auth: Auth, log: (event: string, fields: object) => void) {
	return function handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
		const match = GIT_PATH.exec(url.pathname)!;
		const [, owner = '', name = '', action = ''] = match;
		const service = action === 'info/refs' ? url.searchParams.get('service') : action;
		if (service !== 'git-upload-pack') return refuseGit(res, 403, 'This simulator serves clone and fetch only.');
		const challenge = { 'www-authenticate': 'Basic realm="GitHub"' };
		const result = auth.authenticate(req.headers.authorization);
		const repo = world.repo(owner, name);
		if ('error' in result) return refuseGit(res, 401, 'Invalid username or token. Password authentication is not supported for Git operations.', challenge);
		const permissions = repo ? auth.access(result.principal, repo) : null;
		if (!repo || !permissions?.contents) {
			// Without credentials, a private repository asks for them; with them, it does not exist.
			return result.principal ? refuseGit(res, 404, 'Repository not found.') : refuseGit(res, 401, 'Authentication required.', challenge);
		}
		serveUploadPack(world, repo, action as GitAction, req, res, log);
	};
}
