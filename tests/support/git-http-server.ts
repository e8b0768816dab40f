// A real git server over HTTP for tests: git's own `git http-backend` behind a small Node server
// that demands HTTP basic credentials, the way a git host asks for a username and token (or, given
// none, serves anyone, like a public host). It keeps a list of the requests it was sent. It can
// also be a slow one (`bytesPerSecond`): the transfer a far server or a large repository costs.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface GitHttpServer {
	url: string;
	port: number;
	requests: Array<{ method: string; path: string; authorization: string | undefined }>;
	/** From now on, demands these credentials instead (a token rotated at the git host). */
	demand(credentials: { username: string; token: string }): void;
	stop(): Promise<void>;
}

/** Writes `body`, at most `bytesPerSecond` of it each second when given. */
async function send(res: http.ServerResponse, body: Buffer, bytesPerSecond: number | undefined): Promise<void> {
	if (!bytesPerSecond) return void res.write(body);
	const slice = Math.max(1, Math.round(bytesPerSecond / 20));
	for (let start = 0; start < body.length; start += slice) {
		res.write(body.subarray(start, start + slice));
		await delay(50);
	}
}

export async function startGitHttpServer(
	projectRoot: string,
	credentials?: { username: string; token: string },
	options: { bytesPerSecond?: number } = {}
): Promise<GitHttpServer> {
	const basic = (c: { username: string; token: string }) => `Basic ${Buffer.from(`${c.username}:${c.token}`).toString('base64')}`;
	let expected = credentials && basic(credentials);
	let remoteUser = credentials?.username ?? '';
	const requests: GitHttpServer['requests'] = [];
	const server = http.createServer((req, res) => {
		requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
		if (expected && req.headers.authorization !== expected) {
			res.writeHead(401, { 'www-authenticate': 'Basic realm="test git"' });
			res.end('unauthorised');
			return;
		}
		const url = new URL(req.url ?? '/', 'http://localhost');
		const backend = spawn('git', ['http-backend'], {
			env: {
				...process.env,
				GIT_PROJECT_ROOT: projectRoot,
				GIT_HTTP_EXPORT_ALL: '1',
				PATH_INFO: decodeURIComponent(url.pathname),
				QUERY_STRING: url.search.slice(1),
				REQUEST_METHOD: req.method ?? 'GET',
				CONTENT_TYPE: req.headers['content-type'] ?? '',
				REMOTE_USER: remoteUser,
				REMOTE_ADDR: '127.0.0.1',
				HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? '')
			}
		});
		req.pipe(backend.stdin);
		backend.on('error', () => res.destroy());
		void (async () => {
			let head = Buffer.alloc(0);
			let headersDone = false;
			for await (const chunk of backend.stdout as AsyncIterable<Buffer>) {
				if (headersDone) {
					await send(res, chunk, options.bytesPerSecond);
					continue;
				}
				head = Buffer.concat([head, chunk]);
				const end = head.indexOf('\r\n\r\n');
				if (end < 0) continue;
				headersDone = true;
				let status = 200;
				for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
					const [name, ...rest] = line.split(':');
					const value = rest.join(':').trim();
					if (!name) continue;
					if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
					else res.setHeader(name, value);
				}
				res.statusCode = status;
				await send(res, head.subarray(end + 4), options.bytesPerSecond);
			}
			res.end();
		})().catch(() => res.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		demand(next) {
			expected = basic(next);
			remoteUser = next.username;
		},
		stop: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
