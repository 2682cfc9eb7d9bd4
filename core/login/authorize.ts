import type { LinkKeys } from './keys';
import { codeChallengeS256, deriveCodeVerifier, deriveNonce } from './pkce';
import { createLinkState } from './state';

/** LINE Login v2.1 authorization URL for one candidate's link. */

export const DEFAULT_AUTHORIZE_BASE_URL = 'https://access.line.me';
export const LOGIN_DIALOG_PATH = '/oauth2/v2.1/authorize';
export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LINK_VALIDITY_MS = 7 * DAY_MS;
export const MAX_LINK_VALIDITY_MS = 90 * DAY_MS;

/** `none` leaves `bot_prompt` out: the add-friend option is not offered. */
export type BotPrompt = 'aggressive' | 'normal' | 'none';

export interface LinkUrlRequest {
	keys: LinkKeys;
	/** The production URL of the n8n Webhook that receives the callback (registered at LINE). */
	callbackUrl: string;
	candidateId: string;
	/** Expiry in epoch milliseconds. */
	expiresAt: number;
	authorizeBaseUrl?: string;
	botPrompt?: BotPrompt;
	/** Adds the `email` scope (needs approval in the LINE Developers console). */
	includeEmail?: boolean;
	/** For a retry after an auto-login failure, which LINE answers with a bad code and state. */
	disableAutoLogin?: boolean;
	/** Fixed random part, for tests only. */
	stateId?: Buffer;
}

export interface LinkUrl {
	url: string;
	state: string;
	candidateId: string;
	expiresAt: number;
	stateId: string;
}

function parseUrl(value: string): URL | undefined {
	try {
		return new URL(value);
	} catch {
		return undefined;
	}
}

/** Returns the URL without a trailing slash, or throws when it is not an absolute http(s) URL. */
export function normaliseBaseUrl(value: string, what: string): string {
	const parsed = parseUrl(value.trim());
	if (!parsed) throw new RangeError(`${what} is not a valid URL`);
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new RangeError(`${what} must start with https://`);
	}
	return parsed.toString().replace(/\/+$/, '');
}

/** A callback URL must be absolute and without a fragment; LINE compares it character by character. */
export function checkCallbackUrl(value: string): string {
	const trimmed = value.trim();
	const parsed = parseUrl(trimmed);
	if (!parsed) throw new RangeError('The callback URL is not a valid URL');
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new RangeError('The callback URL must start with https://');
	}
	if (parsed.hash !== '') throw new RangeError('The callback URL must not contain a # fragment');
	return trimmed;
}

function query(params: Array<[string, string]>): string {
	return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function buildLinkUrl(request: LinkUrlRequest): LinkUrl {
	const base = normaliseBaseUrl(
		request.authorizeBaseUrl || DEFAULT_AUTHORIZE_BASE_URL,
		'The authorize base URL',
	);
	const callbackUrl = checkCallbackUrl(request.callbackUrl);
	const issued = createLinkState(request.keys, {
		candidateId: request.candidateId,
		expiresAt: request.expiresAt,
		stateId: request.stateId,
	});
	const verifier = deriveCodeVerifier(request.keys, issued.state);
	const scope = request.includeEmail ? 'openid profile email' : 'openid profile';
	const params: Array<[string, string]> = [
		['response_type', 'code'],
		['client_id', request.keys.channelId],
		['redirect_uri', callbackUrl],
		['state', issued.state],
		// Spaces as %20, as LINE documents the scope separator.
		['scope', scope],
		['nonce', deriveNonce(request.keys, issued.state)],
		['code_challenge', codeChallengeS256(verifier)],
		['code_challenge_method', 'S256'],
	];
	const botPrompt = request.botPrompt ?? 'aggressive';
	if (botPrompt !== 'none') params.push(['bot_prompt', botPrompt]);
	if (request.disableAutoLogin) params.push(['disable_auto_login', 'true']);
	return {
		url: `${base}${LOGIN_DIALOG_PATH}?${query(params)}`,
		state: issued.state,
		candidateId: issued.candidateId,
		expiresAt: issued.expiresAt,
		stateId: issued.stateId,
	};
}
