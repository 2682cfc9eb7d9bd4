/**
 * One SMTP conversation (RFC 5321) as a receiving server holds it: greeting, EHLO/HELO, AUTH PLAIN
 * and LOGIN (RFC 4954; any credentials are accepted and recorded), MAIL FROM, RCPT TO, DATA with
 * dot-unstuffing, RSET, NOOP, VRFY, QUIT. No STARTTLS: it is not advertised, so a client set to
 * "SSL/TLS off" talks plain text. Bytes are kept as received (8BITMIME, SMTPUTF8).
 */
import type { Socket } from 'net';

export interface Envelope {
	helo: string;
	mailFrom: string;
	rcptTo: string[];
	auth?: { method: 'PLAIN' | 'LOGIN'; user: string };
}

/** A reply the test wants at a stage of the next message instead of the normal one. */
export interface SmtpFault {
	stage: 'mail' | 'rcpt' | 'data';
	/** SMTP reply code, e.g. 451 (try again later) or 550 (refused). */
	code: number;
	message?: string;
}

export interface SessionHost {
	hostname: string;
	maxSize: number;
	requireAuth: boolean;
	takeFault(stage: SmtpFault['stage']): SmtpFault | undefined;
	/** Stores an accepted message; returns its ID. */
	accept(envelope: Envelope, raw: Buffer): string;
}

type Mode = 'command' | 'data' | 'authPlain' | 'authLoginUser' | 'authLoginPass';

function address(argument: string, keyword: 'FROM' | 'TO'): string | undefined {
	const match = new RegExp(`^${keyword}:\\s*<([^>]*)>`, 'i').exec(argument) ?? new RegExp(`^${keyword}:\\s*(\\S+)`, 'i').exec(argument);
	return match ? match[1] : undefined;
}

export class SmtpSession {
	private buffer = Buffer.alloc(0);
	private mode: Mode = 'command';
	private helo = '';
	private auth: Envelope['auth'];
	private loginUser = '';
	private mailFrom: string | undefined;
	private rcptTo: string[] = [];
	private data: Buffer[] = [];
	private dataSize = 0;

	constructor(
		private readonly socket: Socket,
		private readonly host: SessionHost,
	) {
		socket.on('data', (chunk: Buffer) => this.receive(chunk));
		socket.on('error', () => socket.destroy());
		this.reply(220, `${host.hostname} ESMTP LINE-PORTERS sandbox`);
	}

	private reply(code: number, text: string | string[]): void {
		if (this.socket.destroyed) return;
		const lines = Array.isArray(text) ? text : [text];
		const out = lines.map((line, i) => `${code}${i < lines.length - 1 ? '-' : ' '}${line}\r\n`).join('');
		this.socket.write(out);
	}

	private receive(chunk: Buffer): void {
		this.buffer = Buffer.concat([this.buffer, chunk]);
		for (;;) {
			const end = this.buffer.indexOf('\n');
			if (end === -1) return;
			let line = this.buffer.subarray(0, end);
			this.buffer = this.buffer.subarray(end + 1);
			if (line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
			if (this.mode === 'data') this.dataLine(line);
			else this.commandLine(line.toString('utf8'));
			if (this.socket.destroyed) return;
		}
	}

	private resetTransaction(): void {
		this.mailFrom = undefined;
		this.rcptTo = [];
		this.data = [];
		this.dataSize = 0;
	}

	private dataLine(line: Buffer): void {
		if (line.length === 1 && line[0] === 0x2e) {
			this.mode = 'command';
			this.finishData();
			return;
		}
		// Dot-stuffing (RFC 5321 §4.5.2): a leading dot was doubled by the client.
		const content = line[0] === 0x2e ? line.subarray(1) : line;
		this.dataSize += content.length + 2;
		if (this.dataSize <= this.host.maxSize) this.data.push(content, Buffer.from('\r\n'));
	}

	private finishData(): void {
		const envelope: Envelope = { helo: this.helo, mailFrom: this.mailFrom ?? '', rcptTo: [...this.rcptTo], auth: this.auth };
		const raw = Buffer.concat(this.data);
		const tooBig = this.dataSize > this.host.maxSize;
		this.resetTransaction();
		if (tooBig) return this.reply(552, '5.3.4 Message size exceeds fixed maximum message size');
		const fault = this.host.takeFault('data');
		if (fault) return this.reply(fault.code, fault.message ?? 'Requested action not taken');
		const id = this.host.accept(envelope, raw);
		this.reply(250, `2.0.0 OK: queued as ${id}`);
	}

	private commandLine(line: string): void {
		switch (this.mode) {
			case 'authPlain':
				this.mode = 'command';
				return this.finishPlain(line);
			case 'authLoginUser':
				if (line === '*') return this.cancelAuth();
				this.loginUser = Buffer.from(line, 'base64').toString('utf8');
				this.mode = 'authLoginPass';
				return this.reply(334, 'UGFzc3dvcmQ6');
			case 'authLoginPass':
				this.mode = 'command';
				if (line === '*') return this.cancelAuth();
				this.auth = { method: 'LOGIN', user: this.loginUser };
				return this.reply(235, '2.7.0 Authentication successful');
			default:
				return this.command(line);
		}
	}

	private cancelAuth(): void {
		this.mode = 'command';
		this.reply(501, '5.7.0 Authentication cancelled');
	}

	private finishPlain(response: string): void {
		if (response === '*') return this.cancelAuth();
		const [, user = ''] = Buffer.from(response, 'base64').toString('utf8').split('\0');
		this.auth = { method: 'PLAIN', user };
		this.reply(235, '2.7.0 Authentication successful');
	}

	private command(line: string): void {
		const space = line.indexOf(' ');
		const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
		const argument = space === -1 ? '' : line.slice(space + 1).trim();
		switch (verb) {
			case 'EHLO':
				this.helo = argument;
				this.resetTransaction();
				return this.reply(250, [
					`${this.host.hostname} greets ${argument || 'you'}`,
					`SIZE ${this.host.maxSize}`,
					'8BITMIME',
					'SMTPUTF8',
					'ENHANCEDSTATUSCODES',
					'AUTH PLAIN LOGIN',
				]);
			case 'HELO':
				this.helo = argument;
				this.resetTransaction();
				return this.reply(250, this.host.hostname);
			case 'AUTH':
				return this.authCommand(argument);
			case 'MAIL':
				return this.mailCommand(argument);
			case 'RCPT':
				return this.rcptCommand(argument);
			case 'DATA':
				if (this.rcptTo.length === 0) return this.reply(503, '5.5.1 RCPT first');
				this.mode = 'data';
				return this.reply(354, 'End data with <CR><LF>.<CR><LF>');
			case 'RSET':
				this.resetTransaction();
				return this.reply(250, '2.0.0 OK');
			case 'NOOP':
				return this.reply(250, '2.0.0 OK');
			case 'VRFY':
				return this.reply(252, '2.5.0 Cannot VRFY user, but will accept message');
			case 'QUIT':
				this.reply(221, '2.0.0 Bye');
				this.socket.end();
				return;
			default:
				return this.reply(502, '5.5.2 Command not implemented');
		}
	}

	private authCommand(argument: string): void {
		if (!this.helo) return this.reply(503, '5.5.1 EHLO first');
		const [method = '', initial] = argument.split(/\s+/);
		if (method.toUpperCase() === 'PLAIN') {
			if (initial) return this.finishPlain(initial);
			this.mode = 'authPlain';
			return this.reply(334, '');
		}
		if (method.toUpperCase() === 'LOGIN') {
			if (initial) {
				this.loginUser = Buffer.from(initial, 'base64').toString('utf8');
				this.mode = 'authLoginPass';
				return this.reply(334, 'UGFzc3dvcmQ6');
			}
			this.mode = 'authLoginUser';
			return this.reply(334, 'VXNlcm5hbWU6');
		}
		this.reply(504, '5.5.4 Unrecognized authentication type');
	}

	private mailCommand(argument: string): void {
		if (!this.helo) return this.reply(503, '5.5.1 EHLO first');
		if (this.host.requireAuth && !this.auth) return this.reply(530, '5.7.0 Authentication required');
		const from = address(argument, 'FROM');
		if (from === undefined) return this.reply(501, '5.5.4 Syntax: MAIL FROM:<address>');
		const size = /\bSIZE=(\d+)/i.exec(argument);
		if (size && Number(size[1]) > this.host.maxSize) return this.reply(552, '5.3.4 Message size exceeds fixed maximum message size');
		const fault = this.host.takeFault('mail');
		if (fault) return this.reply(fault.code, fault.message ?? 'Requested action not taken');
		this.resetTransaction();
		this.mailFrom = from;
		this.reply(250, '2.1.0 OK');
	}

	private rcptCommand(argument: string): void {
		if (this.mailFrom === undefined) return this.reply(503, '5.5.1 MAIL first');
		const to = address(argument, 'TO');
		if (!to) return this.reply(501, '5.5.4 Syntax: RCPT TO:<address>');
		const fault = this.host.takeFault('rcpt');
		if (fault) return this.reply(fault.code, fault.message ?? 'Requested action not taken');
		this.rcptTo.push(to);
		this.reply(250, '2.1.5 OK');
	}
}
