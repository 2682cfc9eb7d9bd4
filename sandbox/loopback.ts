import type { Server } from 'http';
import type { AddressInfo } from 'net';

/** Listens on 127.0.0.1 only (port 0 = any free port) and resolves the port actually bound. */
export async function listenOnLoopback(server: Server, port: number): Promise<number> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	return (server.address() as AddressInfo).port;
}

/** Closes the server without waiting for keep-alive clients to hang up. */
export async function closeServer(server: Server): Promise<void> {
	const closed = new Promise<void>((resolve) => server.close(() => resolve()));
	server.closeAllConnections();
	await closed;
}
