/**
 * The XML writer for requests to PORTERS: every name is checked and every text and attribute
 * escaped, and content that XML 1.0 cannot carry is refused with a message that names it.
 */
import { isXmlName, type XmlElement } from './xmlTree';

/** Raised by the writer for content that XML 1.0 cannot carry, even escaped. */
export class XmlWriteError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'XmlWriteError';
	}
}

// Characters XML 1.0 forbids outright: C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE and U+FFFF.
const FORBIDDEN_CHAR =
	// eslint-disable-next-line no-control-regex -- finding control characters is the point
	/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Quick screens first: most values have nothing to escape and no character to refuse.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_NONCHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const SURROGATE = /[\uD800-\uDFFF]/;
const TEXT_SPECIAL = /[&<>"'\r]/;
const TEXT_SPECIAL_ALL = /[&<>"'\r]/g;
const ATTRIBUTE_SPECIAL_ALL = /[&<>"'\r\n\t]/g;

function assertWritable(value: string, where: string): void {
	if (!CONTROL_OR_NONCHAR.test(value) && !(SURROGATE.test(value) && FORBIDDEN_CHAR.test(value))) return;
	const bad = FORBIDDEN_CHAR.exec(value) as RegExpExecArray;
	const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
	throw new XmlWriteError(
		`${where} contains the character U+${code}, which XML (and so PORTERS) cannot carry`,
	);
}

const TEXT_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&apos;',
	'\r': '&#13;',
	'\t': '&#9;',
	'\n': '&#10;',
};

const escapeChar = (ch: string) => TEXT_ESCAPES[ch];

/** Escapes text content. Line ends and tabs in text survive parsing, so they stay literal. */
export function escapeXmlText(value: string): string {
	assertWritable(value, 'A text value');
	return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_ALL, escapeChar) : value;
}

/** Escapes an attribute value; whitespace is written as references, which parsers keep. */
export function escapeXmlAttribute(value: string): string {
	assertWritable(value, 'An attribute value');
	return value.replace(ATTRIBUTE_SPECIAL_ALL, escapeChar);
}

export interface SerializeOptions {
	/** `true` for the declaration PORTERS samples use; a string for a custom one; default none. */
	declaration?: boolean | string;
	/** Indentation for element-only content; default none (compact). */
	indent?: string;
}

export const PORTERS_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

function assertName(name: string, what: string, checked: Set<string>): void {
	if (checked.has(name)) return;
	if (!isXmlName(name)) throw new XmlWriteError(`"${name}" is not a valid XML ${what} name`);
	checked.add(name);
}

/** Serialises an element tree; every name is checked and every text and attribute escaped. */
export function serializeXml(root: XmlElement, options: SerializeOptions = {}): string {
	let out = '';
	if (options.declaration) {
		out += options.declaration === true ? PORTERS_XML_DECLARATION : options.declaration;
		if (options.indent !== undefined) out += '\n';
	}
	const indent = options.indent;
	// Documents repeat the same few names many times: check each once.
	const checked = new Set<string>();

	const write = (el: XmlElement, depth: number) => {
		const name = el.name;
		assertName(name, 'element', checked);
		out += '<' + name;
		for (const attribute in el.attributes) {
			if (!Object.prototype.hasOwnProperty.call(el.attributes, attribute)) continue;
			assertName(attribute, 'attribute', checked);
			out += ' ' + attribute + '="' + escapeXmlAttribute(el.attributes[attribute]) + '"';
		}
		const children = el.children;
		if (children.length === 0) {
			out += '/>';
			return;
		}
		out += '>';
		let elementOnly = indent !== undefined;
		if (elementOnly) {
			for (const child of children) if (typeof child === 'string') elementOnly = false;
		}
		for (const child of children) {
			if (typeof child === 'string') {
				out += escapeXmlText(child);
			} else {
				if (elementOnly) out += '\n' + (indent as string).repeat(depth + 1);
				write(child, depth + 1);
			}
		}
		if (elementOnly) out += '\n' + (indent as string).repeat(depth);
		out += '</' + name + '>';
	};

	write(root, 0);
	return out;
}
