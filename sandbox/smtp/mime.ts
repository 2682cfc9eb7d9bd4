/**
 * Reading an Internet message as the SMTP sandbox stores it: header fields (RFC 5322, unfolded),
 * encoded words in them (RFC 2047, B and Q, any charset the runtime's TextDecoder knows —
 * UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP …), parameters with RFC 2231 charsets and continuations,
 * MIME multiparts (RFC 2046) and the base64 / quoted-printable transfer encodings (RFC 2045).
 * Enough to show what a mail client would show; not a general-purpose parser.
 */
import { createHash } from 'crypto';

export interface HeaderField {
	name: string;
	/** The value as sent, unfolded. */
	raw: string;
	/** Encoded words decoded. */
	value: string;
}

export interface ParsedAttachment {
	filename?: string;
	contentType: string;
	disposition: 'attachment' | 'inline';
	contentId?: string;
	size: number;
	sha256: string;
	content: Buffer;
}

export interface ParsedMail {
	headers: HeaderField[];
	subject: string;
	from: string;
	to: string;
	cc: string;
	date: string;
	messageId: string;
	text?: string;
	html?: string;
	attachments: ParsedAttachment[];
}

interface Part {
	headers: HeaderField[];
	body: Buffer;
}

function indexOfBlankLine(data: Buffer): { at: number; length: number } | undefined {
	const crlf = data.indexOf('\r\n\r\n');
	const lf = data.indexOf('\n\n');
	if (crlf === -1 && lf === -1) return undefined;
	if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, length: 4 };
	return { at: lf, length: 2 };
}

/** Decodes bytes in a charset; unknown charsets fall back to UTF-8. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
	const label = (charset ?? 'utf-8').trim().toLowerCase();
	const effective = label === 'us-ascii' || label === 'ascii' || label === '' ? 'utf-8' : label;
	try {
		return new TextDecoder(effective).decode(bytes);
	} catch {
		return new TextDecoder('utf-8').decode(bytes);
	}
}

function decodeQuotedPrintable(text: string, inHeader: boolean): Buffer {
	const source = inHeader ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < source.length; i++) {
		const hex = source.slice(i + 1, i + 3);
		if (source[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
			bytes.push(parseInt(hex, 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(source[i], 'latin1'));
		}
	}
	return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g;

/**
 * RFC 2047: encoded words are decoded; whitespace between two adjacent encoded words is dropped,
 * and adjacent words in the same charset are joined as bytes first (a character may be split).
 */
export function decodeEncodedWords(value: string): string {
	let out = '';
	let pending: { charset: string; bytes: Buffer[] } | undefined;
	let last = 0;
	const flush = () => {
		if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
		pending = undefined;
	};
	for (const match of value.matchAll(ENCODED_WORD)) {
		const between = value.slice(last, match.index);
		const [, charset, encoding, text] = match;
		if (!(pending && /^\s*$/.test(between))) {
			flush();
			out += between;
		}
		const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true);
		if (pending && pending.charset.toLowerCase() === charset.toLowerCase()) pending.bytes.push(bytes);
		else {
			flush();
			pending = { charset, bytes: [bytes] };
		}
		last = (match.index ?? 0) + match[0].length;
	}
	flush();
	return out + value.slice(last);
}

export function parseHeaderBlock(block: string): HeaderField[] {
	const fields: HeaderField[] = [];
	for (const line of block.split(/\r?\n/)) {
		if (/^[ \t]/.test(line) && fields.length > 0) {
			// Unfolding removes only the line break (RFC 5322 §2.2.3).
			const current = fields[fields.length - 1];
			current.raw += line;
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		fields.push({ name: line.slice(0, colon).trim(), raw: line.slice(colon + 1).trim(), value: '' });
	}
	for (const field of fields) field.value = decodeEncodedWords(field.raw).trim();
	return fields;
}

function header(headers: HeaderField[], name: string): HeaderField | undefined {
	return headers.find((field) => field.name.toLowerCase() === name.toLowerCase());
}

function splitPart(data: Buffer): Part {
	const blank = indexOfBlankLine(data);
	if (!blank) return { headers: parseHeaderBlock(data.toString('latin1')), body: Buffer.alloc(0) };
	// Header bytes may be raw UTF-8 (RFC 6532); read them as UTF-8.
	return {
		headers: parseHeaderBlock(data.subarray(0, blank.at).toString('utf8')),
		body: data.subarray(blank.at + blank.length),
	};
}

export interface StructuredValue {
	value: string;
	params: Record<string, string>;
}

function unquote(text: string): string {
	const trimmed = text.trim();
	return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1') : trimmed;
}

/** `type/subtype; a=b; c*=utf-8''%E3%81%82; d*0*=…; d*1*=…` with RFC 2231 and encoded words. */
export function parseStructured(raw: string): StructuredValue {
	const pieces: string[] = [];
	let current = '';
	let quoted = false;
	for (const char of raw) {
		if (char === '"' && !current.endsWith('\\')) quoted = !quoted;
		if (char === ';' && !quoted) {
			pieces.push(current);
			current = '';
		} else current += char;
	}
	pieces.push(current);
	const value = pieces.shift()!.trim().toLowerCase();
	const continued = new Map<string, { charset?: string; parts: Array<{ index: number; text: string; encoded: boolean }> }>();
	const params: Record<string, string> = {};
	for (const piece of pieces) {
		const eq = piece.indexOf('=');
		if (eq <= 0) continue;
		const key = piece.slice(0, eq).trim().toLowerCase();
		const text = unquote(piece.slice(eq + 1));
		const extended = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(key);
		if (!extended || (extended[2] === undefined && extended[3] === undefined)) {
			params[key] = decodeEncodedWords(text);
			continue;
		}
		const [, name, index, star] = extended;
		const entry = continued.get(name) ?? { parts: [] };
		let piecetext = text;
		if (star && (index === undefined || index === '0')) {
			const match = /^([^']*)'[^']*'(.*)$/.exec(text);
			if (match) {
				entry.charset = match[1] || undefined;
				piecetext = match[2];
			}
		}
		entry.parts.push({ index: Number(index ?? 0), text: piecetext, encoded: star !== undefined });
		continued.set(name, entry);
	}
	for (const [name, entry] of continued) {
		const bytes = entry.parts
			.sort((a, b) => a.index - b.index)
			.map((part) => (part.encoded ? percentBytes(part.text) : Buffer.from(part.text, 'utf8')));
		params[name] = decodeCharset(Buffer.concat(bytes), entry.charset);
	}
	return { value, params };
}

function percentBytes(text: string): Buffer {
	const bytes: number[] = [];
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
			bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(text[i], 'utf8'));
	}
	return Buffer.from(bytes);
}

function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
	switch ((encoding ?? '7bit').trim().toLowerCase()) {
		case 'base64':
			return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
		case 'quoted-printable':
			return decodeQuotedPrintable(body.toString('latin1'), false);
		default:
			return body;
	}
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
	const text = body.toString('latin1');
	const delimiter = `--${boundary}`;
	const parts: Buffer[] = [];
	const lines = text.split(/(?<=\n)/);
	let current: string[] | undefined;
	for (const line of lines) {
		const bare = line.replace(/\r?\n$/, '').trimEnd();
		if (bare === delimiter || bare === `${delimiter}--`) {
			if (current) parts.push(Buffer.from(current.join('').replace(/\r?\n$/, ''), 'latin1'));
			current = bare === delimiter ? [] : undefined;
			if (bare !== delimiter) break;
			continue;
		}
		if (current) current.push(line);
	}
	return parts;
}

interface Collected {
	text: string[];
	html: string[];
	attachments: ParsedAttachment[];
}

function walk(part: Part, collected: Collected, parentType: string): void {
	const type = parseStructured(header(part.headers, 'content-type')?.raw ?? 'text/plain; charset=us-ascii');
	if (type.value.startsWith('multipart/') && type.params.boundary) {
		for (const child of splitMultipart(part.body, type.params.boundary)) walk(splitPart(child), collected, type.value);
		return;
	}
	const content = decodeTransfer(part.body, header(part.headers, 'content-transfer-encoding')?.raw);
	const dispositionField = header(part.headers, 'content-disposition');
	const disposition = dispositionField ? parseStructured(dispositionField.raw) : undefined;
	const filename = disposition?.params.filename ?? type.params.name;
	const isBodyText =
		(type.value === 'text/plain' || type.value === 'text/html') &&
		disposition?.value !== 'attachment' &&
		filename === undefined;
	if (isBodyText) {
		const decoded = decodeCharset(content, type.params.charset);
		(type.value === 'text/html' ? collected.html : collected.text).push(decoded);
		return;
	}
	const contentId = header(part.headers, 'content-id')?.raw.replace(/^<|>$/g, '');
	collected.attachments.push({
		filename,
		contentType: type.value,
		disposition: disposition?.value === 'inline' || (parentType === 'multipart/related' && !disposition) ? 'inline' : 'attachment',
		contentId,
		size: content.length,
		sha256: createHash('sha256').update(content).digest('hex'),
		content,
	});
}

/** Parses a whole message (the bytes of SMTP DATA, dot-unstuffed). */
export function parseMail(raw: Buffer): ParsedMail {
	const top = splitPart(raw);
	const collected: Collected = { text: [], html: [], attachments: [] };
	walk(top, collected, '');
	const get = (name: string) => header(top.headers, name)?.value ?? '';
	return {
		headers: top.headers,
		subject: get('subject'),
		from: get('from'),
		to: get('to'),
		cc: get('cc'),
		date: get('date'),
		messageId: get('message-id'),
		text: collected.text.length > 0 ? collected.text.join('\n') : undefined,
		html: collected.html.length > 0 ? collected.html.join('\n') : undefined,
		attachments: collected.attachments,
	};
}

/** Bare addresses in an address-list header (`"山田" <a@b.jp>, c@d.jp` → [a@b.jp, c@d.jp]). */
export function addressesIn(value: string): string[] {
	const angle = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]);
	if (angle.length > 0) return angle;
	return [...value.matchAll(/[^\s,;<>"]+@[^\s,;<>"]+/g)].map((m) => m[0]);
}
