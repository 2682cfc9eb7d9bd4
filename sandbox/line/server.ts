/**
 * Local LINE platform for tests, benchmarks and the demo.
 *
 * One HTTP server plays api.line.me / api-data.line.me (Messaging API, every request checked
 * against LINE's OpenAPI file plus the documented limits the file cannot express), access.line.me
 * (LINE Login, delegated to `login.ts`) and the platform itself (signed webhooks sent to a
 * receiver). Everything it accepts or sends is recorded for assertions.
 */
import { createHash, randomUUID } from 'crypto';
import * as http from 'http';
import { closeServer, listenOnLoopback } from '../loopback';
import {
	checkLoading,
	checkMessages,
	checkMulticastRecipients,
	isPushTarget,
	isRetryKey,
	USER_ID_PATTERN,
} from './checks';
import {
	DEFAULT_RATE_LIMITS,
	FaultPlan,
	RateLimiter,
	bucketFromRate,
	type BucketSpec,
	type QueuedFault,
	type RandomFaults,
} from './limits';
import { MEDIA_TYPES, MessageContentStore, type ContentAnswer, type MediaSpec, type MediaType } from './content';
import { FollowerIds, seededFollowers, type AccountType } from './followers';
import { LoginServer } from './login';
import {
	DEFAULT_LOGIN_CHANNEL,
	DEFAULT_MESSAGING_CHANNEL,
	DEFAULT_USERS,
	ManualClock,
	type LoginChannelConfig,
	type MessagingChannelConfig,
	type SandboxClock,
	type SandboxUser,
} from './model';
import { DEFAULT_MESSAGING_SPEC_PATH, OpenApiSpec, type ErrorDetail, type SpecOperation } from './openapi';
import {
	TokenBook,
	buildWebhookEvent,
	newMessageId,
	newOpaqueToken,
	postWebhook,
	signBody,
	type WebhookEventSpec,
} from './webhook';
import { relayUrl } from './toolReceiver';

export type { WebhookEventSpec } from './webhook';
export type { QueuedFault, RandomFaults } from './limits';
export type { MediaSpec, MediaType } from './content';
export type { AccountType } from './followers';

export interface LineSandboxOptions {
	messaging?: Partial<MessagingChannelConfig>;
	login?: Partial<LoginChannelConfig>;
	users?: SandboxUser[];
	clock?: SandboxClock;
	/** Requests per second per endpoint key ('push', 'multicast', 'reply', 'markAsRead', …). */
	rateLimits?: Record<string, number>;
	/** Messages per month (recipients, as LINE counts them). */
	monthlyQuota?: number;
	faults?: RandomFaults;
	/** Where LINE's `messaging-api.yml` is read from. */
	specPath?: string;
	/** Webhook URL registered at start (as if set in the console). */
	webhookEndpoint?: string;
	/** How long the platform waits for a webhook receiver; LINE gives up after 2 s. */
	webhookTimeoutMs?: number;
	/** Refuse non-HTTPS webhook URLs as LINE does (off so local receivers on http work). */
	requireHttpsWebhook?: boolean;
	/** Get follower IDs is only for verified and premium accounts (default verified). */
	accountType?: AccountType;
	/** How long a video or audio a user sends takes to prepare (default 0: ready at once). */
	contentPreparationMs?: number;
	/**
	 * Relay mode: every webhook goes to this marketing tool (its base URL), which forwards it to
	 * the URL it was meant for (see `toolReceiver.ts`).
	 */
	relayVia?: string;
}

export interface RecordedRequest {
	/** `data` for requests to the data API server (`dataUrl`, LINE's api-data.line.me). */
	host?: 'api' | 'data';
	method: string;
	path: string;
	query: Record<string, string>;
	/** Header names in lower case; repeated headers joined with ', '. */
	headers: Record<string, string>;
	/** JSON or form body parsed; undefined when empty or unparseable. */
	body: unknown;
	rawBody: string;
	/** 0 when the connection was reset by an injected fault. */
	status: number;
	response: unknown;
	requestId: string;
	operationId?: string;
	at: number;
}

export interface SentMessage {
	id: string;
	quoteToken?: string;
}

export interface Delivery {
	kind: 'push' | 'reply' | 'multicast' | 'broadcast' | 'narrowcast';
	/** Recipients as addressed by the request (all friends for broadcast / narrowcast). */
	to: string[];
	messages: unknown[];
	retryKey?: string;
	requestId: string;
	at: number;
	/** Recipients who actually get it: not blocked, and a friend (or chatted within 7 days). */
	reached: string[];
	sentMessages?: SentMessage[];
	notificationDisabled?: boolean;
}

export interface SentWebhook {
	kind: 'events' | 'verify' | 'redelivery' | 'test';
	/** The receiver meant (with a relay, the tool forwards there). */
	url: string;
	/** The marketing tool it went through in relay mode. */
	via?: string;
	payload: string;
	/** Undefined when the header was left out on purpose. */
	signature?: string;
	status: number;
	body: string;
	failure?: string;
	elapsedMs: number;
	at: number;
}

export interface SendWebhookOptions {
	/** Sign with a wrong key. */
	forgeSignature?: boolean;
	/** Exact `x-line-signature` value to send; null leaves the header out. */
	signatureHeader?: string | null;
	/** Exact bytes to send instead of the serialised events (signed as given). */
	rawBody?: string;
	destination?: string;
	/** Relay through this marketing tool (base URL) for this request; null sends directly. */
	via?: string | null;
}

export interface SendWebhookResult {
	status: number;
	body: string;
	payload: string;
	events: object[];
	signature?: string;
	failure?: string;
	elapsedMs: number;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const RETRY_KEY_TTL_MS = 24 * 3600_000;
const PUSH_WINDOW_AFTER_CHAT_MS = 7 * 24 * 3600_000;

export const LINE_ERRORS = {
	notFound: 'Not found',
	authHeaderRequired:
		"Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
	authFailed:
		'Authentication failed. Confirm that the access token in the authorization request header is valid.',
	rateLimited: 'The API rate limit has been exceeded. Try again later.',
	monthlyLimit: 'You have reached your monthly limit.',
	invalidReplyToken: 'Invalid reply token',
	invalidReadToken:
		'Invalid markAsReadToken. Tokens must be used by the bot that received them via Webhook.',
	retryKeyAccepted: 'The retry key is already accepted',
	retryKeyInvalid: "The value of the 'X-Line-Retry-Key' header is invalid",
	retryKeyNotAllowed: "The 'X-Line-Retry-Key' header cannot be used with this API",
	invalidTo: "The property, 'to', in the request body is invalid (line: -, column: -)",
	failedToSend: 'Failed to send messages',
	webhookNotFound: 'Webhook endpoint not found',
	invalidWebhookUrl: 'Invalid webhook endpoint URL',
	internal: 'Internal server error',
	unavailable: 'Service unavailable',
	forbidden: 'Access to this API is not available for your account',
	tooLarge: 'Request Entity Too Large',
	unsupportedMediaType: 'Unsupported Media Type',
	invalidJson: 'The request body could not be parsed as JSON',
} as const;

const ENDPOINT_KEYS: Record<string, string> = {
	replyMessage: 'reply',
	pushMessage: 'push',
	multicast: 'multicast',
	broadcast: 'broadcast',
	narrowcast: 'narrowcast',
	markMessagesAsReadByToken: 'markAsRead',
	showLoadingAnimation: 'loading',
	getProfile: 'profile',
	getBotInfo: 'botInfo',
	getMessageQuota: 'quota',
	getMessageQuotaConsumption: 'quotaConsumption',
	getWebhookEndpoint: 'webhookEndpointGet',
	setWebhookEndpoint: 'webhookEndpointSet',
	testWebhookEndpoint: 'webhookTest',
	getFollowers: 'followers',
};

/** Message types a sent message can later be quoted by (they get a `quoteToken`). */
const QUOTABLE_TYPES = new Set(['text', 'textV2', 'sticker', 'image', 'video']);

const LOGIN_PREFIXES = ['/oauth2/', '/friendship/', '/__sandbox/login/'];

/** Keys of a media message spec that describe the content, not the event (see `MediaSpec`). */
const MEDIA_SPEC_KEYS = new Set([
	'messageType',
	'content',
	'contentType',
	'size',
	'fileName',
	'durationMs',
	'transcodingMs',
	'transcodingFails',
	'provider',
	'originalContentUrl',
	'previewImageUrl',
	'imageSet',
	'text',
]);

interface HandlerResult {
	status: number;
	body?: unknown;
	/** Binary answer (message content); `body` is then ignored. */
	raw?: Buffer;
	headers?: Record<string, string>;
	/** Stored with an accepted retry key so a repeat can answer the same. */
	sentMessages?: SentMessage[];
}

interface RequestContext {
	operation: SpecOperation;
	pathParams: Record<string, string>;
	query: URLSearchParams;
	body: unknown;
	retryKey?: string;
	requestId: string;
	now: number;
}

/**
 * What the sandbox knows beyond `SandboxUser.isFriend`. `blocked` is set by an unfollow; it only
 * counts while the user is not a friend, because re-adding the OA (a follow event, or the add-friend
 * option during LINE Login, which only flips `isFriend`) ends the block.
 */
interface AcceptedRetryKey {
	requestId: string;
	at: number;
	sentMessages?: SentMessage[];
}

interface UserActivity {
	blocked: boolean;
	lastMessageAt?: number;
}

function error(status: number, message: string, details?: ErrorDetail[]): HandlerResult {
	return { status, body: details && details.length > 0 ? { message, details } : { message } };
}

function bodyErrors(details: ErrorDetail[]): HandlerResult {
	return error(400, `The request body has ${details.length} error(s)`, details);
}

function cloneUsers(users: SandboxUser[]): SandboxUser[] {
	return users.map((user) => ({ ...user }));
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
	if (raw.length === 0) return undefined;
	const text = raw.toString('utf8');
	if (contentType?.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(text));
	}
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function isHttpUrl(value: unknown, httpsOnly: boolean): value is string {
	if (typeof value !== 'string' || value.length === 0 || value.length > 500) return false;
	try {
		const url = new URL(value);
		return httpsOnly ? url.protocol === 'https:' : url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

function isBuiltEvent(value: unknown): value is Record<string, unknown> {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as Record<string, unknown>).webhookEventId === 'string'
	);
}

export class LineSandbox {
	readonly clock: SandboxClock;
	readonly messaging: MessagingChannelConfig;
	readonly loginChannel: LoginChannelConfig;
	users: SandboxUser[];

	readonly requests: RecordedRequest[] = [];
	readonly deliveries: Delivery[] = [];
	readonly markedRead: { token: string; userId: string; at: number }[] = [];
	readonly loadingStarted: { chatId: string; loadingSeconds: number; at: number }[] = [];
	readonly sentWebhooks: SentWebhook[] = [];
	webhookEndpoint: { endpoint: string; active: boolean } | undefined;
	/** Verified or premium accounts may read follower IDs; unverified ones get 403. */
	accountType: AccountType;
	/** Marketing tool every webhook is relayed through (undefined: sent directly). */
	relayVia: string | undefined;
	/** Media users sent, served by the data API. */
	readonly contents = new MessageContentStore();
	contentPreparationMs: number;

	private readonly followerIds = new FollowerIds();
	private readonly initialAccountType: AccountType;
	private readonly initialRelayVia: string | undefined;
	private readonly initialContentPreparationMs: number;
	private dataServer: http.Server | undefined;
	private dataPort = 0;
	private readonly spec: OpenApiSpec;
	private readonly initialUsers: SandboxUser[];
	private readonly initialQuota: number;
	private readonly initialWebhookEndpoint: { endpoint: string; active: boolean } | undefined;
	private readonly limiter: RateLimiter;
	private readonly faults: FaultPlan;
	private readonly tokens = new TokenBook();
	private readonly activity = new Map<string, UserActivity>();
	private readonly retryKeys = new Map<string, AcceptedRetryKey>();
	private readonly login: LoginServer;
	private readonly webhookTimeoutMs: number;
	private readonly requireHttpsWebhook: boolean;
	private quotaLimit: number;
	private consumption = 0;
	private server: http.Server | undefined;
	private port = 0;

	constructor(options: LineSandboxOptions = {}) {
		this.clock = options.clock ?? new ManualClock();
		this.messaging = {
			...DEFAULT_MESSAGING_CHANNEL,
			...options.messaging,
			accessTokens: [...(options.messaging?.accessTokens ?? DEFAULT_MESSAGING_CHANNEL.accessTokens)],
		};
		this.loginChannel = {
			...DEFAULT_LOGIN_CHANNEL,
			...options.login,
			callbackUrls: [...(options.login?.callbackUrls ?? DEFAULT_LOGIN_CHANNEL.callbackUrls)],
		};
		this.initialUsers = cloneUsers(options.users ?? DEFAULT_USERS);
		this.users = cloneUsers(this.initialUsers);
		this.initialQuota = options.monthlyQuota ?? 1_000_000;
		this.quotaLimit = this.initialQuota;
		this.initialWebhookEndpoint = options.webhookEndpoint
			? { endpoint: options.webhookEndpoint, active: true }
			: undefined;
		this.webhookEndpoint = this.initialWebhookEndpoint ? { ...this.initialWebhookEndpoint } : undefined;
		this.webhookTimeoutMs = options.webhookTimeoutMs ?? 2000;
		this.requireHttpsWebhook = options.requireHttpsWebhook === true;
		this.initialAccountType = options.accountType ?? 'verified';
		this.accountType = this.initialAccountType;
		this.initialRelayVia = options.relayVia;
		this.relayVia = options.relayVia;
		this.initialContentPreparationMs = options.contentPreparationMs ?? 0;
		this.contentPreparationMs = this.initialContentPreparationMs;
		this.followerIds.sync(this.users);
		this.spec = OpenApiSpec.load(options.specPath ?? DEFAULT_MESSAGING_SPEC_PATH, {
			closedDiscriminators: true,
		});
		const buckets: Record<string, BucketSpec> = { ...DEFAULT_RATE_LIMITS };
		for (const [key, perSecond] of Object.entries(options.rateLimits ?? {})) {
			buckets[key] = bucketFromRate(perSecond);
		}
		this.limiter = new RateLimiter(buckets, () => this.clock.now());
		this.faults = new FaultPlan(options.faults);
		// The Login server sees the live values, even if `users` is reassigned later.
		const live = {} as ConstructorParameters<typeof LoginServer>[0];
		Object.defineProperties(live, {
			clock: { get: () => this.clock, enumerable: true },
			loginChannel: { get: () => this.loginChannel, enumerable: true },
			users: { get: () => this.users, enumerable: true },
			messaging: { get: () => this.messaging, enumerable: true },
		});
		this.login = new LoginServer(live);
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/**
	 * The data API (LINE's `https://api-data.line.me`: message content), on its own port as LINE has
	 * its own host: this is the LINE credential's "Data API Base URL". Set once `start` resolved.
	 */
	get dataUrl(): string {
		return `http://127.0.0.1:${this.dataPort}`;
	}

	/** Starts the API server on `port` and the data API server on `dataPort` (0 = any free port). */
	async start(port = 0, dataPort = 0): Promise<number> {
		if (this.server) return this.port;
		this.dataServer = this.createServer('data');
		this.dataPort = await listenOnLoopback(this.dataServer, dataPort);
		const server = this.createServer('api');
		this.port = await listenOnLoopback(server, port);
		this.server = server;
		return this.port;
	}

	private createServer(host: 'api' | 'data'): http.Server {
		return http.createServer((req, res) => {
			this.onRequest(req, res, host).catch((failure: Error) => {
				if (!res.headersSent) {
					res.writeHead(500, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ message: `Sandbox failure: ${failure.message}` }));
				} else {
					res.destroy();
				}
			});
		});
	}

	async stop(): Promise<void> {
		const server = this.server;
		const dataServer = this.dataServer;
		this.server = undefined;
		this.dataServer = undefined;
		if (dataServer) await closeServer(dataServer);
		if (server) await closeServer(server);
	}

	setQuota(limit: number): void {
		this.quotaLimit = limit;
	}

	setConsumption(n: number): void {
		this.consumption = n;
	}

	get quota(): { limit: number; consumption: number } {
		return { limit: this.quotaLimit, consumption: this.consumption };
	}

	injectFaults(list: QueuedFault[]): void {
		this.faults.enqueue(list);
	}

	/** Back to the state right after construction: records, tokens, keys, counters, faults, users. */
	reset(): void {
		this.requests.length = 0;
		this.deliveries.length = 0;
		this.markedRead.length = 0;
		this.loadingStarted.length = 0;
		this.sentWebhooks.length = 0;
		this.tokens.clear();
		this.activity.clear();
		this.retryKeys.clear();
		this.limiter.clear();
		this.faults.clear();
		this.consumption = 0;
		this.quotaLimit = this.initialQuota;
		this.webhookEndpoint = this.initialWebhookEndpoint ? { ...this.initialWebhookEndpoint } : undefined;
		this.users.splice(0, this.users.length, ...cloneUsers(this.initialUsers));
		this.login.reset();
		this.resetPlatformExtras();
	}

	private resetPlatformExtras(): void {
		this.contents.clear();
		this.followerIds.clear();
		this.followerIds.sync(this.users);
		this.accountType = this.initialAccountType;
		this.relayVia = this.initialRelayVia;
		this.contentPreparationMs = this.initialContentPreparationMs;
	}

	/**
	 * Adds `count` friends with stable IDs (`seededUserId(seed, i)`), as an account that already has
	 * friends before the package is installed; existing users are kept. Returns the new user IDs.
	 */
	seedFollowers(count: number, seed = 'followers'): string[] {
		const added: string[] = [];
		for (const user of seededFollowers(count, seed)) {
			if (this.findUser(user.userId)) continue;
			this.users.push(user);
			this.followerIds.noteFollow(user.userId);
			added.push(user.userId);
		}
		return added;
	}

	/** The user took a media message back: its content answers 410 from now on. */
	unsendMessage(messageId: string): boolean {
		return this.contents.unsend(messageId);
	}

	// ── platform side ────────────────────────────────────────────────────────────────────────────

	/**
	 * Builds a webhook event and registers the tokens it carries (reply token, markAsReadToken), so
	 * that the Messaging API accepts them. It does not change friendship; sending the event does.
	 */
	buildEvent(spec: WebhookEventSpec): object {
		return buildWebhookEvent(this.withMediaMessage(spec), {
			now: this.clock.now(),
			defaultUserId: this.users[0]?.userId ?? 'U00000000000000000000000000000000',
			tokens: this.tokens,
			isBlocked: (userId) => this.isBlocking(userId),
		});
	}

	/**
	 * A message spec with `messageType` image, video, audio or file (see `MediaSpec`) gets its
	 * `message` object here, its content stored for the data API and a markAsReadToken.
	 */
	private withMediaMessage(spec: WebhookEventSpec): WebhookEventSpec {
		const raw = spec as Record<string, unknown>;
		if (spec.type !== 'message' || !MEDIA_TYPES.includes(raw.messageType as MediaType)) return spec;
		const message = this.contents.create(raw as unknown as MediaSpec, this.clock.now(), this.contentPreparationMs);
		const userId = typeof raw.userId === 'string' ? raw.userId : (this.users[0]?.userId ?? '');
		const markAsReadToken = newOpaqueToken();
		this.tokens.issueReadToken(markAsReadToken, userId);
		message.markAsReadToken = markAsReadToken;
		// Keep the event-level keys the spec has (timestamp, replyToken, mode, …), drop the media ones.
		const event: Record<string, unknown> = Object.fromEntries(
			Object.entries(raw).filter(([key]) => !MEDIA_SPEC_KEYS.has(key)),
		);
		event.message = message;
		return event as WebhookEventSpec;
	}

	/** Sends events (specs or objects from `buildEvent`) as one signed webhook request. */
	async sendWebhook(
		url: string,
		events: WebhookEventSpec | WebhookEventSpec[] | object | object[],
		opts: SendWebhookOptions = {},
	): Promise<SendWebhookResult> {
		const target = this.resolveTarget(url);
		let payload: string;
		let sentEvents: object[];
		if (opts.rawBody !== undefined) {
			payload = opts.rawBody;
			sentEvents = eventsOf(opts.rawBody);
		} else {
			const list = (Array.isArray(events) ? events : [events]) as unknown[];
			sentEvents = list.map((item) =>
				isBuiltEvent(item) ? item : this.buildEvent(item as WebhookEventSpec),
			);
			payload = JSON.stringify({
				destination: opts.destination ?? this.messaging.botUserId,
				events: sentEvents,
			});
		}
		for (const event of sentEvents) this.applyUserAction(event as Record<string, unknown>);
		const sent = await this.deliverWebhook('events', target, payload, opts);
		return {
			status: sent.status,
			body: sent.body,
			payload,
			events: sentEvents,
			signature: sent.signature,
			failure: sent.failure,
			elapsedMs: sent.elapsedMs,
		};
	}

	/** The console's Verify button: a signed `{"destination":…,"events":[]}`. */
	async sendVerify(url: string, via?: string | null): Promise<{ status: number; body: string }> {
		const sent = await this.deliverWebhook('verify', this.resolveTarget(url), this.verifyPayload(), { via });
		return { status: sent.status, body: sent.body };
	}

	/** Redelivers an earlier event: identical except `deliveryContext.isRedelivery: true`. */
	async redeliver(url: string, earlierEvent: object): Promise<{ status: number; body: string }> {
		const event: Record<string, unknown> = {
			...(earlierEvent as Record<string, unknown>),
			deliveryContext: { isRedelivery: true },
		};
		if (typeof event.replyToken === 'string') {
			this.tokens.refreshOnRedelivery(event.replyToken, this.clock.now());
		}
		const payload = JSON.stringify({ destination: this.messaging.botUserId, events: [event] });
		const sent = await this.deliverWebhook('redelivery', this.resolveTarget(url), payload, {});
		return { status: sent.status, body: sent.body };
	}

	private verifyPayload(): string {
		return JSON.stringify({ destination: this.messaging.botUserId, events: [] });
	}

	private resolveTarget(url: string | undefined): string {
		const target = url || this.webhookEndpoint?.endpoint;
		if (!target) throw new Error('No webhook URL given and none registered');
		return target;
	}

	private async deliverWebhook(
		kind: SentWebhook['kind'],
		url: string,
		payload: string,
		opts: SendWebhookOptions,
	): Promise<SentWebhook> {
		let signature: string | undefined;
		if (opts.signatureHeader === null) signature = undefined;
		else if (typeof opts.signatureHeader === 'string') signature = opts.signatureHeader;
		else if (opts.forgeSignature) signature = signBody(payload, `forged-${this.messaging.channelSecret}`);
		else signature = signBody(payload, this.messaging.channelSecret);
		const headers: Record<string, string> = {
			'content-type': 'application/json; charset=utf-8',
			'user-agent': 'LineBotWebhook/2.0',
		};
		if (signature !== undefined) headers['x-line-signature'] = signature;
		const at = this.clock.now();
		const via = opts.via === null ? undefined : (opts.via ?? this.relayVia);
		const target = via ? relayUrl(via, url) : url;
		const result = await postWebhook(target, Buffer.from(payload, 'utf8'), headers, this.webhookTimeoutMs);
		const record: SentWebhook = {
			kind,
			url,
			via,
			payload,
			signature,
			status: result.status,
			body: result.body,
			failure: result.failure,
			elapsedMs: result.elapsedMs,
			at,
		};
		this.sentWebhooks.push(record);
		return record;
	}

	/** What the user did to cause the event: follow, block, or write to the OA. */
	private applyUserAction(event: Record<string, unknown>): void {
		const source = event.source as Record<string, unknown> | undefined;
		if (!source || source.type !== 'user' || typeof source.userId !== 'string') return;
		const userId = source.userId;
		if (!['follow', 'unfollow', 'message'].includes(String(event.type))) return;
		const user = this.ensureUser(userId);
		const activity = this.activityOf(userId);
		if (event.type === 'follow') {
			user.isFriend = true;
			activity.blocked = false;
			this.followerIds.noteFollow(userId);
		} else if (event.type === 'unfollow') {
			user.isFriend = false;
			activity.blocked = true;
		} else {
			activity.lastMessageAt = typeof event.timestamp === 'number' ? event.timestamp : this.clock.now();
		}
	}

	private ensureUser(userId: string): SandboxUser {
		let user = this.findUser(userId);
		if (!user) {
			user = { userId, displayName: `LINE User ${userId.slice(-4)}`, isFriend: false };
			this.users.push(user);
		}
		return user;
	}

	private findUser(userId: string): SandboxUser | undefined {
		return this.users.find((user) => user.userId === userId);
	}

	private activityOf(userId: string): UserActivity {
		let activity = this.activity.get(userId);
		if (!activity) {
			activity = { blocked: false };
			this.activity.set(userId, activity);
		}
		return activity;
	}

	/** Whether the user currently blocks the OA. */
	private isBlocking(userId: string): boolean {
		const user = this.findUser(userId);
		return !user?.isFriend && this.activityOf(userId).blocked;
	}

	/** Whether a message pushed to this chat actually arrives (../shared/docs/line-platform.md §3.1). */
	private receives(chatId: string, now: number): boolean {
		if (!USER_ID_PATTERN.test(chatId)) return true; // groups and rooms the OA is in
		const user = this.findUser(chatId);
		if (!user) return false;
		if (user.isFriend) return true;
		const activity = this.activityOf(chatId);
		if (activity.blocked) return false;
		return activity.lastMessageAt !== undefined && now - activity.lastMessageAt <= PUSH_WINDOW_AFTER_CHAT_MS;
	}

	// ── HTTP ─────────────────────────────────────────────────────────────────────────────────────

	private async onRequest(req: http.IncomingMessage, res: http.ServerResponse, host: 'api' | 'data'): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = url.pathname;
		const rawBody = await readBody(req);
		const requestId = randomUUID();
		res.setHeader('x-line-request-id', requestId);

		if (host === 'api' && path.startsWith('/__sandbox/') && !path.startsWith('/__sandbox/login/')) {
			await this.handleAdmin(req, res, path, rawBody);
			return;
		}

		const headers = flattenHeaders(req.headers);
		const record: RecordedRequest = {
			host,
			method: req.method ?? 'GET',
			path,
			query: Object.fromEntries(url.searchParams),
			headers,
			body: parseBody(rawBody, headers['content-type']),
			rawBody: rawBody.toString('utf8'),
			status: 0,
			response: undefined,
			requestId,
			at: this.clock.now(),
		};
		this.requests.push(record);

		const fault = this.faults.next(path);
		if (fault) {
			if (fault.delayMs > 0) await sleep(fault.delayMs);
			if (fault.reset) {
				record.response = 'connection reset (injected)';
				req.socket.destroy();
				return;
			}
			if (fault.status) {
				const message =
					fault.status === 404
						? LINE_ERRORS.notFound
						: fault.status === 429
							? LINE_ERRORS.rateLimited
							: fault.status === 503
								? LINE_ERRORS.unavailable
								: LINE_ERRORS.internal;
				this.respond(res, record, { status: fault.status, body: { message } });
				return;
			}
		}

		if (host === 'api' && this.isLoginPath(path)) {
			this.captureResponse(res, record);
			if (await this.login.handle(req, res, url, rawBody)) return;
			if (res.headersSent || res.writableEnded) return;
		}

		if (rawBody.length > MAX_BODY_BYTES) {
			this.respond(res, record, error(413, LINE_ERRORS.tooLarge));
			return;
		}
		const result = await this.handleMessaging(req, url, rawBody, headers, record, requestId, host);
		this.respond(res, record, result);
	}

	private isLoginPath(path: string): boolean {
		return (
			LOGIN_PREFIXES.some((prefix) => path.startsWith(prefix)) ||
			path === '/v2/profile' ||
			path.startsWith('/v2/profile/')
		);
	}

	private respond(res: http.ServerResponse, record: RecordedRequest, result: HandlerResult): void {
		if (result.raw !== undefined) {
			record.status = result.status;
			record.response = { bytes: result.raw.length, contentType: result.headers?.['content-type'] };
			res.writeHead(result.status, { 'content-length': String(result.raw.length), ...result.headers });
			res.end(result.raw);
			return;
		}
		const body = result.body === undefined ? {} : result.body;
		const text = JSON.stringify(body);
		record.status = result.status;
		record.response = body;
		res.writeHead(result.status, {
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(text)),
			...result.headers,
		});
		res.end(text);
	}

	/** Records what another handler (the Login server) writes. */
	private captureResponse(res: http.ServerResponse, record: RecordedRequest): void {
		const chunks: Buffer[] = [];
		const write = res.write.bind(res) as (...args: unknown[]) => boolean;
		const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
		const keep = (chunk: unknown): void => {
			if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
			else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
		};
		(res as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
			keep(args[0]);
			return write(...args);
		};
		(res as unknown as { end: (...args: unknown[]) => http.ServerResponse }).end = (
			...args: unknown[]
		) => {
			if (typeof args[0] !== 'function') keep(args[0]);
			return end(...args);
		};
		res.on('finish', () => {
			record.status = res.statusCode;
			const text = Buffer.concat(chunks).toString('utf8');
			try {
				record.response = JSON.parse(text);
			} catch {
				record.response = text;
			}
		});
	}

	private async handleMessaging(
		req: http.IncomingMessage,
		url: URL,
		rawBody: Buffer,
		headers: Record<string, string>,
		record: RecordedRequest,
		requestId: string,
		host: 'api' | 'data',
	): Promise<HandlerResult> {
		const match = this.spec.match(req.method ?? 'GET', url.pathname);
		if (match.kind === 'notFound') return error(404, LINE_ERRORS.notFound);
		const { operation, pathParams } = match;
		// api.line.me and api-data.line.me each serve only their own operations.
		if (operation.host !== host) return error(404, LINE_ERRORS.notFound);
		record.operationId = operation.operationId;

		const authorization = headers.authorization;
		const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
		if (!bearer) return error(401, LINE_ERRORS.authHeaderRequired);
		if (!this.messaging.accessTokens.includes(bearer[1])) return error(401, LINE_ERRORS.authFailed);

		const endpointKey = ENDPOINT_KEYS[operation.operationId] ?? operation.operationId;
		if (!this.limiter.take(endpointKey)) return error(429, LINE_ERRORS.rateLimited);

		const retryKey = headers['x-line-retry-key'];
		if (retryKey !== undefined) {
			const allowed = operation.parameters.some(
				(p) => p.in === 'header' && p.name.toLowerCase() === 'x-line-retry-key',
			);
			if (!allowed) return error(400, LINE_ERRORS.retryKeyNotAllowed);
			if (!isRetryKey(retryKey)) return error(400, LINE_ERRORS.retryKeyInvalid);
		}

		for (const param of operation.parameters) {
			if (param.in === 'query' && param.required && !url.searchParams.has(param.name)) {
				return bodyErrorsFor(param.name);
			}
		}

		let body: unknown;
		if (operation.bodySchema && operation.bodyContentType === 'application/json') {
			if (rawBody.length === 0) {
				if (operation.bodyRequired) return error(400, LINE_ERRORS.invalidJson);
			} else {
				if (!(headers['content-type'] ?? '').toLowerCase().includes('application/json')) {
					return error(415, LINE_ERRORS.unsupportedMediaType);
				}
				try {
					body = JSON.parse(rawBody.toString('utf8'));
				} catch {
					return error(400, LINE_ERRORS.invalidJson);
				}
				const details = this.spec.validate(operation.bodySchema, body);
				if (details.length > 0) return bodyErrors(details);
				const extra = this.extraBodyChecks(operation.operationId, body as Record<string, unknown>);
				if (extra.length > 0) return bodyErrors(extra);
			}
		}

		const now = this.clock.now();
		if (retryKey !== undefined) {
			const prior = this.retryKeys.get(retryKey.toLowerCase());
			if (prior && now - prior.at < RETRY_KEY_TTL_MS) {
				const conflict: Record<string, unknown> = { message: LINE_ERRORS.retryKeyAccepted };
				if (operation.operationId === 'pushMessage' && prior.sentMessages) {
					conflict.sentMessages = prior.sentMessages;
				}
				return {
					status: 409,
					body: conflict,
					headers: { 'x-line-accepted-request-id': prior.requestId },
				};
			}
		}

		const ctx: RequestContext = {
			operation,
			pathParams,
			query: url.searchParams,
			body,
			retryKey,
			requestId,
			now,
		};
		const result = await this.dispatch(ctx);
		if (retryKey !== undefined && result.status >= 200 && result.status < 300) {
			this.retryKeys.set(retryKey.toLowerCase(), {
				requestId,
				at: now,
				sentMessages: result.sentMessages,
			});
		}
		return result;
	}

	private extraBodyChecks(operationId: string, body: Record<string, unknown>): ErrorDetail[] {
		const details = checkMessages(body.messages);
		if (operationId === 'multicast') details.push(...checkMulticastRecipients(body.to));
		return details;
	}

	private dispatch(ctx: RequestContext): HandlerResult | Promise<HandlerResult> {
		const body = (ctx.body ?? {}) as Record<string, unknown>;
		switch (ctx.operation.operationId) {
			case 'getBotInfo':
				return {
					status: 200,
					body: {
						userId: this.messaging.botUserId,
						basicId: this.messaging.basicId,
						displayName: this.messaging.displayName,
						chatMode: this.messaging.chatMode,
						markAsReadMode: this.messaging.markAsReadMode,
					},
				};
			case 'getWebhookEndpoint':
				if (!this.webhookEndpoint) return error(404, LINE_ERRORS.webhookNotFound);
				return { status: 200, body: { ...this.webhookEndpoint } };
			case 'setWebhookEndpoint':
				if (!isHttpUrl(body.endpoint, this.requireHttpsWebhook)) {
					return error(400, LINE_ERRORS.invalidWebhookUrl);
				}
				this.webhookEndpoint = {
					endpoint: body.endpoint,
					active: this.webhookEndpoint?.active ?? true,
				};
				return { status: 200, body: {} };
			case 'testWebhookEndpoint':
				return this.testWebhook(body.endpoint);
			case 'replyMessage':
				return this.reply(ctx, body);
			case 'pushMessage':
				return this.push(ctx, body);
			case 'multicast':
				return this.multicast(ctx, body);
			case 'broadcast':
			case 'narrowcast':
				return this.toAllFriends(ctx, body, ctx.operation.operationId);
			case 'markMessagesAsReadByToken':
				return this.markAsRead(ctx, body);
			case 'showLoadingAnimation':
				return this.showLoading(ctx, body);
			case 'getProfile':
				return this.profile(ctx);
			case 'getFollowers':
				return this.followers(ctx);
			case 'getMessageContent':
				return contentResult(this.contents.content(ctx.pathParams.messageId, ctx.now));
			case 'getMessageContentPreview':
				return contentResult(this.contents.preview(ctx.pathParams.messageId));
			case 'getMessageContentTranscodingByMessageId':
				return contentResult(this.contents.transcoding(ctx.pathParams.messageId, ctx.now));
			case 'getMessageQuota':
				return { status: 200, body: { type: 'limited', value: this.quotaLimit } };
			case 'getMessageQuotaConsumption':
				return { status: 200, body: { totalUsage: this.consumption } };
			case 'validateReply':
			case 'validatePush':
			case 'validateMulticast':
			case 'validateNarrowcast':
			case 'validateBroadcast':
				return { status: 200, body: {} };
			case 'markMessagesAsRead':
				// The user-ID variant is for corporate partners that applied for it.
				return error(403, LINE_ERRORS.forbidden);
			default:
				return error(501, `The LINE sandbox does not simulate ${ctx.operation.operationId}`);
		}
	}

	private sentMessagesFor(messages: unknown[]): SentMessage[] {
		return messages.map((message) => {
			const type = (message as Record<string, unknown>).type;
			const sent: SentMessage = { id: newMessageId() };
			if (typeof type === 'string' && QUOTABLE_TYPES.has(type)) sent.quoteToken = newOpaqueToken(48);
			return sent;
		});
	}

	/** Reserves quota for `count` messages; false when the month's limit would be exceeded. */
	private charge(count: number): boolean {
		if (this.consumption + count > this.quotaLimit) return false;
		this.consumption += count;
		return true;
	}

	private reply(ctx: RequestContext, body: Record<string, unknown>): HandlerResult {
		const token = String(body.replyToken);
		const to = this.tokens.peekReplyToken(token, ctx.now);
		if (!to) return error(400, LINE_ERRORS.invalidReplyToken);
		this.tokens.consumeReplyToken(token);
		const messages = body.messages as unknown[];
		const sentMessages = this.sentMessagesFor(messages);
		this.deliveries.push({
			kind: 'reply',
			to: [to],
			messages,
			requestId: ctx.requestId,
			at: ctx.now,
			reached: this.receivesReply(to) ? [to] : [],
			sentMessages,
			notificationDisabled: body.notificationDisabled === true ? true : undefined,
		});
		return { status: 200, body: { sentMessages }, sentMessages };
	}

	private receivesReply(chatId: string): boolean {
		if (!USER_ID_PATTERN.test(chatId)) return true;
		return !this.isBlocking(chatId);
	}

	private push(ctx: RequestContext, body: Record<string, unknown>): HandlerResult {
		const to = body.to;
		if (!isPushTarget(to)) return error(400, LINE_ERRORS.invalidTo);
		if (USER_ID_PATTERN.test(to) && !this.findUser(to)) return error(400, LINE_ERRORS.failedToSend);
		const reached = this.receives(to, ctx.now) ? [to] : [];
		if (!this.charge(reached.length)) return error(429, LINE_ERRORS.monthlyLimit);
		const messages = body.messages as unknown[];
		const sentMessages = this.sentMessagesFor(messages);
		this.deliveries.push({
			kind: 'push',
			to: [to],
			messages,
			retryKey: ctx.retryKey,
			requestId: ctx.requestId,
			at: ctx.now,
			reached,
			sentMessages,
			notificationDisabled: body.notificationDisabled === true ? true : undefined,
		});
		return { status: 200, body: { sentMessages }, sentMessages };
	}

	private multicast(ctx: RequestContext, body: Record<string, unknown>): HandlerResult {
		const to = body.to as string[];
		const reached = [...new Set(to)].filter((id) => this.receives(id, ctx.now));
		if (!this.charge(reached.length)) return error(429, LINE_ERRORS.monthlyLimit);
		this.deliveries.push({
			kind: 'multicast',
			to: [...to],
			messages: body.messages as unknown[],
			retryKey: ctx.retryKey,
			requestId: ctx.requestId,
			at: ctx.now,
			reached,
			notificationDisabled: body.notificationDisabled === true ? true : undefined,
		});
		return { status: 200, body: {} };
	}

	/** Broadcast, and narrowcast treated as a broadcast (audience and demographic filters are not simulated). */
	private toAllFriends(
		ctx: RequestContext,
		body: Record<string, unknown>,
		kind: 'broadcast' | 'narrowcast',
	): HandlerResult {
		const friends = this.users.filter((user) => user.isFriend).map((user) => user.userId);
		if (!this.charge(friends.length)) return error(429, LINE_ERRORS.monthlyLimit);
		this.deliveries.push({
			kind,
			to: friends,
			messages: body.messages as unknown[],
			retryKey: ctx.retryKey,
			requestId: ctx.requestId,
			at: ctx.now,
			reached: [...friends],
			notificationDisabled: body.notificationDisabled === true ? true : undefined,
		});
		return { status: kind === 'narrowcast' ? 202 : 200, body: {} };
	}

	private markAsRead(ctx: RequestContext, body: Record<string, unknown>): HandlerResult {
		const token = String(body.markAsReadToken);
		const userId = this.tokens.readTokenUser(token);
		if (!userId) return error(400, LINE_ERRORS.invalidReadToken);
		this.markedRead.push({ token, userId, at: ctx.now });
		return { status: 200, body: {} };
	}

	private showLoading(ctx: RequestContext, body: Record<string, unknown>): HandlerResult {
		const problem = checkLoading(body);
		if (problem) return error(400, problem.message, problem.details);
		const loadingSeconds = typeof body.loadingSeconds === 'number' ? body.loadingSeconds : 20;
		this.loadingStarted.push({ chatId: String(body.chatId), loadingSeconds, at: ctx.now });
		return { status: 202, body: {} };
	}

	private profile(ctx: RequestContext): HandlerResult {
		const userId = ctx.pathParams.userId;
		const user = this.findUser(userId);
		if (!user) return error(404, LINE_ERRORS.notFound);
		const activity = this.activityOf(userId);
		// Friends, and non-friends who wrote to the OA; never users who block it.
		if (!user.isFriend && (activity.blocked || activity.lastMessageAt === undefined)) {
			return error(404, LINE_ERRORS.notFound);
		}
		const profile: Record<string, unknown> = { displayName: user.displayName, userId: user.userId };
		if (user.pictureUrl) profile.pictureUrl = user.pictureUrl;
		if (user.statusMessage) profile.statusMessage = user.statusMessage;
		if (user.language) profile.language = user.language;
		return { status: 200, body: profile };
	}

	private followers(ctx: RequestContext): HandlerResult {
		const page = this.followerIds.page(this.users, this.accountType, ctx.query, ctx.now, (id) => this.isBlocking(id));
		if (!page.ok) return error(page.status, page.message, page.details);
		return { status: 200, body: page.next === undefined ? { userIds: page.userIds } : { userIds: page.userIds, next: page.next } };
	}

	private async testWebhook(endpoint: unknown): Promise<HandlerResult> {
		let target: string;
		if (endpoint !== undefined) {
			if (!isHttpUrl(endpoint, this.requireHttpsWebhook)) return error(400, LINE_ERRORS.invalidWebhookUrl);
			target = endpoint;
		} else {
			if (!this.webhookEndpoint) return error(404, LINE_ERRORS.webhookNotFound);
			target = this.webhookEndpoint.endpoint;
		}
		const timestamp = new Date(this.clock.now()).toISOString();
		const sent = await this.deliverWebhook('test', target, this.verifyPayload(), {});
		const ok = sent.status >= 200 && sent.status < 300;
		let reason: string;
		let detail: string;
		if (ok) {
			reason = 'OK';
			detail = String(sent.status);
		} else if (sent.status > 0) {
			reason = 'ERROR_STATUS_CODE';
			detail = `${sent.status} ${http.STATUS_CODES[sent.status] ?? ''}`.trim();
		} else {
			reason = (sent.failure ?? 'unclassified').toUpperCase();
			detail = sent.body || reason;
		}
		return { status: 200, body: { success: ok, timestamp, statusCode: sent.status, reason, detail } };
	}

	// ── admin API for other processes ────────────────────────────────────────────────────────────

	/** State and controls under `/__sandbox/` (no auth; for the e2e harness and the demo). */
	private async handleAdmin(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		path: string,
		rawBody: Buffer,
	): Promise<void> {
		const send = (status: number, body: unknown): void => {
			const text = JSON.stringify(body ?? {});
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(text);
		};
		let input: Record<string, unknown> | unknown[] = {};
		if (rawBody.length > 0) {
			try {
				input = JSON.parse(rawBody.toString('utf8'));
			} catch {
				send(400, { message: LINE_ERRORS.invalidJson });
				return;
			}
		}
		const obj = (Array.isArray(input) ? {} : input) as Record<string, unknown>;
		const route = `${req.method} ${path}`;
		try {
			switch (route) {
				case 'GET /__sandbox/state':
					send(200, this.state());
					return;
				case 'GET /__sandbox/requests':
					send(200, this.requests);
					return;
				case 'GET /__sandbox/webhooks':
					send(200, this.sentWebhooks);
					return;
				case 'POST /__sandbox/reset':
					this.reset();
					send(200, { ok: true });
					return;
				case 'POST /__sandbox/webhook': {
					const result = await this.sendWebhook(
						String(obj.url ?? ''),
						(obj.events ?? []) as WebhookEventSpec[],
						{
							forgeSignature: obj.forgeSignature === true,
							signatureHeader: obj.signatureHeader as string | null | undefined,
							rawBody: obj.rawBody as string | undefined,
							destination: obj.destination as string | undefined,
							via: obj.via as string | null | undefined,
						},
					);
					send(200, result);
					return;
				}
				case 'POST /__sandbox/verify':
					send(200, await this.sendVerify(String(obj.url ?? ''), obj.via as string | null | undefined));
					return;
				case 'POST /__sandbox/redeliver':
					send(200, await this.redeliver(String(obj.url ?? ''), obj.event as object));
					return;
				case 'POST /__sandbox/faults':
					this.injectFaults((Array.isArray(input) ? input : [input]) as QueuedFault[]);
					send(200, { pending: this.faults.pending });
					return;
				case 'POST /__sandbox/quota':
					if (typeof obj.limit === 'number') this.setQuota(obj.limit);
					if (typeof obj.consumption === 'number') this.setConsumption(obj.consumption);
					send(200, this.quota);
					return;
				case 'POST /__sandbox/users':
					for (const user of (Array.isArray(input) ? input : [input]) as SandboxUser[]) {
						const existing = this.findUser(user.userId);
						if (existing) Object.assign(existing, user);
						else this.users.push({ ...user });
					}
					send(200, { users: this.users });
					return;
				case 'POST /__sandbox/followers': {
					const count = Number(obj.count);
					if (!Number.isInteger(count) || count < 0) throw new Error('Needs {count} (a whole number)');
					const added = this.seedFollowers(count, typeof obj.seed === 'string' ? obj.seed : undefined);
					send(200, { added: added.length, friends: this.users.filter((u) => u.isFriend).length });
					return;
				}
				case 'POST /__sandbox/settings':
					send(200, this.applySettings(obj));
					return;
				case 'GET /__sandbox/contents':
					send(200, this.contentSummaries());
					return;
				case 'POST /__sandbox/unsend':
					send(this.unsendMessage(String(obj.messageId)) ? 200 : 404, { messageId: obj.messageId });
					return;
				case 'POST /__sandbox/clock': {
					const clock = this.clock as Partial<ManualClock>;
					if (typeof clock.advance !== 'function' || typeof obj.advanceMs !== 'number') {
						send(400, { message: 'Needs {advanceMs} and a sandbox clock that can advance' });
						return;
					}
					clock.advance(obj.advanceMs);
					send(200, { now: this.clock.now() });
					return;
				}
				default:
					send(404, { message: LINE_ERRORS.notFound });
			}
		} catch (failure) {
			send(400, { message: (failure as Error).message });
		}
	}

	/** Platform settings another process may change: account type, preparation time, relay. */
	private applySettings(input: Record<string, unknown>): Record<string, unknown> {
		if (input.accountType !== undefined) {
			if (!['unverified', 'verified', 'premium'].includes(String(input.accountType))) {
				throw new Error('accountType must be unverified, verified or premium');
			}
			this.accountType = input.accountType as AccountType;
		}
		if (input.contentPreparationMs !== undefined) {
			if (typeof input.contentPreparationMs !== 'number' || input.contentPreparationMs < 0) {
				throw new Error('contentPreparationMs must be a number ≥ 0');
			}
			this.contentPreparationMs = input.contentPreparationMs;
		}
		if (input.relayVia !== undefined) {
			if (input.relayVia !== null && typeof input.relayVia !== 'string') throw new Error('relayVia must be a URL or null');
			this.relayVia = input.relayVia ?? undefined;
		}
		return { accountType: this.accountType, contentPreparationMs: this.contentPreparationMs, relayVia: this.relayVia ?? null };
	}

	private contentSummaries(): Record<string, unknown>[] {
		return this.contents.list().map((c) => ({
			messageId: c.messageId,
			type: c.type,
			contentType: c.contentType,
			size: c.bytes.length,
			sha256: createHash('sha256').update(c.bytes).digest('hex'),
			fileName: c.fileName,
			provider: c.provider,
			readyAt: c.readyAt,
			failed: c.failed,
			gone: c.gone,
		}));
	}

	state(): Record<string, unknown> {
		return {
			url: this.url,
			dataUrl: this.dataUrl,
			accountType: this.accountType,
			relayVia: this.relayVia ?? null,
			contentPreparationMs: this.contentPreparationMs,
			messaging: this.messaging,
			loginChannel: this.loginChannel,
			users: this.users,
			deliveries: this.deliveries,
			markedRead: this.markedRead,
			loadingStarted: this.loadingStarted,
			webhookEndpoint: this.webhookEndpoint ?? null,
			sentWebhooks: this.sentWebhooks,
			quota: this.quota,
			pendingFaults: this.faults.pending,
			now: this.clock.now(),
		};
	}
}

function contentResult(answer: ContentAnswer): HandlerResult {
	if (answer.status === 202) return { status: 202, raw: Buffer.alloc(0) };
	if ('bytes' in answer) {
		return { status: 200, raw: answer.bytes, headers: { 'content-type': answer.contentType } };
	}
	return { status: answer.status, body: answer.json };
}

function bodyErrorsFor(parameter: string): HandlerResult {
	return error(400, 'The request has 1 error(s)', [{ message: 'must be specified', property: parameter }]);
}

function eventsOf(rawBody: string): object[] {
	try {
		const parsed = JSON.parse(rawBody) as { events?: unknown };
		return Array.isArray(parsed.events) ? (parsed.events as object[]) : [];
	} catch {
		return [];
	}
}


