/** Reading LINE webhook bodies: shape checks, event selection and ordering. */

/** Every documented webhook event type, in the order the n8n editor lists them. */
export const LINE_EVENT_TYPES = [
	{ value: 'message', name: 'Message', description: 'A user sent a message (text messages carry a markAsReadToken)' },
	{ value: 'follow', name: 'Follow', description: 'A user added the account as a friend or unblocked it (follow.isUnblocked)' },
	{ value: 'unfollow', name: 'Unfollow', description: 'A user blocked the account' },
	{ value: 'postback', name: 'Postback', description: 'A user tapped a postback action' },
	{ value: 'accountLink', name: 'Account Link', description: 'A user linked an account with the bot' },
	{ value: 'unsend', name: 'Unsend', description: 'A user unsent a message' },
	{ value: 'messageEdited', name: 'Message Edited', description: 'A user edited a message in a group chat' },
	{ value: 'join', name: 'Join', description: 'The account joined a group or room' },
	{ value: 'leave', name: 'Leave', description: 'The account was removed from a group or room' },
	{ value: 'memberJoined', name: 'Member Joined', description: 'A user joined a group or room the account is in' },
	{ value: 'memberLeft', name: 'Member Left', description: 'A user left a group or room the account is in' },
	{ value: 'videoPlayComplete', name: 'Video Play Complete', description: 'A user finished watching a video sent with a tracking ID' },
	{ value: 'beacon', name: 'Beacon', description: 'A user entered the range of a LINE Beacon' },
	{ value: 'membership', name: 'Membership', description: 'A user joined, left or renewed a membership' },
] as const;

export interface LineWebhookEvent {
	type: string;
	timestamp?: number;
	mode?: string;
	webhookEventId?: string;
	deliveryContext?: { isRedelivery?: boolean };
	source?: { type?: string; userId?: string; groupId?: string; roomId?: string };
	[key: string]: unknown;
}

export interface LineWebhookBody {
	destination: string;
	events: LineWebhookEvent[];
}

export type ParsedWebhook =
	| { ok: true; body: LineWebhookBody }
	| { ok: false; reason: 'not_json' | 'not_line_webhook' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the raw body after its signature has been checked. Lenient about what LINE may add
 * (new fields, new event types) and strict about what every webhook has.
 */
export function parseLineWebhook(rawBody: Buffer): ParsedWebhook {
	let parsed: unknown;
	try {
		parsed = JSON.parse(rawBody.toString('utf8'));
	} catch {
		return { ok: false, reason: 'not_json' };
	}
	if (!isPlainObject(parsed) || typeof parsed.destination !== 'string' || !Array.isArray(parsed.events)) {
		return { ok: false, reason: 'not_line_webhook' };
	}
	const events = parsed.events as unknown[];
	if (!events.every((event) => isPlainObject(event) && typeof event.type === 'string')) {
		return { ok: false, reason: 'not_line_webhook' };
	}
	return { ok: true, body: { destination: parsed.destination, events: events as LineWebhookEvent[] } };
}

export interface EventSelection {
	/** Event types to keep; `'*'` keeps everything, including types LINE adds later. */
	types: string[];
	skipStandby: boolean;
}

/** The events a workflow should see, oldest first, each carrying the webhook's `destination`. */
export function selectEvents(
	body: LineWebhookBody,
	selection: EventSelection,
): Array<LineWebhookEvent & { destination: string }> {
	const all = selection.types.includes('*');
	return body.events
		.map((event, index) => ({ event, index }))
		.filter(({ event }) => all || selection.types.includes(event.type))
		.filter(({ event }) => !(selection.skipStandby && event.mode === 'standby'))
		.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0) || a.index - b.index)
		.map(({ event }) => ({ ...event, destination: body.destination }));
}
