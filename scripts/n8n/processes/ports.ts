import { createServer } from 'net';

/**
 * Ports on 127.0.0.1 for the servers the harness starts: free ones for the e2e run, fixed ones
 * checked up front for the demo.
 */

/** Asks the OS for a free TCP port on 127.0.0.1 (for servers that cannot report an ephemeral port). */
export function findFreePort(): Promise<number> {
	return new Promise((resolvePort, rejectPort) => {
		const server = createServer();
		server.unref();
		server.once('error', rejectPort);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => (port > 0 ? resolvePort(port) : rejectPort(new Error('no port'))));
		});
	});
}

/** Fails clearly when a fixed port is taken, instead of letting a server die on EADDRINUSE later. */
export function assertPortFree(port: number, what: string): Promise<void> {
	return new Promise((resolveCheck, rejectCheck) => {
		const server = createServer();
		server.unref();
		server.once('error', (error: NodeJS.ErrnoException) =>
			rejectCheck(
				new Error(
					error.code === 'EADDRINUSE'
						? `Port ${port} for ${what} is already in use on 127.0.0.1`
						: `Cannot use port ${port} for ${what}: ${error.message}`,
				),
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolveCheck()));
	});
}
