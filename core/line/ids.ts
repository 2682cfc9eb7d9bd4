/**
 * The formats of LINE's IDs, written once. LINE documents user IDs as "U" followed by 32
 * lower-case hexadecimal digits; group and room IDs start with "C" and "R" the same way.
 */
export const LINE_USER_ID_FORMAT = /^U[0-9a-f]{32}$/;

/** A chat is a user, a group or a room: the targets of push and of Mark Read. */
export const LINE_CHAT_ID_FORMAT = /^[UCR][0-9a-f]{32}$/;

export function isLineUserId(value: unknown): value is string {
	return typeof value === 'string' && LINE_USER_ID_FORMAT.test(value);
}

export function isLineChatId(value: unknown): value is string {
	return typeof value === 'string' && LINE_CHAT_ID_FORMAT.test(value);
}
