import { execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import { resolve } from 'path';
import { promisify } from 'util';
import { sampleJpeg, samplePdf } from '../../sandbox/line/mediaSamples';
import { decodeEncodedWords, parseStructured } from '../../sandbox/smtp/mime';
import { SmtpSandbox } from '../../sandbox/smtp/server';
import { SmtpDialogue } from './smtpDialogue';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../sandbox/smtp/cli.js');
const CRLF = '\r\n';

// ── a MIME message built by hand, the way nodemailer lays one out ───────────────────────────────

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text, written independently of the parser. */
function quotedPrintable(text: string): string {
	return text
		.split('\n')
		.map((line) => {
			let encoded = '';
			for (const byte of Buffer.from(line, 'utf8')) {
				const literal = byte >= 33 && byte <= 126 && byte !== 61;
				encoded += literal || byte === 32 ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
			}
			if (encoded.endsWith(' ')) encoded = `${encoded.slice(0, -1)}=20`;
			const soft: string[] = [];
			while (encoded.length > 75) {
				let cut = 75;
				while (encoded[cut - 1] === '=' || encoded[cut - 2] === '=') cut--;
				soft.push(`${encoded.slice(0, cut)}=`);
				encoded = encoded.slice(cut);
			}
			return [...soft, encoded].join(CRLF);
		})
		.join(CRLF);
}

function base64Lines(data: Buffer): string {
	return (data.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** Two B encoded words splitting the UTF-8 bytes at `cut` — possibly inside a character. */
function splitEncodedWords(text: string, cut: number): string {
	const bytes = Buffer.from(text, 'utf8');
	return `=?UTF-8?B?${bytes.subarray(0, cut).toString('base64')}?=${CRLF} =?UTF-8?B?${bytes.subarray(cut).toString('base64')}?=`;
}

const SUBJECT = '【LINE】山田 太郎さんからメッセージが届きました';
const TEXT = [
	'山田 太郎さんからメッセージです。',
	'',
	'「面接の日程を変更できますか？来週の火曜日の午後なら大丈夫です。よろしくお願いいたします。」',
	'',
	'. この行はドットで始まります',
	'返信ページ: https://n8n.example.jp/webhook/reply?t=abc.def&sig=1=2',
].join('\n');
const HTML = '<p>山田 太郎さんから<strong>メッセージ</strong>です。</p><p><a href="https://n8n.example.jp/webhook/reply?t=abc">返信する</a></p>';
const JPEG = sampleJpeg();
const PDF = samplePdf(3000);

function notificationMail(): Buffer {
	const lines = [
		`From: =?UTF-8?B?${Buffer.from('山田 花子').toString('base64')}?= <hanako.yamada@sandbox.example.jp>`,
		'To: =?UTF-8?Q?LINE_=E9=80=9A=E7=9F=A5?= <owner@example.jp>',
		'Cc: fallback@example.jp',
		`Subject: ${splitEncodedWords(SUBJECT, 10)}`,
		'Date: Tue, 01 Dec 2026 09:00:00 +0900',
		'Message-ID: <f3c1a2b4-0001@sandbox.example.jp>',
		'MIME-Version: 1.0',
		'Content-Type: multipart/mixed;',
		' boundary="--_NmP-mixed-1"',
		'',
		'----_NmP-mixed-1',
		'Content-Type: multipart/alternative;',
		' boundary="--_NmP-alt-2"',
		'',
		'----_NmP-alt-2',
		'Content-Type: text/plain; charset=utf-8',
		'Content-Transfer-Encoding: quoted-printable',
		'',
		quotedPrintable(TEXT),
		'----_NmP-alt-2',
		'Content-Type: text/html; charset=utf-8',
		'Content-Transfer-Encoding: base64',
		'',
		base64Lines(Buffer.from(HTML, 'utf8')),
		'----_NmP-alt-2--',
		'',
		'----_NmP-mixed-1',
		'Content-Type: image/jpeg; name="=?UTF-8?Q?=E5=86=99=E7=9C=9F.jpg?="',
		'Content-Transfer-Encoding: base64',
		"Content-Disposition: attachment; filename*0*=utf-8''%E5%86%99%E7%9C%9F;",
		' filename*1*=.jpg',
		'',
		base64Lines(JPEG),
		'----_NmP-mixed-1',
		'Content-Type: application/pdf; name=resume.pdf',
		'Content-Transfer-Encoding: base64',
		'Content-Disposition: attachment; filename="resume.pdf"',
		'',
		base64Lines(PDF),
		'----_NmP-mixed-1--',
		'',
	];
	return Buffer.from(lines.join(CRLF), 'utf8');
}

async function deliver(port: number, message: Buffer, rcpt = ['owner@example.jp', 'fallback@example.jp']): Promise<string> {
	const smtp = await SmtpDialogue.connect(port);
	try {
		expect((await smtp.reply()).code).toBe(220);
		expect((await smtp.send('EHLO n8n.local')).code).toBe(250);
		expect((await smtp.send('MAIL FROM:<hanako.yamada@sandbox.example.jp> BODY=8BITMIME')).code).toBe(250);
		for (const to of rcpt) expect((await smtp.send(`RCPT TO:<${to}>`)).code).toBe(250);
		expect((await smtp.send('DATA')).code).toBe(354);
		const accepted = await smtp.sendData(message);
		expect(accepted.code).toBe(250);
		expect((await smtp.send('QUIT')).code).toBe(221);
		return /queued as (\S+)/.exec(accepted.lines[0])![1];
	} finally {
		smtp.close();
	}
}

describe('SMTP sandbox', () => {
	const sandbox = new SmtpSandbox();

	beforeAll(async () => {
		await sandbox.start(0, 0);
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => {
		sandbox.reset();
		sandbox.requireAuth = false;
		sandbox.maxSize = 25 * 1024 * 1024;
	});

	it('speaks SMTP: greeting, EHLO capabilities without STARTTLS, order of commands, QUIT', async () => {
		const smtp = await SmtpDialogue.connect(sandbox.port);
		try {
			const greeting = await smtp.reply();
			expect([greeting.code, greeting.lines[0]]).toEqual([220, 'smtp.sandbox.local ESMTP LINE-PORTERS sandbox']);
			expect((await smtp.send('MAIL FROM:<a@example.jp>')).code).toBe(503);
			const ehlo = await smtp.send('EHLO client.example');
			expect(ehlo.code).toBe(250);
			expect(ehlo.lines).toEqual(expect.arrayContaining(['AUTH PLAIN LOGIN', '8BITMIME', 'SMTPUTF8', 'SIZE 26214400']));
			expect(ehlo.lines.some((line) => /STARTTLS/i.test(line))).toBe(false);
			expect((await smtp.send('RCPT TO:<b@example.jp>')).code).toBe(503);
			expect((await smtp.send('DATA')).code).toBe(503);
			expect((await smtp.send('STARTTLS')).code).toBe(502);
			expect((await smtp.send('NOOP')).code).toBe(250);
			expect((await smtp.send('MAIL FROM:<a@example.jp>')).code).toBe(250);
			expect((await smtp.send('RSET')).code).toBe(250);
			expect((await smtp.send('RCPT TO:<b@example.jp>')).code).toBe(503);
			expect((await smtp.send('HELO old.client')).code).toBe(250);
			expect((await smtp.send('QUIT')).code).toBe(221);
		} finally {
			smtp.close();
		}
		expect(sandbox.messages).toEqual([]);
	});

	it('accepts AUTH PLAIN and AUTH LOGIN with any credentials and records the user', async () => {
		sandbox.requireAuth = true;
		const plain = await SmtpDialogue.connect(sandbox.port);
		try {
			await plain.reply();
			await plain.send('EHLO n8n.local');
			expect((await plain.send('MAIL FROM:<a@example.jp>')).code).toBe(530);
			const credentials = Buffer.from('\0recruiter@example.jp\0anything').toString('base64');
			expect((await plain.send(`AUTH PLAIN ${credentials}`)).code).toBe(235);
			await plain.send('MAIL FROM:<a@example.jp>');
			await plain.send('RCPT TO:<b@example.jp>');
			await plain.send('DATA');
			expect((await plain.sendData(Buffer.from(`Subject: plain${CRLF}${CRLF}hello${CRLF}`))).code).toBe(250);
		} finally {
			plain.close();
		}
		const login = await SmtpDialogue.connect(sandbox.port);
		try {
			await login.reply();
			await login.send('EHLO n8n.local');
			expect(await login.send('AUTH LOGIN')).toEqual({ code: 334, lines: ['VXNlcm5hbWU6'] });
			expect((await login.send(Buffer.from('smtp-user').toString('base64'))).code).toBe(334);
			expect((await login.send(Buffer.from('wrong-is-fine').toString('base64'))).code).toBe(235);
			await login.send('MAIL FROM:<a@example.jp>');
			await login.send('RCPT TO:<b@example.jp>');
			await login.send('DATA');
			expect((await login.sendData(Buffer.from(`Subject: login${CRLF}${CRLF}hello${CRLF}`))).code).toBe(250);
			expect((await login.send('AUTH CRAM-MD5')).code).toBe(504);
		} finally {
			login.close();
		}
		expect(sandbox.messages.map((m) => m.envelope.auth)).toEqual([
			{ method: 'PLAIN', user: 'recruiter@example.jp' },
			{ method: 'LOGIN', user: 'smtp-user' },
		]);
	});

	it('stores a Japanese multipart mail byte for byte and decodes subject, bodies and attachments', async () => {
		const message = notificationMail();
		const id = await deliver(sandbox.port, message);
		const mail = sandbox.messages[0];
		expect(mail.id).toBe(id);
		expect(mail.raw.equals(message)).toBe(true);
		expect(mail.envelope).toEqual({
			helo: 'n8n.local',
			mailFrom: 'hanako.yamada@sandbox.example.jp',
			rcptTo: ['owner@example.jp', 'fallback@example.jp'],
			auth: undefined,
		});
		expect(mail.subject).toBe(SUBJECT);
		expect(mail.from).toBe('山田 花子 <hanako.yamada@sandbox.example.jp>');
		expect(mail.to).toBe('LINE 通知 <owner@example.jp>');
		expect(mail.text).toBe(TEXT.replace(/\n/g, CRLF));
		expect(mail.html).toBe(HTML);
		expect(mail.attachments.map(({ filename, contentType, size, disposition }) => ({ filename, contentType, size, disposition }))).toEqual([
			{ filename: '写真.jpg', contentType: 'image/jpeg', size: JPEG.length, disposition: 'attachment' },
			{ filename: 'resume.pdf', contentType: 'application/pdf', size: PDF.length, disposition: 'attachment' },
		]);
		expect(mail.attachments[0].content.equals(JPEG)).toBe(true);
		expect(mail.attachments[1].sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
	});

	it('decodes ISO-2022-JP encoded words and raw 8-bit UTF-8 bodies', async () => {
		const iso = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]); // 日本
		const message = Buffer.concat([
			Buffer.from(`Subject: =?ISO-2022-JP?B?${iso.toString('base64')}?= =?UTF-8?Q?=E3=81=AE?= mail${CRLF}`),
			Buffer.from(`Content-Type: text/plain; charset=UTF-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}`),
			Buffer.from(`そのまま送った本文${CRLF}`, 'utf8'),
		]);
		await deliver(sandbox.port, message, ['a@example.jp']);
		expect(sandbox.messages[0].subject).toBe('日本の mail');
		expect(sandbox.messages[0].text).toBe(`そのまま送った本文${CRLF}`);
		expect(decodeEncodedWords('=?UTF-8?Q?a_b?= c')).toBe('a b c');
		expect(parseStructured("attachment; filename*=UTF-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf").params.filename).toBe('履歴書.pdf');
	});

	it('refuses what it is told to, and what is too large, storing nothing', async () => {
		sandbox.injectFaults([{ stage: 'data', code: 451, message: '4.3.0 Try again later' }, { stage: 'rcpt', code: 550 }]);
		const smtp = await SmtpDialogue.connect(sandbox.port);
		try {
			await smtp.reply();
			await smtp.send('EHLO n8n.local');
			await smtp.send('MAIL FROM:<a@example.jp>');
			expect((await smtp.send('RCPT TO:<nobody@example.jp>')).code).toBe(550);
			expect((await smtp.send('RCPT TO:<b@example.jp>')).code).toBe(250);
			await smtp.send('DATA');
			expect(await smtp.sendData(Buffer.from(`Subject: x${CRLF}${CRLF}x${CRLF}`))).toEqual({ code: 451, lines: ['4.3.0 Try again later'] });
			sandbox.maxSize = 100;
			expect((await smtp.send('MAIL FROM:<a@example.jp> SIZE=5000')).code).toBe(552);
			await smtp.send('MAIL FROM:<a@example.jp>');
			await smtp.send('RCPT TO:<b@example.jp>');
			await smtp.send('DATA');
			expect((await smtp.sendData(Buffer.from(`Subject: big${CRLF}${CRLF}${'x'.repeat(500)}${CRLF}`))).code).toBe(552);
		} finally {
			smtp.close();
		}
		expect(sandbox.messages).toEqual([]);
	});

	it('lists mail over HTTP as JSON and shows a Japanese mailbox page', async () => {
		await deliver(sandbox.port, notificationMail());
		await deliver(sandbox.port, Buffer.from(`Subject: other${CRLF}${CRLF}other${CRLF}`), ['someone@example.jp']);
		const all = (await (await fetch(`${sandbox.url}/messages`)).json()) as Array<Record<string, unknown>>;
		expect(all.map((m) => m.subject)).toEqual([SUBJECT, 'other']);
		const mine = (await (await fetch(`${sandbox.url}/messages?to=OWNER@example.jp`)).json()) as Array<Record<string, unknown>>;
		expect(mine).toHaveLength(1);
		expect(mine[0]).toMatchObject({
			toAddresses: ['owner@example.jp'],
			text: TEXT.replace(/\n/g, CRLF),
			hasHtml: true,
			attachments: [
				{ index: 0, filename: '写真.jpg', contentType: 'image/jpeg', size: JPEG.length },
				{ index: 1, filename: 'resume.pdf', contentType: 'application/pdf', size: PDF.length },
			],
		});
		const id = String(mine[0].id);
		const full = (await (await fetch(`${sandbox.url}/messages/${id}`)).json()) as Record<string, unknown>;
		expect(full.html).toBe(HTML);
		const raw = Buffer.from(await (await fetch(`${sandbox.url}/messages/${id}/raw`)).arrayBuffer());
		expect(raw.equals(notificationMail())).toBe(true);
		const attachment = await fetch(`${sandbox.url}/messages/${id}/attachments/0`);
		expect(attachment.headers.get('content-type')).toBe('image/jpeg');
		expect(Buffer.from(await attachment.arrayBuffer()).equals(JPEG)).toBe(true);
		const html = await fetch(`${sandbox.url}/messages/${id}/html`);
		expect(html.headers.get('content-security-policy')).toMatch(/^sandbox/);

		const list = await (await fetch(`${sandbox.url}/`)).text();
		expect(list).toContain('受信メール（サンドボックス）');
		expect(list).toContain(`<a href="/view/${id}">【LINE】山田 太郎さんからメッセージが届きました</a>`);
		const view = await (await fetch(`${sandbox.url}/view/${id}`)).text();
		expect(view).toContain('<a href="https://n8n.example.jp/webhook/reply?t=abc.def&amp;sig=1=2" target="_blank" rel="noopener">');
		expect(view).toContain('写真.jpg');

		expect((await fetch(`${sandbox.url}/messages`, { method: 'DELETE' })).status).toBe(200);
		expect(sandbox.messages).toEqual([]);
	});

	it('waits for a mail to arrive', async () => {
		const waiting = sandbox.waitForMail((mail) => mail.subject === 'later', 5000);
		setTimeout(() => void deliver(sandbox.port, Buffer.from(`Subject: later${CRLF}${CRLF}x${CRLF}`), ['a@example.jp']), 50);
		expect((await waiting).subject).toBe('later');
		await expect(sandbox.waitForMail((mail) => mail.subject === 'never', 100)).rejects.toThrow(/No matching mail/);
	});
});

describe('SMTP sandbox command line', () => {
	it('serves and prints the n8n SMTP credential settings; list prints the mail', async () => {
		const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--http-port', '0']);
		try {
			let out = '';
			const info = await new Promise<Record<string, unknown>>((resolveInfo, reject) => {
				child.stdout.on('data', (chunk: Buffer) => {
					out += chunk.toString();
					try {
						resolveInfo(JSON.parse(out) as Record<string, unknown>);
					} catch {
						// incomplete
					}
				});
				child.on('exit', () => reject(new Error(out)));
			});
			expect(info.n8nSmtpCredential).toMatchObject({ host: '127.0.0.1', secure: false, disableStartTls: true });
			await deliver(Number(info.smtpPort), Buffer.from(`Subject: cli${CRLF}${CRLF}x${CRLF}`), ['a@example.jp']);
			const { stdout } = await run(process.execPath, [CLI, 'list', '--mailbox', String(info.mailbox)]);
			expect((JSON.parse(stdout) as Array<{ subject: string }>).map((m) => m.subject)).toEqual(['cli']);
		} finally {
			child.kill('SIGTERM');
		}
	});
});
