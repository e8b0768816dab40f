import net from 'node:net';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** The remembered port when it is still free, else the preferred one, else any free one. */
export async function choosePort(remembered: number | undefined, preferred: number): Promise<number> {
	if (remembered && (await isPortFree(remembered))) return remembered;
	if (await isPortFree(preferred)) return preferred;
	return freePort();
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect({ port, host }, () => {
				socket.end();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`Nothing answered on ${host}:${port} within ${Math.round(timeoutMs / 1000)} s.`);
}
