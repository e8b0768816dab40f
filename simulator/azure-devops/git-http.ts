// Git over HTTP(S) for every Azure DevOps repository, at `/azure-devops/{org}/{project}/_git/{repo}`
// (no `.git`; `/{org}/_git/{repo}` too when the repository is named as its project): HTTP basic
// with any username and a PAT with `vso.code` as the password. Clone and fetch only. The
// repository served is the World's, never a path from the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseGit, serveUploadPack, type GitAction } from '../shared/git-backend.ts';
import { basicPassword, type AzureAuth } from './auth.ts';
import { AZURE_PREFIX, type AzureModel } from './model.ts';

const GIT_PATH = /^\/azure-devops\/([^/]+)(?:\/([^/]+))?\/_git\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export function isAzureGitPath(pathname: string): boolean {
	return pathname.startsWith(`${AZURE_PREFIX}/`) && GIT_PATH.test(pathname);
}

export function createAzureGitHttp(model: AzureModel, auth: AzureAuth, log: (event: string, fields: object) => void) {
	return function handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
		const [, orgName = '', projectName, repoName = '', action = ''] = GIT_PATH.exec(url.pathname)!;
		const service = action === 'info/refs' ? url.searchParams.get('service') : action;
		if (service !== 'git-upload-pack') return refuseGit(res, 403, 'This simulator serves clone and fetch only.');
		const challenge = { 'www-authenticate': `Basic realm="${url.origin}/"` };
		const password = basicPassword(req.headers.authorization);
		const result = password === undefined ? null : auth.check(password);
		if (!result || 'error' in result) return refuseGit(res, 401, 'TF400813: Resource not available for anonymous access. Client authentication required.', challenge);
		if (!result.pat.scopes.includes('vso.code')) return refuseGit(res, 401, 'TF401019: The Git repository access requires scope vso.code, which the personal access token does not have.', challenge);
		let decoded: { org: string; project: string | undefined; repo: string };
		try {
			decoded = { org: decodeURIComponent(orgName), project: projectName === undefined ? undefined : decodeURIComponent(projectName), repo: decodeURIComponent(repoName) };
		} catch {
			return refuseGit(res, 404, 'Not found.');
		}
		const organization = model.organization(decoded.org);
		// `/{org}/_git/{repo}` names the project with the repository.
		const project = organization && model.project(organization, decoded.project ?? decoded.repo);
		const repository = organization && project && model.repository(organization, project, decoded.repo);
		if (!repository) return refuseGit(res, 404, `TF401019: The Git repository with name or identifier ${decoded.repo} does not exist or you do not have permissions for the operation you are attempting.`);
		serveUploadPack(model.world, repository.repo, action as GitAction, req, res, log);
	};
}
