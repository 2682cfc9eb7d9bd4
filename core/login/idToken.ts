import { createHmac, timingSafeEqual } from 'crypto';

import { isLineUserId } from '../line/ids';
import { base64UrlDecode } from './encoding';

/**
 * Local verification of the ID token LINE returns to a web login: HS256 signed with the Login
 * channel secret, `iss` = https://access.line.me, `aud` = the Login channel ID, not expired, and
 * the nonce bound to this login's state. The LINE user ID is `sub`, and it is taken from nowhere
 * else.
 */

export const LINE_ID_TOKEN_ISSUER = 'https://access.line.me';
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface IdTokenExpectations {
	channelId: string;
	channelSecret: string;
	nonce: string;
	/** Current time in epoch milliseconds. */
	now: number;
	/** Allowed clock difference for `exp` and `iat`, in seconds. */
	clockToleranceSeconds?: number;
}

export interface LineIdTokenClaims {
	iss: string;
	sub: string;
	aud: string;
	exp: number;
	iat: number;
	nonce: string;
	auth_time?: number;
	amr?: string[];
	name?: string;
	picture?: string;
	email?: string;
}

export type IdTokenProblem =
	| 'malformed'
	| 'unsupported_algorithm'
	| 'bad_signature'
	| 'wrong_issuer'
	| 'wrong_audience'
	| 'expired'
	| 'issued_in_future'
	| 'nonce_mismatch'
	| 'bad_subject';

export type IdTokenCheck =
	| { ok: true; claims: LineIdTokenClaims }
	| { ok: false; problem: IdTokenProblem; detail: string };

const fail = (problem: IdTokenProblem, detail: string): IdTokenCheck => ({
	ok: false,
	problem,
	detail,
});

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
	const bytes = base64UrlDecode(segment);
	if (!bytes) return undefined;
	try {
		const value: unknown = JSON.parse(bytes.toString('utf8'));
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a, 'utf8');
	const right = Buffer.from(b, 'utf8');
	return left.length === right.length && timingSafeEqual(left, right);
}

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function verifyLineIdToken(token: unknown, expected: IdTokenExpectations): IdTokenCheck {
	if (typeof token !== 'string' || token.length === 0) return fail('malformed', 'No ID token');
	if (token.length > MAX_TOKEN_LENGTH) return fail('malformed', 'The ID token is too long');
	const parts = token.split('.');
	if (parts.length !== 3) return fail('malformed', 'The ID token is not a signed JWT');
	const [headerPart, payloadPart, signaturePart] = parts;

	const header = parseJsonObject(headerPart);
	if (!header) return fail('malformed', 'The ID token header cannot be read');
	// Only the algorithm LINE uses for web logins; "none", RS/ES variants and the rest are refused.
	if (header.alg !== 'HS256') {
		return fail(
			'unsupported_algorithm',
			`ID token algorithm ${String(header.alg)} is not accepted`,
		);
	}
	if (header.typ !== undefined && header.typ !== 'JWT') {
		return fail('malformed', 'The ID token header has an unexpected type');
	}
	if (header.crit !== undefined)
		return fail('malformed', 'The ID token header has critical extensions');

	const signature = base64UrlDecode(signaturePart);
	const expectedSignature = createHmac('sha256', expected.channelSecret)
		.update(`${headerPart}.${payloadPart}`, 'ascii')
		.digest();
	if (!signature || signature.length !== expectedSignature.length) {
		return fail('bad_signature', 'The ID token signature is malformed');
	}
	if (!timingSafeEqual(signature, expectedSignature)) {
		return fail('bad_signature', 'The ID token was not signed with this channel secret');
	}

	const payload = parseJsonObject(payloadPart);
	if (!payload) return fail('malformed', 'The ID token payload cannot be read');
	if (payload.iss !== LINE_ID_TOKEN_ISSUER) {
		return fail('wrong_issuer', `The ID token issuer is ${String(payload.iss)}`);
	}
	if (typeof payload.aud !== 'string' || payload.aud !== expected.channelId) {
		return fail('wrong_audience', 'The ID token was issued for another channel');
	}
	const tolerance = expected.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
	const nowSeconds = expected.now / 1000;
	if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) {
		return fail('malformed', 'The ID token has no expiry');
	}
	if (nowSeconds >= payload.exp + tolerance) return fail('expired', 'The ID token has expired');
	if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) {
		return fail('malformed', 'The ID token has no issue time');
	}
	if (payload.iat > nowSeconds + tolerance) {
		return fail('issued_in_future', 'The ID token claims to be issued in the future');
	}
	if (typeof payload.nonce !== 'string' || !sameText(payload.nonce, expected.nonce)) {
		return fail('nonce_mismatch', 'The ID token belongs to another login attempt (nonce mismatch)');
	}
	if (!isLineUserId(payload.sub)) {
		return fail('bad_subject', 'The ID token does not name a LINE user');
	}

	const claims: LineIdTokenClaims = {
		iss: payload.iss,
		sub: payload.sub,
		aud: payload.aud,
		exp: payload.exp,
		iat: payload.iat,
		nonce: payload.nonce,
	};
	if (typeof payload.auth_time === 'number') claims.auth_time = payload.auth_time;
	if (Array.isArray(payload.amr)) claims.amr = payload.amr.filter((v) => typeof v === 'string');
	const name = optionalString(payload.name);
	const picture = optionalString(payload.picture);
	const email = optionalString(payload.email);
	if (name !== undefined) claims.name = name;
	if (picture !== undefined) claims.picture = picture;
	if (email !== undefined) claims.email = email;
	return { ok: true, claims };
}
