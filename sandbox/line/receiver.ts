/**
 * A minimal webhook receiver for tests: records every request (exact bytes and headers) and
 * answers with a configurable status, optionally after a delay.
 */
import * as http from 'http';
import { closeServer, listenOnLoopback } from '../loopback';

export interface ReceivedWebhook {
	method: string;
	path: string;
	headers: Record<string, string>;
	rawBody: Buffer;
}

export class WebhookReceiver {
	readonly received: ReceivedWebhook[] = [];
	/** Status to answer with. */
	status = 200;
	/** Wait this long before answering (to provoke the platform's timeout). */
	delayMs = 0;
	private server: http.Server | undefined;
	private port = 0;

	get url(): string {
		return `http://127.0.0.1:${this.port}/webhook`;
	}

	async start(port = 0): Promise<number> {
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const headers: Record<string, string> = {};
				for (const [name, value] of Object.entries(req.headers)) {
					if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
				}
				this.received.push({
					method: req.method ?? '',
					path: req.url ?? '',
					headers,
					rawBody: Buffer.concat(chunks),
				});
				const answer = (): void => {
					if (res.destroyed) return;
					res.writeHead(this.status, { 'content-type': 'text/plain' });
					res.end(this.status >= 200 && this.status < 300 ? 'OK' : 'Error');
				};
				if (this.delayMs > 0) setTimeout(answer, this.delayMs);
				else answer();
			});
		});
		this.server = server;
		this.port = await listenOnLoopback(server, port);
		return this.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await closeServer(server);
	}

	/** The last request's body parsed as JSON. */
	lastJson(): { destination: string; events: Record<string, unknown>[] } {
		const last = this.received[this.received.length - 1];
		if (!last) throw new Error('Nothing received');
		return JSON.parse(last.rawBody.toString('utf8'));
	}
}
