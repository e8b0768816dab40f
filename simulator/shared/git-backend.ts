// Git smart HTTP (clone and fetch) through `git http-backend` for a repository both providers
// serve: the caller has already decided who may read it, and names it by the World's own
// owner and name, never by a path from the request.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Repo, World } from '../github/data.ts';

export type GitAction = 'info/refs' | 'git-upload-pack';

export function serveUploadPack(world: World, repo: Repo, action: GitAction, req: IncomingMessage, res: ServerResponse, log: (event: string, fields: object) => void): void {
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
}

/** A plain-text refusal, as git servers answer (git shows the text after `remote:`). */
export function refuseGit(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
	res.end(`${message}\n`);
}
