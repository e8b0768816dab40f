// A TCP relay in front of a server (Postgres, in the tests that need it) that a test can cut and
// restore: a real outage of the connection, the way a restart looks to its clients.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
	port: number;
	/** Ends every relayed connection and refuses new ones, until restored. */
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	let open = true;
	const live = new Set<net.Socket>();
	const server = net.createServer((client) => {
		if (!open) return client.destroy();
		const upstream = net.connect(target.port, target.host);
		for (const socket of [client, upstream]) {
			live.add(socket);
			socket.on('close', () => live.delete(socket));
			socket.on('error', () => {
				client.destroy();
				upstream.destroy();
			});
		}
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		cut() {
			open = false;
			for (const socket of live) socket.destroy();
		},
		restore() {
			open = true;
		},
		close() {
			for (const socket of live) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}
