/**
 * Limits LINE documents but its OpenAPI file does not state (../shared/docs/line-platform.md
 * §3.2, §4.3, §6.2).
 * They run after the schema validation and report in the same `{ message, property }` shape.
 */
import type { ErrorDetail } from './openapi';

export const USER_ID_PATTERN = /^U[0-9a-f]{32}$/;
export const GROUP_ID_PATTERN = /^C[0-9a-f]{32}$/;
export const ROOM_ID_PATTERN = /^R[0-9a-f]{32}$/;

export const MAX_TEXT_UTF16_UNITS = 5000;
export const MAX_EMOJIS_PER_TEXT = 20;
export const MAX_ALT_TEXT = 1500;
export const MAX_MEDIA_URL = 2000;
export const MAX_CAROUSEL_BUBBLES = 12;

const MEDIA_URL_FIELDS = ['originalContentUrl', 'previewImageUrl'];

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the message objects of a send request; `messages` already passed the schema. */
export function checkMessages(messages: unknown): ErrorDetail[] {
	if (!Array.isArray(messages)) return [];
	const details: ErrorDetail[] = [];
	messages.forEach((message, index) => {
		if (!isObject(message)) return;
		const at = `messages[${index}]`;
		if ((message.type === 'text' || message.type === 'textV2') && typeof message.text === 'string') {
			// JavaScript string length counts UTF-16 code units, which is what LINE counts.
			if (message.text.length > MAX_TEXT_UTF16_UNITS) {
				details.push({
					message: `Length must be between 0 and ${MAX_TEXT_UTF16_UNITS}`,
					property: `${at}.text`,
				});
			}
		}
		if (message.type === 'text' && Array.isArray(message.emojis)) {
			if (message.emojis.length > MAX_EMOJIS_PER_TEXT) {
				details.push({
					message: `Size must be between 0 and ${MAX_EMOJIS_PER_TEXT}`,
					property: `${at}.emojis`,
				});
			}
		}
		if (typeof message.altText === 'string' && message.altText.length > MAX_ALT_TEXT) {
			details.push({
				message: `Length must be between 1 and ${MAX_ALT_TEXT}`,
				property: `${at}.altText`,
			});
		}
		for (const field of MEDIA_URL_FIELDS) {
			const value = message[field];
			if (typeof value !== 'string') continue;
			if (value.length > MAX_MEDIA_URL) {
				details.push({
					message: `Length must be between 0 and ${MAX_MEDIA_URL}`,
					property: `${at}.${field}`,
				});
			} else if (!value.startsWith('https://')) {
				details.push({ message: 'Must be an HTTPS URL', property: `${at}.${field}` });
			}
		}
		if (message.type === 'flex' && isObject(message.contents)) {
			const contents = message.contents;
			if (contents.type === 'carousel' && Array.isArray(contents.contents)) {
				if (contents.contents.length > MAX_CAROUSEL_BUBBLES) {
					details.push({
						message: `Size must be between 1 and ${MAX_CAROUSEL_BUBBLES}`,
						property: `${at}.contents.contents`,
					});
				}
			}
		}
	});
	return details;
}

/** Multicast recipients must all be user IDs (no groups or rooms). */
export function checkMulticastRecipients(to: unknown): ErrorDetail[] {
	if (!Array.isArray(to)) return [];
	const details: ErrorDetail[] = [];
	to.forEach((id, index) => {
		if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) {
			details.push({ message: 'Invalid user ID', property: `to[${index}]` });
		}
	});
	return details;
}

export function isPushTarget(id: unknown): id is string {
	return (
		typeof id === 'string' &&
		(USER_ID_PATTERN.test(id) || GROUP_ID_PATTERN.test(id) || ROOM_ID_PATTERN.test(id))
	);
}

/** Loading animation: a 1:1 chat only, 5–60 s in steps of 5 (range itself is in the schema). */
export function checkLoading(body: Loose): { message: string; details?: ErrorDetail[] } | undefined {
	if (typeof body.chatId !== 'string' || !USER_ID_PATTERN.test(body.chatId)) {
		return { message: 'Only user id is acceptable for chatId' };
	}
	if (typeof body.loadingSeconds === 'number' && body.loadingSeconds % 5 !== 0) {
		return {
			message: 'The request body has 1 error(s)',
			details: [{ message: 'Must be a multiple of 5', property: 'loadingSeconds' }],
		};
	}
	return undefined;
}

/** Hexadecimal UUID as LINE expects for `X-Line-Retry-Key` (any version, no `urn:` prefix). */
export function isRetryKey(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
