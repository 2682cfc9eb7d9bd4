/**
 * A raw SMTP client for the SMTP sandbox's tests: it sends exactly the lines it is given and reads
 * the server's replies (multi-line ones joined), so every protocol step can be asserted.
 */
import * as net from 'net';

export interface Reply {
	code: number;
	lines: string[];
}

export class SmtpDialogue {
	private buffer = '';
	private readonly replies: Reply[] = [];
	private waiting: Array<() => void> = [];
	private closed = false;

	private constructor(private readonly socket: net.Socket) {
		socket.on('data', (chunk: Buffer) => {
			this.buffer += chunk.toString('utf8');
			this.parse();
		});
		socket.on('close', () => {
			this.closed = true;
			this.wake();
		});
	}

	static async connect(port: number): Promise<SmtpDialogue> {
		const socket = net.connect(port, '127.0.0.1');
		await new Promise<void>((resolve, reject) => {
			socket.once('connect', () => resolve());
			socket.once('error', reject);
		});
		return new SmtpDialogue(socket);
	}

	private wake(): void {
		const waiting = this.waiting;
		this.waiting = [];
		for (const resolve of waiting) resolve();
	}

	/** Lines of a multi-line reply whose last line has not arrived yet. */
	private partial: string[] = [];

	private parse(): void {
		for (;;) {
			const end = this.buffer.indexOf('\r\n');
			if (end === -1) break;
			const line = this.buffer.slice(0, end);
			this.buffer = this.buffer.slice(end + 2);
			this.partial.push(line.slice(4));
			if (line[3] !== '-') {
				this.replies.push({ code: Number(line.slice(0, 3)), lines: this.partial });
				this.partial = [];
			}
		}
		this.wake();
	}

	/** The next reply from the server. */
	async reply(timeoutMs = 5000): Promise<Reply> {
		const deadline = Date.now() + timeoutMs;
		while (this.replies.length === 0) {
			if (this.closed) throw new Error('connection closed');
			if (Date.now() > deadline) throw new Error('no reply');
			await new Promise<void>((resolve) => {
				this.waiting.push(resolve);
				setTimeout(resolve, 50);
			});
		}
		return this.replies.shift()!;
	}

	/** Sends one command line and returns the reply. */
	async send(line: string): Promise<Reply> {
		this.socket.write(`${line}\r\n`);
		return await this.reply();
	}

	/** Sends a message body after DATA's 354: dot-stuffed, ended with <CRLF>.<CRLF>. */
	async sendData(message: Buffer): Promise<Reply> {
		const text = message.toString('latin1');
		const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
		const ending = stuffed.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n';
		this.socket.write(Buffer.concat([Buffer.from(stuffed, 'latin1'), Buffer.from(ending)]));
		return await this.reply();
	}

	close(): void {
		this.socket.destroy();
	}
}
