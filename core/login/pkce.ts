import { createHash, createHmac } from 'crypto';

import { base64UrlEncode } from './encoding';
import type { LinkKeys } from './keys';

/**
 * The PKCE verifier and the OIDC nonce of a login are derived from its state with separate keys,
 * so the callback can recompute both from the state alone. Whoever injects a code obtained in
 * another login session cannot redeem it: its PKCE challenge belongs to a different state.
 */

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const CODE_VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;

/** 43 base64url characters (256 bits), the shortest verifier RFC 7636 allows. */
export function deriveCodeVerifier(keys: LinkKeys, state: string): string {
	return base64UrlEncode(createHmac('sha256', keys.pkceVerifier).update(state, 'utf8').digest());
}

/** `code_challenge` for `code_challenge_method=S256`: base64url(SHA-256(ASCII verifier)). */
export function codeChallengeS256(verifier: string): string {
	if (!CODE_VERIFIER_FORMAT.test(verifier)) throw new RangeError('Invalid PKCE code verifier');
	return base64UrlEncode(createHash('sha256').update(verifier, 'ascii').digest());
}

export function deriveNonce(keys: LinkKeys, state: string): string {
	return base64UrlEncode(createHmac('sha256', keys.nonce).update(state, 'utf8').digest());
}
