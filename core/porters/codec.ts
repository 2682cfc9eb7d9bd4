/**
 * The PORTERS dialect on top of the XML reader and writer: read envelopes
 * (`<Candidate Total Count Start><Code/><Item>…`), field values (text, options in all three known
 * renderings, user and parent-resource references, nested or flat), write requests and their
 * per-item results, error documents under any root, and the authentication responses.
 */
import {
	childElements,
	element,
	firstChild,
	hasChildElements,
	parseXml,
	serializeXml,
	textOf,
	type XmlElement,
	type XmlNode,
} from './xml';

export class PortersFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PortersFormatError';
	}
}

// ---------------------------------------------------------------------------------------------
// Values

export interface PortersOption {
	/** Leaf option alias, e.g. `Option.P_Male`. */
	alias: string;
	id?: number;
	name?: string;
}

export type PortersValue =
	| { type: 'text'; value: string }
	| { type: 'option'; options: PortersOption[] }
	/** `<Alias><User>…</User></Alias>`, `<Alias><Candidate>…</Candidate></Alias>`; possibly several. */
	| { type: 'reference'; resource: string; records: PortersRecord[] }
	/** Anything else with structure (image parts, or a flat nest without a resource wrapper). */
	| { type: 'object'; record: PortersRecord };

export type PortersRecord = Record<string, PortersValue>;

/** Option properties that can appear inside a leaf option element. */
const OPTION_PROPERTIES = new Set([
	'Option.P_Id',
	'Option.P_Name',
	'Option.P_Alias',
	'Option.P_ParentId',
	'Option.P_Order',
	'Option.P_Type',
]);

function isOptionElementName(name: string): boolean {
	return name === 'OptionRoot' || name.startsWith('Option.');
}

function isTextOnly(el: XmlElement): boolean {
	return !hasChildElements(el);
}

function isOptionLeaf(el: XmlElement): boolean {
	if (el.name === 'OptionRoot') return false;
	const kids = childElements(el);
	return kids.every((k) => isTextOnly(k) && OPTION_PROPERTIES.has(k.name));
}

function collectOptions(el: XmlElement, out: PortersOption[]): void {
	if (isOptionLeaf(el)) {
		const option: PortersOption = { alias: el.name };
		const id = firstChild(el, 'Option.P_Id');
		if (id) {
			const n = Number(textOf(id).trim());
			if (textOf(id).trim() !== '' && Number.isFinite(n)) option.id = n;
		}
		const name = firstChild(el, 'Option.P_Name');
		if (name) option.name = textOf(name);
		out.push(option);
		return;
	}
	for (const child of childElements(el)) {
		if (isOptionElementName(child.name)) collectOptions(child, out);
	}
}

const RESOURCE_WRAPPER = /^[A-Z][A-Za-z]*$/;
const FIELD_ALIAS = /^[A-Z][A-Za-z]*\.[PUA]_[A-Za-z0-9_]+$/;

/** Decodes one field element into a value (see `PortersValue`). */
export function decodeValue(el: XmlElement): PortersValue {
	const kids = childElements(el);
	if (kids.length === 0) return { type: 'text', value: textOf(el) };
	if (kids.every((k) => isOptionElementName(k.name))) {
		const options: PortersOption[] = [];
		for (const k of kids) collectOptions(k, options);
		return { type: 'option', options };
	}
	if (kids.every((k) => RESOURCE_WRAPPER.test(k.name) && !isTextOnly(k))) {
		const resource = kids[0].name;
		if (kids.every((k) => k.name === resource)) {
			return { type: 'reference', resource, records: kids.map(decodeRecord) };
		}
	}
	// Parent fields directly under the alias, without a resource wrapper (U5 variant).
	if (kids.every((k) => FIELD_ALIAS.test(k.name))) {
		const resource = kids.every((k) => k.name.startsWith('User.')) ? 'User' : '';
		return { type: 'reference', resource, records: [decodeRecord(el)] };
	}
	return { type: 'object', record: decodeRecord(el) };
}

/** Decodes an `<Item>` (or any element whose children are fields) into a record. */
export function decodeRecord(item: XmlElement): PortersRecord {
	const record: PortersRecord = {};
	for (const field of childElements(item)) {
		// A repeated field element is unusual; keep the first, as PORTERS names each field once.
		if (!(field.name in record)) record[field.name] = decodeValue(field);
	}
	return record;
}

// ---------------------------------------------------------------------------------------------
// Read envelope and error documents

export interface ReadEnvelope {
	/** Root element name: the resource (`Candidate`, `Resume`, …), or `System` for some errors. */
	root: string;
	total?: number;
	count?: number;
	start?: number;
	/** The `<Code>` directly under the root, when present. */
	code?: number;
	items: XmlElement[];
}

function intAttribute(el: XmlElement, name: string): number | undefined {
	const raw = el.attributes[name];
	if (raw === undefined) return undefined;
	const n = Number(raw.trim());
	if (!Number.isInteger(n)) throw new PortersFormatError(`Attribute ${name}="${raw}" is not a whole number`);
	return n;
}

/** `<Code>` directly under the root element, whatever the root is called. */
export function rootCode(root: XmlElement): number | undefined {
	const code = firstChild(root, 'Code');
	if (!code) return undefined;
	const text = textOf(code).trim();
	const n = Number(text);
	if (text === '' || !Number.isInteger(n)) throw new PortersFormatError(`<Code>${text}</Code> is not a number`);
	return n;
}

export function parseDocument(xml: string | Uint8Array): XmlElement {
	return parseXml(xml);
}

export function readEnvelope(root: XmlElement): ReadEnvelope {
	const envelope: ReadEnvelope = {
		root: root.name,
		total: intAttribute(root, 'Total'),
		count: intAttribute(root, 'Count'),
		start: intAttribute(root, 'Start'),
		code: rootCode(root),
		items: childElements(root).filter((el) => el.name === 'Item'),
	};
	return envelope;
}

export function parseReadEnvelope(xml: string | Uint8Array): ReadEnvelope {
	return readEnvelope(parseXml(xml));
}

// ---------------------------------------------------------------------------------------------
// Write request and response

/** A value to write: text, a number, an empty element (`null`), or option leaf aliases. */
export type WriteValue = string | number | null | { options: string[] };

export type WriteItem = Array<[alias: string, value: WriteValue]> | Record<string, WriteValue>;

function writeField(alias: string, value: WriteValue): XmlElement {
	if (value === null || value === undefined) return element(alias);
	if (typeof value === 'object') return element(alias, value.options.map((o) => element(o)));
	if (typeof value === 'number' && !Number.isFinite(value)) {
		throw new PortersFormatError(`The value of ${alias} is not a finite number`);
	}
	const text = String(value);
	return element(alias, text === '' ? [] : [text]);
}

function writeItemElement(item: WriteItem): XmlElement {
	const entries = Array.isArray(item) ? item : Object.entries(item);
	return element(
		'Item',
		entries.map(([alias, value]) => writeField(alias, value)),
	);
}

/** Builds `<Candidate><Item>…</Item>…</Candidate>` with the declaration PORTERS samples use. */
export function encodeWriteRequest(resource: string, items: WriteItem[]): string {
	const children: XmlNode[] = items.map(writeItemElement);
	return serializeXml(element(resource, children), { declaration: true });
}

/**
 * One `<Item>…</Item>` exactly as `encodeWriteRequest` writes it, so that a request's length is
 * `writeRequestOverhead(resource)` plus the lengths of its encoded items.
 */
export function encodeWriteItem(item: WriteItem): string {
	return serializeXml(writeItemElement(item));
}

/** The declaration and the root element of a write request: its length without items. */
export function writeRequestOverhead(resource: string): string {
	const withEmptyItem = encodeWriteRequest(resource, [[]]);
	return withEmptyItem.replace('<Item/>', '');
}

export interface WriteItemResult {
	id?: number;
	code: number;
}

export interface WriteResponse {
	root: string;
	/** A request-level code (`<Code>` under the root): the whole request failed. */
	code?: number;
	items: WriteItemResult[];
}

export function readWriteResponse(root: XmlElement): WriteResponse {
	const items = childElements(root)
		.filter((el) => el.name === 'Item')
		.map((item) => {
			const codeEl = firstChild(item, 'Code');
			const idEl = firstChild(item, 'Id');
			const codeText = codeEl ? textOf(codeEl).trim() : '';
			const code = Number(codeText);
			if (!codeEl || codeText === '' || !Number.isInteger(code)) {
				throw new PortersFormatError('A result item in the PORTERS response has no numeric <Code>');
			}
			const result: WriteItemResult = { code };
			const idText = idEl ? textOf(idEl).trim() : '';
			if (idText !== '' && Number.isInteger(Number(idText))) result.id = Number(idText);
			return result;
		});
	return { root: root.name, code: rootCode(root), items };
}

export function parseWriteResponse(xml: string | Uint8Array): WriteResponse {
	return readWriteResponse(parseXml(xml));
}

// ---------------------------------------------------------------------------------------------
// Authentication responses (`/v1/oauth`, `/v1/token`)

export interface AuthResponse {
	error: number;
	message?: string;
	code?: string;
	accessToken?: string;
	accessTokenExpiresIn?: number;
	refreshToken?: string;
	refreshTokenExpiresIn?: number;
}

export function readAuthResponse(root: XmlElement): AuthResponse {
	if (root.name !== 'Authentication') {
		throw new PortersFormatError(`Expected an <Authentication> document, got <${root.name}>`);
	}
	const text = (name: string): string | undefined => {
		const el = firstChild(root, name);
		return el ? textOf(el).trim() : undefined;
	};
	const number = (name: string): number | undefined => {
		const raw = text(name);
		if (raw === undefined || raw === '') return undefined;
		const n = Number(raw);
		if (!Number.isFinite(n)) throw new PortersFormatError(`<${name}>${raw}</${name}> is not a number`);
		return n;
	};
	const error = number('Error');
	if (error === undefined) throw new PortersFormatError('The PORTERS authentication answer has no <Error>');
	return {
		error,
		message: text('Message'),
		code: text('Code') || undefined,
		accessToken: text('AccessToken') || undefined,
		accessTokenExpiresIn: number('AccessTokenExpiresIn'),
		refreshToken: text('RefreshToken') || undefined,
		refreshTokenExpiresIn: number('RefreshTokenExpiresIn'),
	};
}

export function parseAuthResponse(xml: string | Uint8Array): AuthResponse {
	return readAuthResponse(parseXml(xml));
}
