/**
 * A stand-in for a LINE marketing tool (Lステップ, Liny, LOYCUS, …) that receives LINE webhooks:
 * it checks LINE's signature with the channel secret, records exactly what arrived (bytes and
 * headers), can be slow, down or failing, and can forward what it got to another URL (LINE → tool
 * → n8n), either byte for byte with LINE's signature (as LOYCUS "Webhookリレー" documents) or
 * re-serialised with a shared secret in a header or the query (as a tool that does not keep the
 * bytes would).
 *
 * Forwarding targets: the configured `forwardTo`, or per request through a relay URL
 * (`relayUrl(tool.url, target)` = `…/relay/<base64url(target)>`), which is what the LINE
 * sandbox's relay mode sends to. Controls for other processes live under `/__tool/`.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import * as http from 'http';
import type { Socket } from 'net';
import { closeServer, listenOnLoopback } from '../loopback';
import { DEFAULT_MESSAGING_CHANNEL } from './model';
import { postWebhook } from './webhook';

export type ToolMode = 'ok' | 'slow' | 'down' | 'fail';

export interface ToolSettings {
	/** Channel secret the tool verifies `x-line-signature` with. */
	channelSecret: string;
	/** ok: answers 200; slow: answers after `delayMs`; down: refuses connections; fail: `failStatus`. */
	mode: ToolMode;
	delayMs: number;
	failStatus: number;
	/** Answer to a request whose signature is missing or wrong (such requests are never forwarded). */
	invalidSignatureStatus: number;
	/** Where to forward every valid request (a relay URL's target wins). */
	forwardTo?: string;
	/** bytes: LINE's body, content type and signature unchanged; reserialized: parsed and written anew. */
	forwardMode: 'bytes' | 'reserialized';
	/** Forward before answering LINE, or answer first (most relays do). */
	forwardTiming: 'after-answer' | 'before-answer';
	/** Shared secret added to forwarded requests (reserialized mode, or bytes mode when set). */
	sharedSecret?: string;
	secretIn: 'header' | 'query';
	/** Header or query parameter name of the secret. */
	secretName: string;
	/** Reserialized mode: pass LINE's now-wrong signature along instead of dropping it. */
	keepSignatureWhenReserialized: boolean;
	forwardTimeoutMs: number;
}

export const DEFAULT_TOOL_SETTINGS: ToolSettings = {
	channelSecret: DEFAULT_MESSAGING_CHANNEL.channelSecret,
	mode: 'ok',
	delayMs: 10_000,
	failStatus: 500,
	invalidSignatureStatus: 401,
	forwardMode: 'bytes',
	forwardTiming: 'after-answer',
	secretIn: 'header',
	secretName: 'x-relay-secret',
	keepSignatureWhenReserialized: false,
	forwardTimeoutMs: 10_000,
};

export interface ToolDelivery {
	at: number;
	method: string;
	path: string;
	/** Header names in lower case, exactly the values received. */
	headers: Record<string, string>;
	rawBody: Buffer;
	signatureValid: boolean;
	/** What the tool answered; 0 while it has not answered yet (slow mode). */
	answeredStatus: number;
}

export interface ToolForward {
	at: number;
	to: string;
	mode: 'bytes' | 'reserialized';
	headers: Record<string, string>;
	body: Buffer;
	status: number;
	responseBody: string;
	failure?: string;
	elapsedMs: number;
}

/** The URL of a tool that forwards what it receives to `target`. */
export function relayUrl(toolBase: string, target: string): string {
	const base = new URL(toolBase);
	return `${base.protocol}//${base.host}/relay/${Buffer.from(target, 'utf8').toString('base64url')}`;
}

/** `x-line-signature` check over the exact bytes, in constant time. */
export function lineSignatureValid(body: Buffer, signature: string | undefined, channelSecret: string): boolean {
	if (!signature) return false;
	const expected = createHmac('sha256', channelSecret).update(body).digest();
	const given = Buffer.from(signature, 'base64');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

/** JSON written anew the way many tools do: indented, non-ASCII as \u escapes. */
export function reserializeJson(body: Buffer): Buffer {
	const text = JSON.stringify(JSON.parse(body.toString('utf8')), null, 2);
	return Buffer.from(text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), 'utf8');
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

export class ToolReceiver {
	readonly received: ToolDelivery[] = [];
	readonly forwards: ToolForward[] = [];
	settings: ToolSettings;
	private server: http.Server | undefined;
	private readonly sockets = new Set<Socket>();
	private port = 0;
	private pending = new Set<Promise<void>>();

	constructor(settings: Partial<ToolSettings> = {}) {
		this.settings = { ...DEFAULT_TOOL_SETTINGS, ...settings };
	}

	/** Where LINE (or the LINE sandbox) sends webhooks: `http://127.0.0.1:<port>/webhook`. */
	get url(): string {
		return `http://127.0.0.1:${this.port}/webhook`;
	}

	get base(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The URL that makes this tool forward to `target`. */
	relayUrlFor(target: string): string {
		return relayUrl(this.base, target);
	}

	async start(port = 0): Promise<number> {
		const server = http.createServer((req, res) => {
			this.onRequest(req, res).catch((failure: Error) => {
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
				res.end(`tool failure: ${failure.message}`);
			});
		});
		server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.port = await listenOnLoopback(server, port || this.port);
		this.server = server;
		if (this.settings.mode === 'down') this.settings.mode = 'ok';
		return this.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		for (const socket of this.sockets) socket.destroy();
		await closeServer(server);
	}

	/** Changes settings; `mode: 'down'` stops listening (connections refused), leaving it listens again. */
	async configure(patch: Partial<ToolSettings>): Promise<void> {
		const wasDown = this.settings.mode === 'down';
		this.settings = { ...this.settings, ...patch };
		if (this.settings.mode === 'down' && !wasDown) {
			await this.stop();
			this.settings.mode = 'down';
		} else if (this.settings.mode !== 'down' && wasDown) {
			const mode = this.settings.mode;
			await this.start(this.port);
			this.settings.mode = mode;
		}
	}

	reset(): void {
		this.received.length = 0;
		this.forwards.length = 0;
	}

	/** Resolves once every forward started so far has finished. */
	async settled(): Promise<void> {
		while (this.pending.size > 0) await Promise.all([...this.pending]);
	}

	state(): Record<string, unknown> {
		return {
			url: this.url,
			settings: { ...this.settings, sharedSecret: this.settings.sharedSecret ? '(set)' : undefined },
			received: this.received.map((r) => ({ ...r, rawBody: r.rawBody.toString('utf8'), rawBodyBase64: r.rawBody.toString('base64') })),
			forwards: this.forwards.map((f) => ({ ...f, body: f.body.toString('utf8') })),
		};
	}

	private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (url.pathname.startsWith('/__tool/')) return this.handleAdmin(req, res, url.pathname, rawBody);

		const headers = flatten(req.headers);
		const delivery: ToolDelivery = {
			at: Date.now(),
			method: req.method ?? '',
			path: url.pathname + url.search,
			headers,
			rawBody,
			signatureValid: lineSignatureValid(rawBody, headers['x-line-signature'], this.settings.channelSecret),
			answeredStatus: 0,
		};
		this.received.push(delivery);
		const answer = (status: number): void => {
			delivery.answeredStatus = status;
			if (res.destroyed) return;
			res.writeHead(status, { 'content-type': 'text/plain' });
			res.end(status >= 200 && status < 300 ? 'OK' : http.STATUS_CODES[status] ?? 'Error');
		};
		if (!delivery.signatureValid) return answer(this.settings.invalidSignatureStatus);

		const relayed = /^\/relay\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
		const target = relayed ? Buffer.from(relayed[1], 'base64url').toString('utf8') : this.settings.forwardTo;
		const forward = target ? this.track(this.forward(target, delivery)) : undefined;
		if (forward && this.settings.forwardTiming === 'before-answer') await forward;
		if (this.settings.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, this.settings.delayMs));
		answer(this.settings.mode === 'fail' ? this.settings.failStatus : 200);
	}

	private track(work: Promise<void>): Promise<void> {
		this.pending.add(work);
		void work.finally(() => this.pending.delete(work));
		return work;
	}

	private async forward(target: string, delivery: ToolDelivery): Promise<void> {
		const s = this.settings;
		let body = delivery.rawBody;
		const headers: Record<string, string> = {
			'content-type': delivery.headers['content-type'] ?? 'application/json; charset=utf-8',
			'user-agent': delivery.headers['user-agent'] ?? 'LineBotWebhook/2.0',
		};
		const signature = delivery.headers['x-line-signature'];
		if (s.forwardMode === 'reserialized') {
			body = reserializeJson(delivery.rawBody);
			headers['content-type'] = 'application/json';
			if (s.keepSignatureWhenReserialized && signature) headers['x-line-signature'] = signature;
		} else if (signature) {
			headers['x-line-signature'] = signature;
		}
		let url = target;
		if (s.sharedSecret) {
			if (s.secretIn === 'header') headers[s.secretName.toLowerCase()] = s.sharedSecret;
			else {
				const withSecret = new URL(target);
				withSecret.searchParams.set(s.secretName, s.sharedSecret);
				url = withSecret.toString();
			}
		}
		const at = Date.now();
		const result = await postWebhook(url, body, headers, s.forwardTimeoutMs);
		this.forwards.push({
			at,
			to: url,
			mode: s.forwardMode,
			headers,
			body,
			status: result.status,
			responseBody: result.body,
			failure: result.failure,
			elapsedMs: result.elapsedMs,
		});
	}

	private async handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string, rawBody: Buffer): Promise<void> {
		const send = (status: number, body: unknown): void => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		try {
			const input = rawBody.length > 0 ? (JSON.parse(rawBody.toString('utf8')) as Partial<ToolSettings>) : {};
			const route = `${req.method} ${path}`;
			if (route === 'GET /__tool/state') return send(200, this.state());
			if (route === 'POST /__tool/reset') {
				this.reset();
				return send(200, { ok: true });
			}
			if (route === 'POST /__tool/config') {
				// Going down from inside a request: answer first, then stop listening.
				if (input.mode === 'down') {
					send(200, { ok: true });
					await this.configure(input);
					return;
				}
				await this.configure(input);
				return send(200, this.state().settings);
			}
			send(404, { message: 'GET /__tool/state, POST /__tool/reset, POST /__tool/config {…}' });
		} catch (failure) {
			send(400, { message: (failure as Error).message });
		}
	}
}
