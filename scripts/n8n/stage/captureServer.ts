import { createServer, type Server } from 'http';
import { closeServer, listenOnLoopback } from '../../../sandbox/loopback';

/**
 * Stand-in for the outside services the shipped workflows post to (the recruiters' chat tool, the
 * LINE marketing tool): every request to `/<channel>` is recorded and answered 200 `{"ok":true}`.
 * Tests in another process read them over HTTP: `GET /__capture/<channel>` (JSON list, oldest
 * first) and `POST /__capture/reset`.
 */

export interface CapturedRequest {
	channel: string;
	method: string;
	path: string;
	headers: Record<string, string>;
	body: string;
	/** The body parsed as JSON, when it is JSON. */
	json?: unknown;
	at: number;
}

export class CaptureServer {
	readonly requests: CapturedRequest[] = [];
	private server: Server | undefined;
	private port = 0;

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	channelUrl(channel: string): string {
		return `${this.url}/${channel}`;
	}

	async start(port = 0): Promise<number> {
		const server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const url = new URL(request.url ?? '/', 'http://capture.local');
				const send = (status: number, body: unknown) => {
					response
						.writeHead(status, { 'content-type': 'application/json' })
						.end(JSON.stringify(body));
				};
				if (url.pathname === '/__capture/reset' && request.method === 'POST') {
					this.requests.length = 0;
					return send(200, { ok: true });
				}
				if (url.pathname.startsWith('/__capture/') && request.method === 'GET') {
					const channel = decodeURIComponent(url.pathname.slice('/__capture/'.length));
					return send(
						200,
						this.requests.filter((captured) => channel === '' || captured.channel === channel),
					);
				}
				const body = Buffer.concat(chunks).toString('utf8');
				let json: unknown;
				try {
					json = body === '' ? undefined : JSON.parse(body);
				} catch {
					json = undefined;
				}
				const headers: Record<string, string> = {};
				for (const [name, value] of Object.entries(request.headers)) {
					if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
				}
				this.requests.push({
					channel: decodeURIComponent(url.pathname.replace(/^\/+/, '').split('/')[0] ?? ''),
					method: request.method ?? '',
					path: `${url.pathname}${url.search}`,
					headers,
					body,
					json,
					at: Date.now(),
				});
				send(200, { ok: true });
			});
		});
		this.port = await listenOnLoopback(server, port);
		this.server = server;
		return this.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		await closeServer(server);
	}
}
