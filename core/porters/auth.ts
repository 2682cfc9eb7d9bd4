/**
 * The PORTERS app-token flow without any HTTP: where to send what, and the session that the
 * credential keeps between executions. One token costs two billable calls (`/v1/oauth` with
 * `response_type=code_direct`, then `/v1/token`); a refresh with the refresh token costs one.
 */
import { parseAuthResponse, type AuthResponse } from './codec';
import { describeAuthError } from './resultCodes';

export const DEFAULT_PORTERS_HOST = 'api-hrbc-jp.porterscloud.com';
export const TOKEN_HEADER = 'X-porters-hrbc-oauth-token';
export const VERSION_HEADER = 'X-P-ConnectAPI-Version';
export const API_VERSION = '2';

export class PortersConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PortersConfigError';
	}
}

function isLocalHost(hostname: string): boolean {
	const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	return (
		h === 'localhost' ||
		h.endsWith('.localhost') ||
		h === '::1' ||
		/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
		// A name without dots is a container or LAN name, not a public server.
		/^[a-z0-9-]+$/.test(h)
	);
}

/**
 * `https://host[:port]` for the API. Plain http is refused except for local names, because the
 * app secret travels in the token request body.
 */
export function portersBaseUrl(protocol: unknown, host: unknown): string {
	const scheme = protocol === 'http' ? 'http' : 'https';
	let value = String(host ?? '').trim();
	if (value === '') value = DEFAULT_PORTERS_HOST;
	value = value.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
	if (/[/?#@\s]/.test(value)) {
		throw new PortersConfigError(
			`The PORTERS host "${String(host)}" must be a host name only, e.g. ${DEFAULT_PORTERS_HOST}`,
		);
	}
	let url: URL | undefined;
	try {
		url = new URL(`${scheme}://${value}`);
	} catch {
		url = undefined;
	}
	if (!url) throw new PortersConfigError(`The PORTERS host "${String(host)}" is not a valid host name`);
	if (scheme === 'http' && !isLocalHost(url.hostname)) {
		throw new PortersConfigError(
			'HTTP (without TLS) is only allowed for a local PORTERS sandbox; use HTTPS for a real PORTERS server',
		);
	}
	return `${scheme}://${url.host}`;
}

// ---------------------------------------------------------------------------------------------
// Requests

export function oauthCodeQuery(appId: string): Record<string, string> {
	return { app_id: appId, response_type: 'code_direct' };
}

export function tokenForm(
	appId: string,
	secret: string,
	grant: { code: string } | { refreshToken: string },
): Record<string, string> {
	return 'code' in grant
		? { app_id: appId, secret, grant_type: 'oauth_code', code: grant.code }
		: { app_id: appId, secret, grant_type: 'refresh_token', code: grant.refreshToken };
}

// ---------------------------------------------------------------------------------------------
// Session kept in the credential's expirable field

export interface PortersSession {
	v: 1;
	/** Base URL and app the token belongs to: an edited credential must not reuse it. */
	baseUrl: string;
	appId: string;
	accessToken: string;
	/** Epoch ms after which the token is treated as expired (a safety margin already applied). */
	accessTokenExpiresAt: number;
	refreshToken?: string;
	refreshTokenExpiresAt?: number;
}

/** Renew a little early: at most a minute, at most a tenth of the lifetime. */
export function expiryWithMargin(now: number, lifetimeMs: number): number {
	return now + lifetimeMs - Math.min(60_000, Math.floor(lifetimeMs / 10));
}

/** Defaults from the docs ("normally 30 minutes / 2 hours") when the answer omits a lifetime. */
const DEFAULT_ACCESS_LIFETIME = 30 * 60_000;
const DEFAULT_REFRESH_LIFETIME = 2 * 60 * 60_000;

export function sessionFromAuth(
	auth: AuthResponse,
	now: number,
	baseUrl: string,
	appId: string,
	previous?: PortersSession,
): PortersSession {
	if (!auth.accessToken) throw new PortersConfigError('PORTERS answered without an access token');
	const session: PortersSession = {
		v: 1,
		baseUrl,
		appId,
		accessToken: auth.accessToken,
		accessTokenExpiresAt: expiryWithMargin(now, auth.accessTokenExpiresIn ?? DEFAULT_ACCESS_LIFETIME),
	};
	if (auth.refreshToken) {
		session.refreshToken = auth.refreshToken;
		session.refreshTokenExpiresAt = expiryWithMargin(
			now,
			auth.refreshTokenExpiresIn ?? DEFAULT_REFRESH_LIFETIME,
		);
	} else if (previous?.refreshToken) {
		// A refresh answer may omit a new refresh token; the old one stays valid until it expires.
		session.refreshToken = previous.refreshToken;
		session.refreshTokenExpiresAt = previous.refreshTokenExpiresAt;
	}
	return session;
}

export function serializeSession(session: PortersSession): string {
	return JSON.stringify(session);
}

export function parseSession(raw: unknown): PortersSession | undefined {
	if (typeof raw !== 'string' || raw === '') return undefined;
	try {
		const s = JSON.parse(raw) as Partial<PortersSession>;
		if (
			s &&
			s.v === 1 &&
			typeof s.accessToken === 'string' &&
			typeof s.accessTokenExpiresAt === 'number' &&
			typeof s.baseUrl === 'string' &&
			typeof s.appId === 'string'
		) {
			return s as PortersSession;
		}
	} catch {
		// an unreadable session is simply replaced
	}
	return undefined;
}

export function sessionMatches(s: PortersSession, baseUrl: string, appId: string): boolean {
	return s.baseUrl === baseUrl && s.appId === appId;
}

/** The stored token can be sent without asking PORTERS first. */
export function isSessionUsable(
	s: PortersSession | undefined,
	now: number,
	baseUrl: string,
	appId: string,
): s is PortersSession {
	return !!s && sessionMatches(s, baseUrl, appId) && now < s.accessTokenExpiresAt;
}

/** A refresh (one billable call) is possible instead of a new code (two calls). */
export function canRefresh(
	s: PortersSession | undefined,
	now: number,
	baseUrl: string,
	appId: string,
): s is PortersSession & { refreshToken: string } {
	return (
		!!s &&
		sessionMatches(s, baseUrl, appId) &&
		typeof s.refreshToken === 'string' &&
		s.refreshToken !== '' &&
		now < (s.refreshTokenExpiresAt ?? 0)
	);
}

// ---------------------------------------------------------------------------------------------
// The flow itself, over an injected HTTP function (the credential passes n8n's helper)

export class PortersAuthError extends Error {
	constructor(
		message: string,
		readonly authCode?: number,
		readonly httpStatus?: number,
	) {
		super(message);
		this.name = 'PortersAuthError';
	}
}

export interface AuthHttpRequest {
	method: 'GET' | 'POST';
	/** Absolute URL without query. */
	url: string;
	qs?: Record<string, string>;
	/** Sent as application/x-www-form-urlencoded. */
	form?: Record<string, string>;
}

export interface AuthHttpResponse {
	status: number;
	body: string;
}

export type AuthSend = (request: AuthHttpRequest) => Promise<AuthHttpResponse>;

export interface AppCredentials {
	baseUrl: string;
	appId: string;
	secret: string;
}

async function authCall(send: AuthSend, request: AuthHttpRequest): Promise<AuthResponse> {
	const response = await send(request);
	let answer: AuthResponse | undefined;
	try {
		answer = parseAuthResponse(response.body);
	} catch {
		answer = undefined;
	}
	if (!answer) {
		throw new PortersAuthError(
			`PORTERS answered the authentication request (${request.url}) with HTTP ${response.status} and no readable result. Check the host in the PORTERS credential.`,
			undefined,
			response.status,
		);
	}
	return answer;
}

/**
 * Gets a usable session: a refresh when the previous session still has a live refresh token
 * (one billable call), otherwise `code_direct` plus the token exchange (two calls).
 */
export async function obtainSession(
	send: AuthSend,
	app: AppCredentials,
	previous: PortersSession | undefined,
	now: () => number,
): Promise<PortersSession> {
	if (!app.appId || !app.secret) {
		throw new PortersAuthError('The PORTERS credential needs both an App ID and a Secret');
	}
	if (canRefresh(previous, now(), app.baseUrl, app.appId)) {
		const refreshed = await authCall(
			send,
			{
				method: 'POST',
				url: `${app.baseUrl}/v1/token`,
				form: tokenForm(app.appId, app.secret, { refreshToken: previous.refreshToken }),
			},
		);
		if (refreshed.error === 0 && refreshed.accessToken) {
			return sessionFromAuth(refreshed, now(), app.baseUrl, app.appId, previous);
		}
		// A wrong or expired refresh token is not fatal: a new code costs one more call.
		if (refreshed.error === 104 || refreshed.error === 105) {
			throw new PortersAuthError(describeAuthError(refreshed.error, refreshed.message), refreshed.error);
		}
	}
	const codeAnswer = await authCall(
		send,
		{ method: 'GET', url: `${app.baseUrl}/v1/oauth`, qs: oauthCodeQuery(app.appId) },
	);
	if (codeAnswer.error !== 0 || !codeAnswer.code) {
		throw new PortersAuthError(describeAuthError(codeAnswer.error, codeAnswer.message), codeAnswer.error);
	}
	const tokenAnswer = await authCall(
		send,
		{
			method: 'POST',
			url: `${app.baseUrl}/v1/token`,
			form: tokenForm(app.appId, app.secret, { code: codeAnswer.code }),
		},
	);
	if (tokenAnswer.error !== 0 || !tokenAnswer.accessToken) {
		throw new PortersAuthError(describeAuthError(tokenAnswer.error, tokenAnswer.message), tokenAnswer.error);
	}
	return sessionFromAuth(tokenAnswer, now(), app.baseUrl, app.appId);
}
