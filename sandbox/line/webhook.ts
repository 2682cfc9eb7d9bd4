/**
 * The platform side of the sandbox: building webhook events the way LINE does, remembering the
 * tokens they carry, signing the body and POSTing it to a receiver such as the n8n trigger.
 */
import { createHmac, randomBytes, randomInt } from 'crypto';
import * as http from 'http';
import * as https from 'https';

export type WebhookEventSpec =
	| { type: 'follow'; userId?: string; isUnblocked?: boolean }
	| { type: 'unfollow'; userId?: string }
	| { type: 'message'; userId?: string; text: string; quoteToken?: string }
	| { type: 'postback'; userId?: string; data: string; params?: Record<string, string> }
	| { type: string; [k: string]: unknown };

/** Event types that carry a `replyToken` (in `active` mode). */
export const REPLYABLE_EVENT_TYPES = new Set([
	'message',
	'follow',
	'join',
	'memberJoined',
	'postback',
	'videoPlayComplete',
	'beacon',
	'accountLink',
	'membership',
]);

/** Fields every event may override through its spec (the rest of a spec is type-specific). */
const COMMON_OVERRIDES = ['timestamp', 'mode', 'webhookEventId', 'deliveryContext', 'source'];

const REPLY_TOKEN_TTL_MS = 60_000;
/** A redelivered event's reply token is refused once the event is this old. */
const REDELIVERY_REPLY_WINDOW_MS = 20 * 60_000;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 26-character ULID (48-bit millisecond time + 80 random bits), as LINE's `webhookEventId`. */
export function ulid(timeMs: number): string {
	let time = Math.max(0, Math.floor(timeMs));
	let head = '';
	for (let i = 0; i < 10; i++) {
		head = CROCKFORD[time % 32] + head;
		time = Math.floor(time / 32);
	}
	const random = randomBytes(16);
	let tail = '';
	for (let i = 0; i < 16; i++) tail += CROCKFORD[random[i] % 32];
	return head + tail;
}

export function newReplyToken(): string {
	return randomBytes(16).toString('hex');
}

/** LINE message IDs are decimal strings (18 digits nowadays). */
export function newMessageId(): string {
	const head = String(randomInt(1, 10));
	return head + String(randomInt(0, 1e9)).padStart(9, '0') + String(randomInt(0, 1e8)).padStart(8, '0');
}

export function newOpaqueToken(bytes = 30): string {
	return randomBytes(bytes).toString('base64url');
}

/** `x-line-signature`: Base64 of HMAC-SHA256 over the exact body bytes, keyed by the channel secret. */
export function signBody(body: string | Buffer, channelSecret: string): string {
	return createHmac('sha256', channelSecret).update(body).digest('base64');
}

interface ReplyTokenState {
	to: string;
	expiresAt: number;
	eventTimestamp: number;
	used: boolean;
}

interface ReadTokenState {
	userId: string;
}

/** Reply tokens (single use, 1 minute) and mark-as-read tokens (no expiry) issued in webhooks. */
export class TokenBook {
	private readonly replyTokens = new Map<string, ReplyTokenState>();
	private readonly readTokens = new Map<string, ReadTokenState>();

	issueReplyToken(token: string, to: string, now: number, eventTimestamp: number): void {
		this.replyTokens.set(token, { to, expiresAt: now + REPLY_TOKEN_TTL_MS, eventTimestamp, used: false });
	}

	/** On redelivery the token is usable for another minute unless used or the event is 20 min old. */
	refreshOnRedelivery(token: string, now: number): void {
		const state = this.replyTokens.get(token);
		if (!state || state.used) return;
		if (now - state.eventTimestamp >= REDELIVERY_REPLY_WINDOW_MS) return;
		state.expiresAt = Math.max(state.expiresAt, now + REPLY_TOKEN_TTL_MS);
	}

	/** The recipient if the token can be used now; does not consume it. */
	peekReplyToken(token: string, now: number): string | undefined {
		const state = this.replyTokens.get(token);
		if (!state || state.used || now > state.expiresAt) return undefined;
		return state.to;
	}

	consumeReplyToken(token: string): void {
		const state = this.replyTokens.get(token);
		if (state) state.used = true;
	}

	issueReadToken(token: string, userId: string): void {
		this.readTokens.set(token, { userId });
	}

	readTokenUser(token: string): string | undefined {
		return this.readTokens.get(token)?.userId;
	}

	clear(): void {
		this.replyTokens.clear();
		this.readTokens.clear();
	}
}

export interface EventContext {
	now: number;
	defaultUserId: string;
	tokens: TokenBook;
	/** Whether this user currently blocks the OA (drives the default of `follow.isUnblocked`). */
	isBlocked(userId: string): boolean;
}

/** Builds one webhook event object from a spec and records the tokens it carries. */
export function buildWebhookEvent(spec: WebhookEventSpec, ctx: EventContext): Record<string, unknown> {
	const raw = spec as Record<string, unknown>;
	const userId = typeof raw.userId === 'string' ? raw.userId : ctx.defaultUserId;
	const timestamp = typeof raw.timestamp === 'number' ? raw.timestamp : ctx.now;
	const event: Record<string, unknown> = {
		type: spec.type,
		timestamp,
		source: { type: 'user', userId },
		webhookEventId: ulid(timestamp),
		deliveryContext: { isRedelivery: false },
		mode: 'active',
	};
	for (const key of COMMON_OVERRIDES) {
		if (key in raw) event[key] = raw[key];
	}

	switch (spec.type) {
		case 'follow': {
			const isUnblocked =
				typeof raw.isUnblocked === 'boolean' ? raw.isUnblocked : ctx.isBlocked(userId);
			event.follow = { isUnblocked };
			break;
		}
		case 'unfollow':
			break;
		case 'message': {
			if (typeof raw.text === 'string') {
				const message: Record<string, unknown> = {
					id: newMessageId(),
					type: 'text',
					quoteToken: typeof raw.quoteToken === 'string' ? raw.quoteToken : newOpaqueToken(48),
					text: raw.text,
				};
				const markAsReadToken = newOpaqueToken();
				message.markAsReadToken = markAsReadToken;
				ctx.tokens.issueReadToken(markAsReadToken, userId);
				event.message = message;
			} else {
				event.message = raw.message;
			}
			break;
		}
		case 'postback': {
			const postback: Record<string, unknown> = { data: raw.data };
			if (raw.params !== undefined) postback.params = raw.params;
			event.postback = postback;
			break;
		}
		default:
			for (const [key, value] of Object.entries(raw)) {
				if (key === 'userId' || key === 'type' || COMMON_OVERRIDES.includes(key)) continue;
				event[key] = value;
			}
	}

	const sourceId = sourceChatId(event.source);
	if (event.mode === 'standby') {
		delete event.replyToken;
	} else if ('replyToken' in raw) {
		if (typeof raw.replyToken === 'string' && sourceId) {
			ctx.tokens.issueReplyToken(raw.replyToken, sourceId, ctx.now, timestamp);
		}
		if (raw.replyToken === undefined || raw.replyToken === null) delete event.replyToken;
		else event.replyToken = raw.replyToken;
	} else if (REPLYABLE_EVENT_TYPES.has(spec.type) && sourceId) {
		const token = newReplyToken();
		ctx.tokens.issueReplyToken(token, sourceId, ctx.now, timestamp);
		event.replyToken = token;
	}
	return orderEvent(event);
}

/** The chat a reply goes to: the group or room if the event came from one, else the user. */
export function sourceChatId(source: unknown): string | undefined {
	if (!source || typeof source !== 'object') return undefined;
	const s = source as Record<string, unknown>;
	const id = s.groupId ?? s.roomId ?? s.userId;
	return typeof id === 'string' ? id : undefined;
}

/** Key order close to LINE's own payloads (type first, bookkeeping last); purely cosmetic. */
function orderEvent(event: Record<string, unknown>): Record<string, unknown> {
	const tail = ['timestamp', 'source', 'replyToken', 'mode', 'webhookEventId', 'deliveryContext'];
	const ordered: Record<string, unknown> = { type: event.type };
	for (const [key, value] of Object.entries(event)) {
		if (key !== 'type' && !tail.includes(key)) ordered[key] = value;
	}
	for (const key of tail) if (key in event) ordered[key] = event[key];
	return ordered;
}

export interface WebhookPostResult {
	status: number;
	body: string;
	/** Why no HTTP status came back, in LINE's error-statistics vocabulary. */
	failure?: 'could_not_connect' | 'request_timeout' | 'unclassified';
	elapsedMs: number;
}

/** POSTs a webhook body as LINE does; never rejects (failures come back as status 0). */
export function postWebhook(
	url: string,
	body: Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
): Promise<WebhookPostResult> {
	const started = Date.now();
	return new Promise((resolve) => {
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			resolve({ status: 0, body: 'Invalid URL', failure: 'unclassified', elapsedMs: 0 });
			return;
		}
		const client = target.protocol === 'https:' ? https : http;
		let settled = false;
		const finish = (result: Omit<WebhookPostResult, 'elapsedMs'>): void => {
			if (settled) return;
			settled = true;
			resolve({ ...result, elapsedMs: Date.now() - started });
		};
		const request = client.request(
			target,
			{
				method: 'POST',
				agent: false,
				headers: { ...headers, 'content-length': String(body.length) },
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					finish({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				response.on('error', () => finish({ status: response.statusCode ?? 0, body: '' }));
			},
		);
		request.setTimeout(timeoutMs, () => {
			finish({ status: 0, body: '', failure: 'request_timeout' });
			request.destroy();
		});
		request.on('error', (error: NodeJS.ErrnoException) => {
			const refused = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET'];
			finish({
				status: 0,
				body: error.code ?? error.message,
				failure: refused.includes(error.code ?? '') ? 'could_not_connect' : 'unclassified',
			});
		});
		request.end(body);
	});
}
