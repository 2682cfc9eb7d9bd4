/**
 * LINE Login v2.1 side of the sandbox (../shared/docs/line-platform.md §5): the browser-facing
 * authorize page with a simulated consent (and optional friend-add), the token endpoint
 * (single-use codes valid 10 minutes, bound to client, redirect_uri and PKCE challenge), ID token
 * and access token verification, profile and friendship status. ID tokens are HS256 with the
 * Login channel secret.
 *
 * This file deliberately shares no code with `core/login`: it is the other side of the wire, so
 * a mistake in the package's own verification cannot be mirrored here and go unnoticed.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type * as http from 'http';

import type {
	LoginChannelConfig,
	MessagingChannelConfig,
	SandboxClock,
	SandboxUser,
} from './model';

export interface LoginServerContext {
	clock: SandboxClock;
	loginChannel: LoginChannelConfig;
	users: SandboxUser[];
	messaging: MessagingChannelConfig;
}

/** What the simulated user does on the next authorize request (it stays until changed). */
export interface ConsentPlan {
	userId: string;
	/**
	 * `autoLoginFailure` mimics LINE's failed auto-login: a redirect with an invalid code and a
	 * state that does not match the one sent.
	 */
	decision: 'approve' | 'deny' | 'autoLoginFailure';
	/** Whether the user accepts the add-friend option when LINE shows it. */
	addFriend: boolean;
}

export interface IssuedCode {
	code: string;
	clientId: string;
	redirectUri: string;
	userId: string;
	scopes: string[];
	nonce?: string;
	codeChallenge?: string;
	issuedAt: number;
	expiresAt: number;
	/** Set by the first redemption attempt, successful or not. */
	usedAt?: number;
	friendshipStatusChanged?: boolean;
	/** Access tokens issued with this code (revoked if the code is replayed). */
	accessTokens: string[];
}

export interface AuthorizeRecord {
	at: number;
	query: Record<string, string>;
	status: number;
	location?: string;
	/** Why LINE would show an error page or redirect with an error. */
	error?: string;
}

/** Token requests as the sandbox saw them; the client secret and the verifier are never kept. */
export interface TokenRequestRecord {
	at: number;
	grantType?: string;
	code?: string;
	clientId?: string;
	redirectUri?: string;
	clientSecretMatched: boolean;
	codeVerifierSent: boolean;
	status: number;
	error?: string;
	errorDescription?: string;
}

interface AccessTokenRecord {
	token: string;
	userId: string;
	clientId: string;
	scopes: string[];
	expiresAt: number;
	revoked: boolean;
}

export interface IdTokenForgeInput {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	/** The Login channel secret, to sign correctly after changing the payload. */
	channelSecret: string;
	/** Signs `header` and `payload` as HS256 with `key`. */
	sign: (header: Record<string, unknown>, payload: Record<string, unknown>, key: string) => string;
}

export const ID_TOKEN_ISSUER = 'https://access.line.me';
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const ACCESS_TOKEN_LIFETIME_S = 30 * 24 * 60 * 60;
export const ID_TOKEN_LIFETIME_S = 60 * 60;
const KNOWN_SCOPES = new Set(['openid', 'profile', 'email']);
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;
const CODE_CHALLENGE_FORMAT = /^[A-Za-z0-9_-]{43}$/;
const CODE_VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;
const DENIED_DESCRIPTION = 'The resource owner denied the request.';

function base64Url(bytes: Buffer): string {
	return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken(bytes: number): string {
	return base64Url(randomBytes(bytes));
}

export function signHs256(
	header: Record<string, unknown>,
	payload: Record<string, unknown>,
	key: string,
): string {
	const encode = (value: unknown) => base64Url(Buffer.from(JSON.stringify(value), 'utf8'));
	const signingInput = `${encode(header)}.${encode(payload)}`;
	return `${signingInput}.${base64Url(createHmac('sha256', key).update(signingInput).digest())}`;
}

function sameSecret(a: string, b: string): boolean {
	const left = createHash('sha256').update(a).digest();
	const right = createHash('sha256').update(b).digest();
	return timingSafeEqual(left, right);
}

/** Query or form fields as single values; a repeated field is reported, not resolved. */
function singleValues(params: URLSearchParams): {
	values: Record<string, string>;
	repeated?: string;
} {
	const values: Record<string, string> = {};
	for (const key of new Set(params.keys())) {
		const all = params.getAll(key);
		if (all.length > 1) return { values, repeated: key };
		values[key] = all[0];
	}
	return { values };
}

function defaultConsent(users: SandboxUser[]): ConsentPlan {
	return { userId: users[0]?.userId ?? '', decision: 'approve', addFriend: true };
}

export class LoginServer {
	nextConsent: ConsentPlan;

	/** Users with a role on the channel; the only ones who may log in while it is unpublished. */
	readonly developers = new Set<string>();

	/** HTTP status for `invalid_client` at the token endpoint (LINE does not document it). */
	invalidClientStatus: 400 | 401 = 400;

	private readonly codes = new Map<string, IssuedCode>();
	private readonly accessTokens = new Map<string, AccessTokenRecord>();
	private readonly authorizeLog: AuthorizeRecord[] = [];
	private readonly tokenLog: TokenRequestRecord[] = [];
	private idTokenForger?: (input: IdTokenForgeInput) => string;

	constructor(readonly ctx: LoginServerContext) {
		this.nextConsent = defaultConsent(ctx.users);
	}

	get issuedCodes(): readonly IssuedCode[] {
		return [...this.codes.values()];
	}

	get tokenRequests(): readonly TokenRequestRecord[] {
		return this.tokenLog;
	}

	get authorizeRequests(): readonly AuthorizeRecord[] {
		return this.authorizeLog;
	}

	/** Replaces the ID token of the next successful token response (for forged-token tests). */
	forgeNextIdToken(forger: (input: IdTokenForgeInput) => string): void {
		this.idTokenForger = forger;
	}

	reset(): void {
		this.codes.clear();
		this.accessTokens.clear();
		this.authorizeLog.length = 0;
		this.tokenLog.length = 0;
		this.developers.clear();
		this.invalidClientStatus = 400;
		this.idTokenForger = undefined;
		this.nextConsent = defaultConsent(this.ctx.users);
	}

	handle(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		url: URL,
		rawBody: Buffer,
	): boolean | Promise<boolean> {
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		if (path.startsWith('/__sandbox/login/')) return this.handleControl(method, path, rawBody, res);
		switch (path) {
			case '/oauth2/v2.1/authorize':
				if (method !== 'GET') return this.methodNotAllowed(res);
				this.authorize(url, res);
				return true;
			case '/oauth2/v2.1/token':
				if (method !== 'POST') return this.methodNotAllowed(res);
				return this.token(req, rawBody, res);
			case '/oauth2/v2.1/verify':
				if (method === 'POST') this.verifyIdToken(req, rawBody, res);
				else if (method === 'GET') this.verifyAccessToken(url, res);
				else return this.methodNotAllowed(res);
				return true;
			case '/friendship/v1/status':
				if (method !== 'GET') return this.methodNotAllowed(res);
				this.withAccessToken(
					req,
					res,
					(_token, user) => this.json(res, 200, { friendFlag: user.isFriend }),
					'profile',
				);
				return true;
			case '/v2/profile':
				if (method !== 'GET') return this.methodNotAllowed(res);
				this.withAccessToken(
					req,
					res,
					(_token, user) =>
						this.json(res, 200, {
							userId: user.userId,
							displayName: user.displayName,
							...(user.pictureUrl ? { pictureUrl: user.pictureUrl } : {}),
							...(user.statusMessage ? { statusMessage: user.statusMessage } : {}),
						}),
					'profile',
				);
				return true;
			default:
				// Other /oauth2/ paths (channel access tokens, v3) belong to the Messaging side.
				return false;
		}
	}

	// ---- authorize -----------------------------------------------------------------------

	private authorize(url: URL, res: http.ServerResponse): void {
		const { values: q, repeated } = singleValues(url.searchParams);
		const record: AuthorizeRecord = { at: this.now(), query: q, status: 0 };
		this.authorizeLog.push(record);
		const page = (status: number, message: string) => {
			record.status = status;
			record.error = message;
			this.htmlError(res, status, message);
		};
		const redirectError = (redirectUri: string, error: string, description: string) => {
			record.error = error;
			this.redirect(res, record, redirectUri, [
				['error', error],
				['error_description', description],
				...(q.state ? ([['state', q.state]] as Array<[string, string]>) : []),
			]);
		};

		const channel = this.ctx.loginChannel;
		// LINE never redirects for a bad client_id or redirect_uri: it shows its own error page.
		if (repeated === 'client_id' || repeated === 'redirect_uri') {
			return page(400, `Invalid request: ${repeated} is repeated`);
		}
		if (!q.client_id || q.client_id !== channel.channelId) {
			return page(400, 'Invalid client_id: no LINE Login channel with this ID');
		}
		if (!q.redirect_uri || !this.isRegisteredCallback(q.redirect_uri)) {
			return page(
				400,
				'Invalid redirect_uri: it does not match a callback URL registered for the channel',
			);
		}
		const redirectUri = q.redirect_uri;
		if (repeated) return redirectError(redirectUri, 'INVALID_REQUEST', `${repeated} is repeated`);
		if (q.response_type !== 'code') {
			return redirectError(redirectUri, 'UNSUPPORTED_RESPONSE_TYPE', 'response_type must be code');
		}
		if (!q.state || !ALPHANUMERIC.test(q.state)) {
			return redirectError(redirectUri, 'INVALID_REQUEST', 'state must be an alphanumeric string');
		}
		const scopes = (q.scope ?? '').split(' ').filter((s) => s !== '');
		if (
			scopes.length === 0 ||
			scopes.some((s) => !KNOWN_SCOPES.has(s)) ||
			!(scopes.includes('openid') || scopes.includes('profile')) ||
			(scopes.includes('email') && !scopes.includes('openid'))
		) {
			return redirectError(redirectUri, 'INVALID_SCOPE', `invalid scope: ${q.scope ?? ''}`);
		}
		if (q.code_challenge !== undefined || q.code_challenge_method !== undefined) {
			if (q.code_challenge_method !== 'S256') {
				return redirectError(redirectUri, 'INVALID_REQUEST', 'code_challenge_method must be S256');
			}
			if (!CODE_CHALLENGE_FORMAT.test(q.code_challenge ?? '')) {
				return redirectError(redirectUri, 'INVALID_REQUEST', 'invalid code_challenge');
			}
		}
		if (q.bot_prompt !== undefined && q.bot_prompt !== 'normal' && q.bot_prompt !== 'aggressive') {
			return redirectError(
				redirectUri,
				'INVALID_REQUEST',
				'bot_prompt must be normal or aggressive',
			);
		}

		// The simulated user now logs in.
		const consent = this.nextConsent;
		const user = this.ctx.users.find((u) => u.userId === consent.userId);
		if (!user) return page(500, `Sandbox: no test user ${consent.userId}`);
		if (!channel.published && !this.developers.has(user.userId)) {
			return page(
				400,
				'This channel is still in development ("Developing"). Only its admins and testers can log in. Publish the LINE Login channel in the LINE Developers console.',
			);
		}
		if (consent.decision === 'deny') {
			return redirectError(redirectUri, 'ACCESS_DENIED', DENIED_DESCRIPTION);
		}
		if (consent.decision === 'autoLoginFailure') {
			let otherState = randomBytes(24).toString('hex');
			if (otherState === q.state) otherState += '0';
			record.error = 'auto-login failed';
			return this.redirect(res, record, redirectUri, [
				['code', randomToken(15)],
				['state', otherState],
			]);
		}

		// The add-friend option appears only with bot_prompt, a linked OA, and a user who is not yet a friend.
		let friendshipStatusChanged: boolean | undefined;
		if (q.bot_prompt !== undefined && this.ctx.messaging && !user.isFriend) {
			friendshipStatusChanged = consent.addFriend;
			if (consent.addFriend) user.isFriend = true;
		}
		const now = this.now();
		const code = randomToken(15);
		this.codes.set(code, {
			code,
			clientId: q.client_id,
			redirectUri,
			userId: user.userId,
			scopes,
			nonce: q.nonce,
			codeChallenge: q.code_challenge,
			issuedAt: now,
			expiresAt: now + CODE_LIFETIME_MS,
			friendshipStatusChanged,
			accessTokens: [],
		});
		const params: Array<[string, string]> = [
			['code', code],
			['state', q.state],
		];
		if (friendshipStatusChanged !== undefined) {
			params.push(['friendship_status_changed', String(friendshipStatusChanged)]);
		}
		this.redirect(res, record, redirectUri, params);
	}

	/** Exact match, or a registered URL followed by extra query parameters (as LINE allows). */
	private isRegisteredCallback(redirectUri: string): boolean {
		return this.ctx.loginChannel.callbackUrls.some((registered) => {
			if (redirectUri === registered) return true;
			const joiner = registered.includes('?') ? '&' : '?';
			return redirectUri.startsWith(registered + joiner);
		});
	}

	private redirect(
		res: http.ServerResponse,
		record: AuthorizeRecord,
		redirectUri: string,
		params: Array<[string, string]>,
	): void {
		const query = new URLSearchParams(params).toString();
		const location = redirectUri + (redirectUri.includes('?') ? '&' : '?') + query;
		record.status = 302;
		record.location = location;
		res.writeHead(302, { location, 'cache-control': 'no-store' });
		res.end();
	}

	// ---- token ---------------------------------------------------------------------------

	private token(req: http.IncomingMessage, rawBody: Buffer, res: http.ServerResponse): boolean {
		const contentType = String(req.headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		const form = new URLSearchParams(rawBody.toString('utf8'));
		const grantType = form.get('grant_type') ?? undefined;
		// Channel access tokens share this path (client_credentials); they are not Login's business.
		if (grantType === 'client_credentials') return false;

		const { values: f, repeated } = singleValues(form);
		const record: TokenRequestRecord = {
			at: this.now(),
			grantType,
			code: f.code,
			clientId: f.client_id,
			redirectUri: f.redirect_uri,
			clientSecretMatched: false,
			codeVerifierSent: f.code_verifier !== undefined,
			status: 0,
		};
		this.tokenLog.push(record);
		const error = (status: number, code: string, description: string) => {
			record.status = status;
			record.error = code;
			record.errorDescription = description;
			this.json(res, status, { error: code, error_description: description });
			return true;
		};

		if (contentType !== 'application/x-www-form-urlencoded') {
			return error(
				400,
				'invalid_request',
				'Content-Type must be application/x-www-form-urlencoded',
			);
		}
		if (repeated) return error(400, 'invalid_request', `${repeated} is repeated`);
		if (!f.client_id || !f.client_secret) {
			return error(400, 'invalid_request', 'client_id and client_secret are required');
		}
		const channel = this.ctx.loginChannel;
		record.clientSecretMatched = sameSecret(f.client_secret, channel.channelSecret);
		if (f.client_id !== channel.channelId || !record.clientSecretMatched) {
			return error(this.invalidClientStatus, 'invalid_client', 'invalid client');
		}
		if (grantType !== 'authorization_code') {
			return error(400, 'unsupported_grant_type', 'unsupported grant_type');
		}
		if (!f.code || !f.redirect_uri) {
			return error(400, 'invalid_request', 'code and redirect_uri are required');
		}
		if (f.code_verifier !== undefined && !CODE_VERIFIER_FORMAT.test(f.code_verifier)) {
			return error(400, 'invalid_request', 'invalid code_verifier');
		}

		const issued = this.codes.get(f.code);
		if (!issued) return error(400, 'invalid_grant', 'invalid authorization code');
		const now = this.now();
		if (issued.usedAt !== undefined) {
			// A replayed code also revokes what the first redemption obtained (RFC 6749 §4.1.2).
			for (const token of issued.accessTokens) {
				const access = this.accessTokens.get(token);
				if (access) access.revoked = true;
			}
			return error(400, 'invalid_grant', 'authorization code already used');
		}
		issued.usedAt = now;
		if (now >= issued.expiresAt) return error(400, 'invalid_grant', 'authorization code expired');
		if (issued.clientId !== f.client_id)
			return error(400, 'invalid_grant', 'authorization code issued to another client');
		if (issued.redirectUri !== f.redirect_uri)
			return error(400, 'invalid_grant', 'redirect_uri does not match');
		if (issued.codeChallenge !== undefined) {
			if (f.code_verifier === undefined)
				return error(400, 'invalid_grant', 'code_verifier is required');
			const challenge = base64Url(createHash('sha256').update(f.code_verifier, 'ascii').digest());
			if (challenge !== issued.codeChallenge)
				return error(400, 'invalid_grant', 'code_verifier does not match');
		}

		const user = this.ctx.users.find((u) => u.userId === issued.userId);
		if (!user) return error(500, 'server_error', 'Sandbox: the test user no longer exists');
		const accessToken = randomToken(48);
		this.accessTokens.set(accessToken, {
			token: accessToken,
			userId: user.userId,
			clientId: issued.clientId,
			scopes: issued.scopes,
			expiresAt: now + ACCESS_TOKEN_LIFETIME_S * 1000,
			revoked: false,
		});
		issued.accessTokens.push(accessToken);

		const body: Record<string, unknown> = {
			access_token: accessToken,
			expires_in: ACCESS_TOKEN_LIFETIME_S,
		};
		if (issued.scopes.includes('openid')) body.id_token = this.idTokenFor(issued, user, now);
		body.refresh_token = randomToken(24);
		// LINE never lists `email` here, even when it was granted.
		body.scope = issued.scopes.filter((s) => s !== 'email').join(' ');
		body.token_type = 'Bearer';
		record.status = 200;
		this.json(res, 200, body, { 'cache-control': 'no-store', pragma: 'no-cache' });
		return true;
	}

	private idTokenFor(issued: IssuedCode, user: SandboxUser, now: number): string {
		const iat = Math.floor(now / 1000);
		const header: Record<string, unknown> = { typ: 'JWT', alg: 'HS256' };
		const payload: Record<string, unknown> = {
			iss: ID_TOKEN_ISSUER,
			sub: user.userId,
			aud: issued.clientId,
			exp: iat + ID_TOKEN_LIFETIME_S,
			iat,
			...(issued.nonce !== undefined ? { nonce: issued.nonce } : {}),
			amr: ['linesso'],
		};
		if (issued.scopes.includes('profile')) {
			payload.name = user.displayName;
			if (user.pictureUrl) payload.picture = user.pictureUrl;
		}
		if (issued.scopes.includes('email') && user.email) payload.email = user.email;
		const secret = this.ctx.loginChannel.channelSecret;
		const forger = this.idTokenForger;
		if (forger) {
			this.idTokenForger = undefined;
			return forger({ header, payload, channelSecret: secret, sign: signHs256 });
		}
		return signHs256(header, payload, secret);
	}

	// ---- verify, profile, friendship -------------------------------------------------------

	private verifyIdToken(
		req: http.IncomingMessage,
		rawBody: Buffer,
		res: http.ServerResponse,
	): void {
		const invalid = (description: string) =>
			this.json(res, 400, { error: 'invalid_request', error_description: description });
		const { values: f, repeated } = singleValues(new URLSearchParams(rawBody.toString('utf8')));
		if (repeated) return invalid(`${repeated} is repeated`);
		if (!f.id_token || !f.client_id) return invalid('id_token and client_id are required');
		const parts = f.id_token.split('.');
		if (parts.length !== 3) return invalid('Invalid IdToken.');
		let header: Record<string, unknown>;
		let payload: Record<string, unknown>;
		try {
			header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
			payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		} catch {
			return invalid('Invalid IdToken.');
		}
		const expected = base64Url(
			createHmac('sha256', this.ctx.loginChannel.channelSecret)
				.update(`${parts[0]}.${parts[1]}`)
				.digest(),
		);
		if (header.alg !== 'HS256' || expected !== parts[2]) return invalid('Invalid IdToken.');
		if (payload.iss !== ID_TOKEN_ISSUER) return invalid('Invalid IdToken Issuer.');
		if (typeof payload.exp !== 'number' || this.now() / 1000 >= payload.exp)
			return invalid('IdToken expired.');
		if (payload.aud !== f.client_id) return invalid('Invalid IdToken Audience.');
		if (f.nonce !== undefined && payload.nonce !== f.nonce)
			return invalid('Invalid IdToken Nonce.');
		if (f.user_id !== undefined && payload.sub !== f.user_id)
			return invalid('Invalid IdToken Subject Identifier.');
		this.json(res, 200, payload);
	}

	private verifyAccessToken(url: URL, res: http.ServerResponse): void {
		const token = url.searchParams.get('access_token') ?? '';
		const access = this.accessTokens.get(token);
		if (!access || access.revoked) {
			return this.json(res, 400, {
				error: 'invalid_request',
				error_description: 'access token invalid',
			});
		}
		const remaining = Math.floor((access.expiresAt - this.now()) / 1000);
		if (remaining <= 0) {
			return this.json(res, 400, {
				error: 'invalid_request',
				error_description: 'access token expired',
			});
		}
		this.json(res, 200, {
			scope: access.scopes.filter((s) => s !== 'email').join(' '),
			client_id: access.clientId,
			expires_in: remaining,
		});
	}

	private withAccessToken(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		answer: (token: AccessTokenRecord, user: SandboxUser) => void,
		requiredScope: string,
	): void {
		const authorization = String(req.headers.authorization ?? '');
		const match = /^Bearer (\S+)$/.exec(authorization);
		const access = match ? this.accessTokens.get(match[1]) : undefined;
		if (!access || access.revoked || this.now() >= access.expiresAt) {
			return this.json(res, 401, {
				message: 'Authentication failed. The access token is invalid or expired.',
			});
		}
		if (!access.scopes.includes(requiredScope)) {
			return this.json(res, 403, {
				message: `The access token does not have the ${requiredScope} scope.`,
			});
		}
		const user = this.ctx.users.find((u) => u.userId === access.userId);
		if (!user) return this.json(res, 404, { message: 'Not found' });
		answer(access, user);
	}

	// ---- test controls ---------------------------------------------------------------------

	private handleControl(
		method: string,
		path: string,
		rawBody: Buffer,
		res: http.ServerResponse,
	): boolean {
		let body: Record<string, unknown> = {};
		if (method === 'POST' && rawBody.length > 0) {
			try {
				body = JSON.parse(rawBody.toString('utf8'));
			} catch {
				this.json(res, 400, { message: 'Control requests take a JSON body' });
				return true;
			}
		}
		const route = `${method} ${path.slice('/__sandbox/login'.length)}`;
		switch (route) {
			case 'GET /consent':
				this.json(res, 200, this.nextConsent);
				return true;
			case 'POST /consent': {
				const next = { ...this.nextConsent, ...body } as ConsentPlan;
				if (!['approve', 'deny', 'autoLoginFailure'].includes(next.decision)) {
					this.json(res, 400, { message: 'decision must be approve, deny or autoLoginFailure' });
					return true;
				}
				this.nextConsent = {
					userId: String(next.userId),
					decision: next.decision,
					addFriend: Boolean(next.addFriend),
				};
				this.json(res, 200, this.nextConsent);
				return true;
			}
			case 'POST /channel': {
				const channel = this.ctx.loginChannel;
				if (typeof body.published === 'boolean') channel.published = body.published;
				if (Array.isArray(body.callbackUrls)) channel.callbackUrls = body.callbackUrls.map(String);
				if (Array.isArray(body.developers)) {
					this.developers.clear();
					for (const id of body.developers) this.developers.add(String(id));
				}
				if (body.invalidClientStatus === 400 || body.invalidClientStatus === 401) {
					this.invalidClientStatus = body.invalidClientStatus;
				}
				this.json(res, 200, {
					channelId: channel.channelId,
					published: channel.published,
					callbackUrls: channel.callbackUrls,
					developers: [...this.developers],
					invalidClientStatus: this.invalidClientStatus,
				});
				return true;
			}
			case 'GET /codes':
				this.json(
					res,
					200,
					this.issuedCodes.map(({ accessTokens, ...code }) => ({
						...code,
						accessTokenCount: accessTokens.length,
					})),
				);
				return true;
			case 'GET /token-requests':
				this.json(res, 200, this.tokenLog);
				return true;
			case 'GET /authorize-requests':
				this.json(res, 200, this.authorizeLog);
				return true;
			case 'POST /forge-id-token': {
				// Changes the next issued ID token: header/payload fields merged (null removes a
				// claim), signed with `signingKey` instead of the channel secret, or left unsigned.
				const spec = body as {
					header?: Record<string, unknown>;
					payload?: Record<string, unknown>;
					signingKey?: string;
					unsigned?: boolean;
				};
				this.forgeNextIdToken(({ header, payload, channelSecret, sign }) => {
					const merge = (base: Record<string, unknown>, changes: Record<string, unknown> = {}) => {
						const out = { ...base };
						for (const [key, value] of Object.entries(changes)) {
							if (value === null) delete out[key];
							else out[key] = value;
						}
						return out;
					};
					const h = merge(header, spec.header);
					const p = merge(payload, spec.payload);
					if (spec.unsigned) {
						const encode = (v: unknown) => base64Url(Buffer.from(JSON.stringify(v), 'utf8'));
						return `${encode(h)}.${encode(p)}.`;
					}
					return sign(h, p, spec.signingKey ?? channelSecret);
				});
				this.json(res, 200, { armed: true });
				return true;
			}
			case 'POST /reset':
				this.reset();
				this.json(res, 200, { reset: true });
				return true;
			default:
				this.json(res, 404, { message: `Unknown sandbox control ${route}` });
				return true;
		}
	}

	// ---- plumbing --------------------------------------------------------------------------

	private now(): number {
		return this.ctx.clock.now();
	}

	private json(
		res: http.ServerResponse,
		status: number,
		body: unknown,
		headers: Record<string, string> = {},
	): void {
		const text = JSON.stringify(body);
		res.writeHead(status, {
			'content-type': 'application/json; charset=utf-8',
			'content-length': Buffer.byteLength(text),
			// The full sandbox has already set one for its request log; keep it.
			...(res.hasHeader('x-line-request-id')
				? {}
				: { 'x-line-request-id': randomBytes(16).toString('hex') }),
			...headers,
		});
		res.end(text);
	}

	private htmlError(res: http.ServerResponse, status: number, message: string): void {
		const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
		const title = status >= 500 ? 'Server Error' : 'Bad Request';
		const html = `<!doctype html><html><head><meta charset="utf-8"><title>LINE Login</title></head><body><h1>${status} ${title}</h1><p>${escaped}</p></body></html>`;
		res.writeHead(status, {
			'content-type': 'text/html; charset=utf-8',
			'content-length': Buffer.byteLength(html),
		});
		res.end(html);
	}

	private methodNotAllowed(res: http.ServerResponse): boolean {
		this.json(res, 405, { message: 'Method not allowed' });
		return true;
	}
}
