/**
 * A local mail server for tests, benchmarks and the demo: it accepts mail over SMTP (see
 * session.ts) from anyone, with any credentials, and keeps every message — envelope, headers,
 * text and HTML bodies, attachments — readable as JSON and as a small Japanese mailbox page over
 * HTTP (mailbox.ts). Both listen on 127.0.0.1 only. It is not part of the npm package.
 */
import * as http from 'http';
import * as net from 'net';
import { closeServer, listenOnLoopback } from '../loopback';
import { handleMailbox } from './mailbox';
import { addressesIn, parseMail, type ParsedMail } from './mime';
import { SmtpSession, type Envelope, type SessionHost, type SmtpFault } from './session';

export type { Envelope, SmtpFault } from './session';

export interface SmtpSandboxOptions {
	/** Name in the greeting and EHLO answer. */
	hostname?: string;
	/** Largest message accepted, in bytes (advertised as SIZE). */
	maxSize?: number;
	/** Refuse MAIL until the client authenticated (any credentials still pass). */
	requireAuth?: boolean;
}

export interface StoredMail extends ParsedMail {
	id: string;
	receivedAt: string;
	envelope: Envelope;
	/** The message as received (DATA, dot-unstuffed). */
	raw: Buffer;
}

export class SmtpSandbox {
	readonly messages: StoredMail[] = [];
	readonly hostname: string;
	maxSize: number;
	requireAuth: boolean;
	private readonly faults: SmtpFault[] = [];
	private smtp: net.Server | undefined;
	private web: http.Server | undefined;
	private readonly sockets = new Set<net.Socket>();
	private smtpPort = 0;
	private webPort = 0;
	private counter = 0;
	private waiters: Array<() => void> = [];

	constructor(options: SmtpSandboxOptions = {}) {
		this.hostname = options.hostname ?? 'smtp.sandbox.local';
		this.maxSize = options.maxSize ?? 25 * 1024 * 1024;
		this.requireAuth = options.requireAuth === true;
	}

	/** What goes into n8n's SMTP credential: host, port, SSL/TLS off (see README.md). */
	get smtpHost(): string {
		return '127.0.0.1';
	}

	get port(): number {
		return this.smtpPort;
	}

	/** The mailbox: `GET /` (page), `GET /messages` (JSON), … */
	get url(): string {
		return `http://127.0.0.1:${this.webPort}`;
	}

	async start(smtpPort = 0, webPort = 0): Promise<{ smtpPort: number; webPort: number }> {
		const smtp = net.createServer((socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
			new SmtpSession(socket, this.sessionHost());
		});
		await new Promise<void>((resolve, reject) => {
			smtp.once('error', reject);
			smtp.listen(smtpPort, '127.0.0.1', () => resolve());
		});
		this.smtp = smtp;
		this.smtpPort = (smtp.address() as net.AddressInfo).port;
		const web = http.createServer((req, res) => {
			handleMailbox(this, req, res).catch((failure: Error) => {
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
				res.end(failure.message);
			});
		});
		this.webPort = await listenOnLoopback(web, webPort);
		this.web = web;
		return { smtpPort: this.smtpPort, webPort: this.webPort };
	}

	async stop(): Promise<void> {
		const smtp = this.smtp;
		const web = this.web;
		this.smtp = undefined;
		this.web = undefined;
		for (const socket of this.sockets) socket.destroy();
		if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
		if (web) await closeServer(web);
	}

	/** Forgets every message and pending fault. */
	reset(): void {
		this.messages.length = 0;
		this.faults.length = 0;
	}

	/** Answers the next message(s) at `stage` with `code` instead of accepting them. */
	injectFaults(faults: SmtpFault | SmtpFault[]): void {
		this.faults.push(...(Array.isArray(faults) ? faults : [faults]));
	}

	/** Messages whose envelope recipients include `address` (case-insensitive). */
	mailTo(address: string): StoredMail[] {
		const wanted = address.toLowerCase();
		return this.messages.filter((mail) => mail.envelope.rcptTo.some((rcpt) => rcpt.toLowerCase() === wanted));
	}

	/** Resolves with the first message matching `predicate`, waiting up to `timeoutMs` for it. */
	async waitForMail(predicate: (mail: StoredMail) => boolean = () => true, timeoutMs = 10_000): Promise<StoredMail> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = this.messages.find(predicate);
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`No matching mail within ${timeoutMs} ms (${this.messages.length} received)`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	/** What a session sees; getters, so settings changed mid-conversation apply to the next command. */
	private sessionHost(): SessionHost {
		const host = { hostname: this.hostname } as SessionHost;
		Object.defineProperties(host, {
			maxSize: { get: () => this.maxSize, enumerable: true },
			requireAuth: { get: () => this.requireAuth, enumerable: true },
		});
		host.takeFault = (stage) => this.takeFault(stage);
		host.accept = (envelope, raw) => this.accept(envelope, raw);
		return host;
	}

	private takeFault(stage: SmtpFault['stage']): SmtpFault | undefined {
		const index = this.faults.findIndex((fault) => fault.stage === stage);
		return index === -1 ? undefined : this.faults.splice(index, 1)[0];
	}

	private accept(envelope: Envelope, raw: Buffer): string {
		this.counter += 1;
		const id = `m${String(this.counter).padStart(4, '0')}`;
		this.messages.push({ id, receivedAt: new Date().toISOString(), envelope, raw, ...parseMail(raw) });
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
		return id;
	}
}

/** JSON view of a stored message (attachments without their bytes). */
export function mailSummary(mail: StoredMail, full = false): Record<string, unknown> {
	const summary: Record<string, unknown> = {
		id: mail.id,
		receivedAt: mail.receivedAt,
		envelope: mail.envelope,
		from: mail.from,
		to: mail.to,
		toAddresses: addressesIn(mail.to),
		cc: mail.cc,
		subject: mail.subject,
		date: mail.date,
		messageId: mail.messageId,
		text: mail.text,
		hasHtml: mail.html !== undefined,
		attachments: mail.attachments.map(({ content: _content, ...meta }, index) => ({ index, ...meta })),
		size: mail.raw.length,
	};
	if (full) {
		summary.html = mail.html;
		summary.headers = mail.headers.map(({ name, value }) => ({ name, value }));
	}
	return summary;
}
