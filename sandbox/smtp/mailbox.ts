/**
 * The SMTP sandbox's HTTP side: received mail as JSON for tests and the e2e harness, and a small
 * Japanese mailbox page for the demo (list, one message with its text, its HTML in a sandboxed
 * frame, attachments to download). Links in a mail open in a new tab, so a recruiter's reply
 * link works from the demo's browser.
 */
import type * as http from 'http';
import { mailSummary, type SmtpFault, type SmtpSandbox, type StoredMail } from './server';

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function linkify(escaped: string): string {
	return escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}" target="_blank" rel="noopener">${url}</a>`);
}

const STYLE = `body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}pre{white-space:pre-wrap;background:#f8f8f8;padding:1rem;border-radius:6px}
iframe{width:100%;height:28rem;border:1px solid #ddd;border-radius:6px}.muted{color:#777}dt{font-weight:bold}dd{margin:0 0 .5rem}`;

function page(title: string, body: string, refreshSeconds?: number): string {
	const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
	return `<!doctype html><html lang="ja"><head><meta charset="utf-8">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function listPage(mails: StoredMail[]): string {
	const rows = [...mails]
		.reverse()
		.map(
			(mail) =>
				`<tr><td>${escapeHtml(mail.receivedAt.replace('T', ' ').slice(0, 19))}</td><td>${escapeHtml(mail.from)}</td>` +
				`<td>${escapeHtml(mail.envelope.rcptTo.join(', '))}</td>` +
				`<td><a href="/view/${mail.id}">${escapeHtml(mail.subject || '（件名なし）')}</a></td>` +
				`<td>${mail.attachments.length > 0 ? `${mail.attachments.length} 件` : ''}</td></tr>`,
		)
		.join('');
	const table = mails.length
		? `<table><thead><tr><th>受信日時 (UTC)</th><th>差出人</th><th>宛先</th><th>件名</th><th>添付</th></tr></thead><tbody>${rows}</tbody></table>`
		: '<p class="muted">まだメールはありません。このページは 5 秒ごとに更新されます。</p>';
	return page('受信メール（サンドボックス）', `<h1>受信メール（サンドボックス）</h1><p class="muted">n8n が送ったメールはすべてここに届きます（外部には送信されません）。</p>${table}`, 5);
}

function messagePage(mail: StoredMail): string {
	const attachments = mail.attachments.length
		? `<h2>添付ファイル</h2><ul>${mail.attachments
				.map(
					(a, index) =>
						`<li><a href="/messages/${mail.id}/attachments/${index}">${escapeHtml(a.filename ?? `添付 ${index + 1}`)}</a> <span class="muted">(${escapeHtml(a.contentType)}, ${a.size.toLocaleString('ja-JP')} バイト)</span></li>`,
				)
				.join('')}</ul>`
		: '';
	const text = mail.text !== undefined ? `<h2>本文（テキスト）</h2><pre>${linkify(escapeHtml(mail.text))}</pre>` : '';
	const html = mail.html !== undefined ? `<h2>本文（HTML）</h2><iframe src="/messages/${mail.id}/html" title="HTML 本文"></iframe>` : '';
	const body =
		`<p><a href="/">← 一覧に戻る</a></p><h1>${escapeHtml(mail.subject || '（件名なし）')}</h1>` +
		`<dl><dt>差出人</dt><dd>${escapeHtml(mail.from)}</dd><dt>宛先</dt><dd>${escapeHtml(mail.to || mail.envelope.rcptTo.join(', '))}</dd>` +
		(mail.cc ? `<dt>CC</dt><dd>${escapeHtml(mail.cc)}</dd>` : '') +
		`<dt>日時</dt><dd>${escapeHtml(mail.date || mail.receivedAt)}</dd></dl>${text}${html}${attachments}` +
		`<p class="muted"><a href="/messages/${mail.id}/raw">元のメール（.eml）</a></p>`;
	return page(mail.subject || '（件名なし）', body);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? JSON.parse(text) : undefined;
}

export async function handleMailbox(box: SmtpSandbox, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	const path = url.pathname.replace(/\/+$/, '') || '/';
	const json = (status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
		res.end(JSON.stringify(body));
	};
	const html = (status: number, body: string) => {
		res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
		res.end(body);
	};
	const find = (id: string) => box.messages.find((mail) => mail.id === id);
	const method = req.method ?? 'GET';

	if (method === 'GET' && path === '/') return html(200, listPage(box.messages));
	if (method === 'GET' && path === '/messages') {
		const to = url.searchParams.get('to');
		return json(200, (to ? box.mailTo(to) : box.messages).map((mail) => mailSummary(mail)));
	}
	if (method === 'DELETE' && path === '/messages') {
		box.reset();
		return json(200, { ok: true });
	}
	if (method === 'POST' && path === '/faults') {
		box.injectFaults((await readJson(req)) as SmtpFault | SmtpFault[]);
		return json(200, { ok: true });
	}
	const view = /^\/view\/([\w-]+)$/.exec(path);
	if (method === 'GET' && view) {
		const mail = find(view[1]);
		return mail ? html(200, messagePage(mail)) : html(404, page('見つかりません', '<p>このメールはありません。<a href="/">一覧に戻る</a></p>'));
	}
	const one = /^\/messages\/([\w-]+)(?:\/(raw|html)|\/attachments\/(\d+))?$/.exec(path);
	if (method === 'GET' && one) {
		const mail = find(one[1]);
		if (!mail) return json(404, { message: 'No such message' });
		if (one[2] === 'raw') {
			res.writeHead(200, { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${mail.id}.eml"` });
			res.end(mail.raw);
			return;
		}
		if (one[2] === 'html') {
			// The mail's HTML runs in a sandbox: no scripts, its own origin; links open a new tab.
			res.writeHead(mail.html === undefined ? 404 : 200, {
				'content-type': 'text/html; charset=utf-8',
				'content-security-policy': 'sandbox allow-popups allow-popups-to-escape-sandbox',
			});
			res.end(mail.html === undefined ? '' : `<base target="_blank">${mail.html}`);
			return;
		}
		if (one[3] !== undefined) {
			const attachment = mail.attachments[Number(one[3])];
			if (!attachment) return json(404, { message: 'No such attachment' });
			const name = attachment.filename ?? `attachment-${one[3]}`;
			res.writeHead(200, {
				'content-type': attachment.contentType,
				'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
			});
			res.end(attachment.content);
			return;
		}
		return json(200, mailSummary(mail, true));
	}
	json(404, {
		message: 'Not found',
		endpoints: [
			'GET / (mailbox page)',
			'GET /messages[?to=address]',
			'GET /messages/{id}',
			'GET /messages/{id}/raw',
			'GET /messages/{id}/html',
			'GET /messages/{id}/attachments/{index}',
			'DELETE /messages',
			'POST /faults [{stage: mail|rcpt|data, code, message?}]',
		],
	});
}
