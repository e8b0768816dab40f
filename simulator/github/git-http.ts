// Git smart HTTP (clone and fetch only) through `git http-backend`, behind HTTP basic auth the
// way GitHub asks: any username, a token with contents read on the repository as the password.
// Only names of repositories we know reach git, rebuilt from our own data: never the raw path.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
		const deny = (status: number, message: string, headers: Record<string, string> = {}) => {
			res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
			res.end(`${message}\n`);
		};
		if (service !== 'git-upload-pack') return deny(403, 'This simulator serves clone and fetch only.');
		const challenge = { 'www-authenticate': 'Basic realm="GitHub"' };
		const result = auth.authenticate(req.headers.authorization);
		const repo = world.repo(owner, name);
		if ('error' in result) return deny(401, 'Invalid username or token. Password authentication is not supported for Git operations.', challenge);
		const permissions = repo ? auth.access(result.principal, repo) : null;
		if (!repo || !permissions?.contents) {
			// Without credentials, a private repository asks for them; with them, it does not exist.
			return result.principal ? deny(404, 'Repository not found.') : deny(401, 'Authentication required.', challenge);
		}
		const backend = spawn('git', ['http-backend'], {
			env: {
				PATH: process.env.PATH ?? '/usr/bin:/bin',
				GIT_CONFIG_NOSYSTEM: '1',
				GIT_PROJECT_ROOT: path.join(world.options.dataDir, 'git'),
				GIT_HTTP_EXPORT_ALL: '1',
				PATH_INFO: `/${repo.ownerLogin}/${repo.name}.git/${action}`,
				QUERY_STRING: action === 'info/refs' ? 'service=git-upload-pack' : '',
				REQUEST_METHOD: req.method === 'POST' ? 'POST' : 'GET',
				CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
				REMOTE_USER: 'x-access-token',
				REMOTE_ADDR: '127.0.0.1',
				HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
				HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? '')
			},
			stdio: ['pipe', 'pipe', 'pipe']
		});
		req.pipe(backend.stdin);
		backend.stderr.on('data', (chunk: Buffer) => log('git.stderr', { repo: repo.fullName, text: chunk.toString('utf8').trim() }));
		backend.on('error', () => res.destroy());
		res.on('close', () => backend.kill());
		void (async () => {
			let head = Buffer.alloc(0);
			let headersDone = false;
			for await (const chunk of backend.stdout as AsyncIterable<Buffer>) {
				if (headersDone) {
					if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
					continue;
				}
				head = Buffer.concat([head, chunk]);
				const end = head.indexOf('\r\n\r\n');
				if (end < 0) continue;
				headersDone = true;
				let status = 200;
				for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
					const colon = line.indexOf(':');
					if (colon < 0) continue;
					const header = line.slice(0, colon).trim();
					const value = line.slice(colon + 1).trim();
					if (header.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
					else res.setHeader(header, value);
				}
				res.statusCode = status;
				res.write(head.subarray(end + 4));
			}
			res.end();
		})().catch(() => res.destroy());
	};
}
