/**
 * The element tree that the PORTERS XML reader and writer share, XML's name grammar and the small
 * helpers the codec walks documents with.
 */

export interface XmlElement {
	name: string;
	attributes: Record<string, string>;
	children: XmlNode[];
}

/** Text (with CDATA sections merged in) is a plain string. */
export type XmlNode = XmlElement | string;

const NAME_START =
	'A-Za-z_:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF' +
	'\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME_CHAR = NAME_START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040';
// Supplementary-plane name characters arrive as surrogate pairs.
export const XML_NAME_PATTERN = `(?:[${NAME_START}]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])(?:[${NAME_CHAR}]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*`;
/* eslint-disable no-misleading-character-class -- the ranges of the XML Name production include
   joiners and combining marks on purpose */
const WHOLE_NAME = new RegExp(`^${XML_NAME_PATTERN}$`);
/* eslint-enable no-misleading-character-class */

export function isXmlName(name: string): boolean {
	return WHOLE_NAME.test(name);
}

// Small tree helpers

export function element(
	name: string,
	children: XmlNode[] = [],
	attributes: Record<string, string> = {},
): XmlElement {
	return { name, attributes, children };
}

export function childElements(parent: XmlElement): XmlElement[] {
	const out: XmlElement[] = [];
	for (const child of parent.children) if (typeof child !== 'string') out.push(child);
	return out;
}

export function firstChild(parent: XmlElement, name: string): XmlElement | undefined {
	for (const child of parent.children) {
		if (typeof child !== 'string' && child.name === name) return child;
	}
	return undefined;
}

/** Concatenated text of an element's direct text children. */
export function textOf(el: XmlElement): string {
	let out = '';
	for (const child of el.children) if (typeof child === 'string') out += child;
	return out;
}

/** True when an element has child elements (text between them is ignored). */
export function hasChildElements(el: XmlElement): boolean {
	for (const child of el.children) if (typeof child !== 'string') return true;
	return false;
}
