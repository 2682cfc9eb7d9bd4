/**
 * LINE message objects: building them from simple inputs and checking them before anything is
 * sent. LINE's OpenAPI file cannot express most of these rules (type-specific required fields,
 * the 5,000 UTF-16 unit text limit), so they are checked here and reported with LINE's own
 * property paths (`messages[0].text`).
 */
import { isLineChatId, isLineUserId } from './ids';

export const MAX_MESSAGES_PER_REQUEST = 5;
export const MAX_TEXT_UTF16_UNITS = 5000;
export const MAX_ALT_TEXT_LENGTH = 1500;
export const MAX_QUICK_REPLY_ITEMS = 13;
export const MAX_QUICK_REPLY_LABEL_LENGTH = 20;
export const MAX_CONTENT_URL_LENGTH = 2000;
export const MAX_MULTICAST_RECIPIENTS = 500;

export type LineMessage = Record<string, unknown> & { type: string };

export interface MessageProblem {
	/** LINE-style path of the offending field, e.g. `messages[1].packageId` or `to[3]`. */
	property: string;
	message: string;
}

/** Text length as LINE counts it: UTF-16 code units, so an emoji outside the BMP counts twice. */
export function utf16Length(text: string): number {
	return text.length;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value.trim().length > 0;
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

interface Checker {
	problems: MessageProblem[];
	at: string;
}

function requireString(c: Checker, message: Record<string, unknown>, field: string): string | undefined {
	const value = message[field];
	if (!isNonEmptyString(value)) {
		c.problems.push({
			property: `${c.at}.${field}`,
			message:
				value === undefined || value === ''
					? 'is required'
					: `must be non-empty text, not ${describeType(value)}`,
		});
		return undefined;
	}
	return value;
}

function requireHttpsUrl(c: Checker, message: Record<string, unknown>, field: string): void {
	const value = requireString(c, message, field);
	if (value === undefined) return;
	let url: URL | undefined;
	try {
		url = new URL(value);
	} catch {
		url = undefined;
	}
	if (!url || url.protocol !== 'https:') {
		c.problems.push({ property: `${c.at}.${field}`, message: 'must be an https:// URL' });
	} else if (value.length > MAX_CONTENT_URL_LENGTH) {
		c.problems.push({
			property: `${c.at}.${field}`,
			message: `must be at most ${MAX_CONTENT_URL_LENGTH} characters long`,
		});
	}
}

function checkText(c: Checker, message: Record<string, unknown>): void {
	const text = message.text;
	if (typeof text !== 'string' || text.length === 0) {
		c.problems.push({
			property: `${c.at}.text`,
			message: text === undefined || text === '' ? 'is required' : `must be text, not ${describeType(text)}`,
		});
		return;
	}
	const units = utf16Length(text);
	if (units > MAX_TEXT_UTF16_UNITS) {
		c.problems.push({
			property: `${c.at}.text`,
			message: `is ${units.toLocaleString('en-US')} UTF-16 code units long; LINE allows at most ${MAX_TEXT_UTF16_UNITS.toLocaleString('en-US')}`,
		});
	}
}

function checkAltText(c: Checker, message: Record<string, unknown>): void {
	const altText = requireString(c, message, 'altText');
	if (altText !== undefined && altText.length > MAX_ALT_TEXT_LENGTH) {
		c.problems.push({
			property: `${c.at}.altText`,
			message: `must be at most ${MAX_ALT_TEXT_LENGTH.toLocaleString('en-US')} characters long`,
		});
	}
}

function checkFlexContents(c: Checker, message: Record<string, unknown>): void {
	const contents = message.contents;
	if (!isPlainObject(contents)) {
		c.problems.push({
			property: `${c.at}.contents`,
			message:
				contents === undefined
					? 'is required (a Flex bubble or carousel object)'
					: `must be a Flex bubble or carousel object, not ${describeType(contents)}`,
		});
		return;
	}
	if (contents.type !== 'bubble' && contents.type !== 'carousel') {
		c.problems.push({
			property: `${c.at}.contents.type`,
			message: 'must be "bubble" or "carousel"',
		});
		return;
	}
	if (contents.type === 'carousel') {
		const bubbles = contents.contents;
		if (!Array.isArray(bubbles) || bubbles.length === 0) {
			c.problems.push({ property: `${c.at}.contents.contents`, message: 'must list at least one bubble' });
		} else if (bubbles.length > 12) {
			c.problems.push({ property: `${c.at}.contents.contents`, message: 'may hold at most 12 bubbles' });
		}
	}
}

/** The fields each message type cannot do without (LINE rejects the request otherwise). */
const TYPE_CHECKS: Record<string, (c: Checker, message: Record<string, unknown>) => void> = {
	text: checkText,
	textV2: checkText,
	sticker: (c, m) => {
		requireString(c, m, 'packageId');
		requireString(c, m, 'stickerId');
	},
	image: (c, m) => {
		requireHttpsUrl(c, m, 'originalContentUrl');
		requireHttpsUrl(c, m, 'previewImageUrl');
	},
	video: (c, m) => {
		requireHttpsUrl(c, m, 'originalContentUrl');
		requireHttpsUrl(c, m, 'previewImageUrl');
	},
	audio: (c, m) => {
		requireHttpsUrl(c, m, 'originalContentUrl');
		if (typeof m.duration !== 'number' || !(m.duration > 0)) {
			c.problems.push({
				property: `${c.at}.duration`,
				message: 'is required (milliseconds, a positive number)',
			});
		}
	},
	location: (c, m) => {
		requireString(c, m, 'title');
		requireString(c, m, 'address');
		for (const field of ['latitude', 'longitude']) {
			if (typeof m[field] !== 'number' || !Number.isFinite(m[field])) {
				c.problems.push({ property: `${c.at}.${field}`, message: 'is required (a number)' });
			}
		}
	},
	imagemap: (c, m) => {
		requireString(c, m, 'baseUrl');
		checkAltText(c, m);
		if (!isPlainObject(m.baseSize)) c.problems.push({ property: `${c.at}.baseSize`, message: 'is required' });
		if (!Array.isArray(m.actions)) c.problems.push({ property: `${c.at}.actions`, message: 'is required' });
	},
	template: (c, m) => {
		checkAltText(c, m);
		if (!isPlainObject(m.template) || typeof m.template.type !== 'string') {
			c.problems.push({ property: `${c.at}.template`, message: 'is required (an object with a type)' });
		}
	},
	flex: (c, m) => {
		checkAltText(c, m);
		checkFlexContents(c, m);
	},
	coupon: (c, m) => {
		requireString(c, m, 'couponId');
	},
};

export const MESSAGE_TYPES = Object.keys(TYPE_CHECKS);

const QUICK_REPLY_ACTION_FIELDS: Record<string, string> = {
	message: 'text',
	postback: 'data',
	uri: 'uri',
	datetimepicker: 'data',
	clipboard: 'clipboardText',
};

function checkQuickReply(c: Checker, quickReply: unknown): void {
	const at = `${c.at}.quickReply`;
	if (!isPlainObject(quickReply) || !Array.isArray(quickReply.items)) {
		c.problems.push({ property: `${at}.items`, message: 'must be a list of quick reply buttons' });
		return;
	}
	const items = quickReply.items as unknown[];
	if (items.length === 0 || items.length > MAX_QUICK_REPLY_ITEMS) {
		c.problems.push({
			property: `${at}.items`,
			message: `must hold 1 to ${MAX_QUICK_REPLY_ITEMS} buttons, not ${items.length}`,
		});
	}
	items.slice(0, MAX_QUICK_REPLY_ITEMS).forEach((item, index) => {
		const itemAt = `${at}.items[${index}]`;
		if (!isPlainObject(item) || !isPlainObject(item.action)) {
			c.problems.push({ property: `${itemAt}.action`, message: 'is required' });
			return;
		}
		const action = item.action;
		const inner: Checker = { problems: c.problems, at: `${itemAt}.action` };
		const type = requireString(inner, action, 'type');
		if (type === undefined) return;
		if (type !== 'camera' && type !== 'cameraRoll' && type !== 'location') {
			const label = requireString(inner, action, 'label');
			if (label !== undefined && label.length > MAX_QUICK_REPLY_LABEL_LENGTH) {
				c.problems.push({
					property: `${inner.at}.label`,
					message: `must be at most ${MAX_QUICK_REPLY_LABEL_LENGTH} characters long`,
				});
			}
		}
		const field = QUICK_REPLY_ACTION_FIELDS[type];
		if (field) requireString(inner, action, field);
	});
}

/**
 * Everything wrong with a list of message objects, in LINE's property-path notation. An empty
 * result means LINE should accept the messages as far as can be known without asking it.
 */
export function validateMessages(messages: unknown, path = 'messages'): MessageProblem[] {
	const problems: MessageProblem[] = [];
	if (!Array.isArray(messages)) {
		return [{ property: path, message: 'must be a list of 1 to 5 message objects' }];
	}
	if (messages.length === 0) {
		return [{ property: path, message: 'must hold at least one message' }];
	}
	if (messages.length > MAX_MESSAGES_PER_REQUEST) {
		problems.push({
			property: path,
			message:
				`holds ${messages.length} messages; ` +
				`LINE accepts at most ${MAX_MESSAGES_PER_REQUEST} per request`,
		});
	}
	messages.forEach((message, index) => {
		const at = `${path}[${index}]`;
		if (!isPlainObject(message)) {
			problems.push({ property: at, message: `must be a message object, not ${describeType(message)}` });
			return;
		}
		const check = typeof message.type === 'string' ? TYPE_CHECKS[message.type] : undefined;
		if (!check) {
			problems.push({
				property: `${at}.type`,
				message:
					message.type === undefined
						? 'is required'
						: `"${String(message.type)}" is not a LINE message type (one of ${MESSAGE_TYPES.join(', ')})`,
			});
			return;
		}
		const checker: Checker = { problems, at };
		check(checker, message);
		if (message.quickReply !== undefined) checkQuickReply(checker, message.quickReply);
	});
	return problems;
}

/** Problems with recipients of a multicast (users only) or a push (user, group or room). */
export function validateRecipients(ids: string[], kind: 'users' | 'chats', path = 'to'): MessageProblem[] {
	const problems: MessageProblem[] = [];
	const valid: (value: string) => boolean = kind === 'users' ? isLineUserId : isLineChatId;
	const expected =
		kind === 'users'
			? 'a LINE user ID (U followed by 32 characters 0-9 a-f)'
			: 'a LINE user, group or room ID (U, C or R followed by 32 characters 0-9 a-f)';
	ids.forEach((id, index) => {
		if (!valid(id)) {
			problems.push({
				property: `${path}[${index}]`,
				message: `"${id.length > 40 ? `${id.slice(0, 40)}…` : id}" is not ${expected}`,
			});
		}
	});
	return problems;
}

/**
 * Reads a recipient list given as a list, or as text separated by commas, semicolons, spaces or
 * line breaks. Duplicates are dropped (first occurrence kept), so nobody gets the message twice
 * because their ID appeared twice or landed in two batches.
 */
export function parseRecipientList(value: unknown): string[] {
	const raw: unknown[] = Array.isArray(value)
		? value.flat(2)
		: typeof value === 'string'
			? value.split(/[\s,;]+/)
			: value === undefined || value === null
				? []
				: [value];
	const seen = new Set<string>();
	const ids: string[] = [];
	for (const entry of raw) {
		const text = isPlainObject(entry) && typeof entry.userId === 'string' ? entry.userId : String(entry ?? '');
		const id = text.trim();
		if (id.length === 0 || seen.has(id)) continue;
		seen.add(id);
		ids.push(id);
	}
	return ids;
}

/** Splits a list into consecutive batches of at most `size` entries. */
export function batches<T>(list: T[], size = MAX_MULTICAST_RECIPIENTS): T[][] {
	if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
	const out: T[][] = [];
	for (let start = 0; start < list.length; start += size) out.push(list.slice(start, start + size));
	return out;
}

export interface QuickReplyButton {
	type: 'message' | 'postback' | 'uri';
	label: string;
	/** Text sent by the user (message), or shown in the chat for a postback. */
	text?: string;
	/** Postback data. */
	data?: string;
	uri?: string;
}

/** Turns simple quick-reply buttons into LINE's `quickReply` object. */
export function buildQuickReply(buttons: QuickReplyButton[]): Record<string, unknown> | undefined {
	if (buttons.length === 0) return undefined;
	return {
		items: buttons.map((button) => {
			const action: Record<string, unknown> = { type: button.type, label: button.label };
			if (button.type === 'message') action.text = button.text || button.label;
			if (button.type === 'postback') {
				action.data = button.data ?? '';
				if (button.text) action.displayText = button.text;
			}
			if (button.type === 'uri') action.uri = button.uri;
			return { type: 'action', action };
		}),
	};
}

/**
 * Accepts a Flex container (`bubble` / `carousel`, as the Flex Message Simulator exports it) or a
 * whole flex message, and returns the flex message with the given alt text.
 */
export function buildFlexMessage(altText: string, json: unknown): LineMessage {
	if (isPlainObject(json) && json.type === 'flex') {
		return { ...json, type: 'flex', altText: altText || (json.altText as string) } as LineMessage;
	}
	return { type: 'flex', altText, contents: json };
}
