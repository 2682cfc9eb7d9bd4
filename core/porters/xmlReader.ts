/**
 * A small, strict-enough XML reader for the dialect PORTERS speaks: elements, attributes, text,
 * entities, character references, CDATA, comments, processing instructions and the XML
 * declaration. No DTDs (PORTERS sends none, and refusing them rules out entity-expansion
 * attacks). The reader is a single forward scan: every step consumes input, so any input either
 * parses or fails with an `XmlSyntaxError` pointing at the offending position.
 */
import { XML_NAME_PATTERN, type XmlElement } from './xmlTree';

export class XmlSyntaxError extends Error {
	constructor(
		message: string,
		readonly position: number,
		readonly line: number,
		readonly column: number,
	) {
		super(`${message} (line ${line}, column ${column})`);
		this.name = 'XmlSyntaxError';
	}
}

export interface ParseOptions {
	/** Nesting limit; PORTERS documents are about six levels deep. */
	maxDepth?: number;
}

const NAME_AT = new RegExp(XML_NAME_PATTERN, 'y');
const SPACE_AT = /[ \t\n\r]*/y;

const XML_DECLARATION =
	/^[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\4)?[ \t\n]*$/;

const PREDEFINED_ENTITIES: Record<string, string> = {
	lt: '<',
	gt: '>',
	amp: '&',
	quot: '"',
	apos: "'",
};

function isAllowedCodePoint(code: number): boolean {
	return (
		code === 0x9 ||
		code === 0xa ||
		code === 0xd ||
		(code >= 0x20 && code <= 0xd7ff) ||
		(code >= 0xe000 && code <= 0xfffd) ||
		(code >= 0x10000 && code <= 0x10ffff)
	);
}

class Reader {
	pos = 0;

	constructor(
		readonly src: string,
		readonly maxDepth: number,
	) {}

	fail(message: string, at = this.pos): never {
		let line = 1;
		let lineStart = 0;
		for (let i = 0; i < at && i < this.src.length; i++) {
			if (this.src.charCodeAt(i) === 10) {
				line++;
				lineStart = i + 1;
			}
		}
		throw new XmlSyntaxError(message, at, line, at - lineStart + 1);
	}

	skipSpace(): void {
		SPACE_AT.lastIndex = this.pos;
		SPACE_AT.test(this.src);
		this.pos = SPACE_AT.lastIndex;
	}

	readName(what: string): string {
		NAME_AT.lastIndex = this.pos;
		const match = NAME_AT.exec(this.src);
		if (!match) this.fail(`Expected ${what}`);
		this.pos = NAME_AT.lastIndex;
		return match[0];
	}

	expect(literal: string): void {
		if (!this.src.startsWith(literal, this.pos)) this.fail(`Expected "${literal}"`);
		this.pos += literal.length;
	}

	/** Decodes entity and character references in `raw`, which starts at `offset` in the source. */
	decode(raw: string, offset: number): string {
		if (raw.indexOf('&') === -1) return raw;
		let out = '';
		let last = 0;
		let amp = raw.indexOf('&');
		while (amp !== -1) {
			out += raw.slice(last, amp);
			const semi = raw.indexOf(';', amp + 1);
			if (semi === -1 || semi - amp > 12) this.fail('Unterminated entity reference', offset + amp);
			const ref = raw.slice(amp + 1, semi);
			if (ref.charCodeAt(0) === 35 /* # */) {
				const hex = ref[1] === 'x';
				const digits = hex ? ref.slice(2) : ref.slice(1);
				const valid = hex ? /^[0-9A-Fa-f]+$/.test(digits) : /^[0-9]+$/.test(digits);
				const code = valid ? parseInt(digits, hex ? 16 : 10) : NaN;
				if (!valid || !isAllowedCodePoint(code)) {
					this.fail(`Invalid character reference "&${ref};"`, offset + amp);
				}
				out += String.fromCodePoint(code);
			} else {
				const value = PREDEFINED_ENTITIES[ref];
				if (value === undefined) this.fail(`Unknown entity "&${ref};"`, offset + amp);
				out += value;
			}
			last = semi + 1;
			amp = raw.indexOf('&', last);
		}
		return out + raw.slice(last);
	}

	/** Skips a comment or processing instruction starting at `pos`; returns false if none. */
	skipMarkup(): boolean {
		const src = this.src;
		if (src.startsWith('<!--', this.pos)) {
			const end = src.indexOf('-->', this.pos + 4);
			if (end === -1) this.fail('Unterminated comment');
			this.pos = end + 3;
			return true;
		}
		if (src.startsWith('<?', this.pos)) {
			const start = this.pos;
			this.pos += 2;
			const target = this.readName('a processing instruction target');
			if (target.toLowerCase() === 'xml') this.fail('XML declaration not at the start', start);
			if (!src.startsWith('?>', this.pos) && !/[ \t\n]/.test(src[this.pos] ?? '')) {
				this.fail('Expected whitespace after a processing instruction target');
			}
			const end = src.indexOf('?>', this.pos);
			if (end === -1) this.fail('Unterminated processing instruction', start);
			this.pos = end + 2;
			return true;
		}
		if (src.startsWith('<!DOCTYPE', this.pos)) this.fail('Document type declarations are not supported');
		return false;
	}

	readDeclaration(): void {
		if (!this.src.startsWith('<?xml', this.pos)) return;
		const after = this.src.charCodeAt(this.pos + 5);
		if (after !== 32 && after !== 9 && after !== 10 && after !== 13 && after !== 63) return;
		const end = this.src.indexOf('?>', this.pos);
		if (end === -1) this.fail('Unterminated XML declaration');
		const body = this.src.slice(this.pos + 5, end);
		const parts = XML_DECLARATION.exec(body);
		if (!parts) this.fail('Malformed XML declaration');
		if (parts[3] !== undefined && !/^utf-?8$/i.test(parts[3])) {
			this.fail(`Unsupported encoding "${parts[3]}" (PORTERS uses UTF-8)`);
		}
		this.pos = end + 2;
	}

	readAttributes(element: XmlElement): boolean {
		const src = this.src;
		for (;;) {
			const before = this.pos;
			this.skipSpace();
			const ch = src.charCodeAt(this.pos);
			if (ch === 62 /* > */) {
				this.pos++;
				return false;
			}
			if (ch === 47 /* / */) {
				this.pos++;
				this.expect('>');
				return true;
			}
			if (Number.isNaN(ch)) this.fail(`Unterminated start tag <${element.name}>`);
			if (this.pos === before) this.fail('Expected whitespace before an attribute');
			const name = this.readName('an attribute name');
			this.skipSpace();
			this.expect('=');
			this.skipSpace();
			const quote = src[this.pos];
			if (quote !== '"' && quote !== "'") this.fail('Expected a quoted attribute value');
			const valueStart = this.pos + 1;
			const valueEnd = src.indexOf(quote, valueStart);
			if (valueEnd === -1) this.fail('Unterminated attribute value');
			const raw = src.slice(valueStart, valueEnd);
			const lt = raw.indexOf('<');
			if (lt !== -1) this.fail('"<" is not allowed in an attribute value', valueStart + lt);
			if (Object.prototype.hasOwnProperty.call(element.attributes, name)) {
				this.fail(`Duplicate attribute "${name}"`);
			}
			// Literal whitespace in attribute values normalises to spaces; references are kept.
			element.attributes[name] = this.decode(raw.replace(/[\t\n\r]/g, ' '), valueStart);
			this.pos = valueEnd + 1;
		}
	}

	parseDocument(): XmlElement {
		const src = this.src;
		if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
		this.readDeclaration();
		for (;;) {
			this.skipSpace();
			if (!this.skipMarkup()) break;
		}
		if (src.charCodeAt(this.pos) !== 60 /* < */) {
			this.fail(this.pos >= src.length ? 'The document has no root element' : 'Text before the root element');
		}
		const root = this.parseElementTree();
		for (;;) {
			this.skipSpace();
			if (this.pos >= src.length) return root;
			if (!this.skipMarkup()) this.fail('Content after the root element');
		}
	}

	/** Iterative descent (an explicit stack), so depth cannot overflow the call stack. */
	parseElementTree(): XmlElement {
		const src = this.src;
		const stack: XmlElement[] = [];
		let root: XmlElement | undefined;
		let text = '';

		const flushText = () => {
			if (text === '') return;
			const top = stack[stack.length - 1];
			const last = top.children[top.children.length - 1];
			if (typeof last === 'string') top.children[top.children.length - 1] = last + text;
			else top.children.push(text);
			text = '';
		};

		do {
			const lt = src.indexOf('<', this.pos);
			if (stack.length > 0 && lt !== this.pos) {
				const end = lt === -1 ? src.length : lt;
				text += this.decode(src.slice(this.pos, end), this.pos);
				this.pos = end;
				if (lt === -1) this.fail(`Unclosed element <${stack[stack.length - 1].name}>`);
			}
			const next = src.charCodeAt(this.pos + 1);
			if (next === 47 /* / */) {
				const start = this.pos;
				this.pos += 2;
				const name = this.readName('an end tag name');
				this.skipSpace();
				this.expect('>');
				const open = stack[stack.length - 1];
				if (!open) this.fail(`Unexpected end tag </${name}>`, start);
				if (open.name !== name) this.fail(`End tag </${name}> does not match <${open.name}>`, start);
				flushText();
				stack.pop();
			} else if (next === 33 /* ! */) {
				if (stack.length > 0 && src.startsWith('<![CDATA[', this.pos)) {
					const end = src.indexOf(']]>', this.pos + 9);
					if (end === -1) this.fail('Unterminated CDATA section');
					text += src.slice(this.pos + 9, end);
					this.pos = end + 3;
				} else if (!this.skipMarkup()) {
					this.fail('Unexpected markup');
				}
			} else if (next === 63 /* ? */) {
				this.skipMarkup();
			} else {
				this.pos++;
				const element: XmlElement = {
					name: this.readName('an element name'),
					attributes: {},
					children: [],
				};
				const selfClosing = this.readAttributes(element);
				if (stack.length > 0) {
					flushText();
					stack[stack.length - 1].children.push(element);
				} else {
					root = element;
				}
				if (!selfClosing) {
					if (stack.length >= this.maxDepth) this.fail(`Nesting deeper than ${this.maxDepth} levels`);
					stack.push(element);
				}
			}
		} while (stack.length > 0);
		return root as XmlElement;
	}
}

/** Parses a complete XML document and returns its root element. */
export function parseXml(input: string | Uint8Array, options: ParseOptions = {}): XmlElement {
	let text: string;
	if (typeof input === 'string') {
		text = input;
	} else {
		text = new TextDecoder('utf-8', { fatal: false }).decode(input);
	}
	// Line-end normalisation, as every XML processor does before parsing.
	if (text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
	return new Reader(text, options.maxDepth ?? 64).parseDocument();
}
