import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

import { base62Decode, base62Encode } from './encoding';
import type { LinkKeys } from './keys';

/**
 * The link state: the only thing that ties a LINE login back to a PORTERS candidate, because the
 * candidate opens an e-mailed link with no browser session. It is self-contained and
 * authenticated, so nothing has to be stored between "Generate Link URL" and "Link Candidate".
 *
 * Binary layout (version 1), written in base62:
 *
 *   version (1) | id length L (1) | candidate ID, UTF-8 (L) | expiry, Unix seconds (5)
 *   | random state ID (16) | HMAC-SHA256 truncated to 128 bits (16)
 *
 * The MAC covers every byte before it and is keyed per Login channel (see keys.ts).
 */

/** The one key a state needs; other signed links (the reply page) bring their own. */
export type StateMacKey = Pick<LinkKeys, 'stateMac'>;

export const LINK_STATE_VERSION = 1;
export const MAX_CANDIDATE_ID_BYTES = 64;
const EXPIRY_BYTES = 5;
const STATE_ID_BYTES = 16;
const MAC_BYTES = 16;
const FIXED_BYTES = 2 + EXPIRY_BYTES + STATE_ID_BYTES + MAC_BYTES;
/** Longest possible encoding (a 103-byte layout needs 139 base62 digits); longer input is refused unread. */
export const MAX_STATE_LENGTH = 140;
const MAX_EXPIRY_SECONDS = 2 ** (8 * EXPIRY_BYTES) - 1;

export interface IssuedLinkState {
	/** The alphanumeric `state` parameter. */
	state: string;
	candidateId: string;
	/** Expiry in epoch milliseconds (whole seconds). */
	expiresAt: number;
	/** Hex of the random part; unique per link, usable to record a link as consumed. */
	stateId: string;
}

export type LinkStateFailure = 'tampered' | 'expired';

export type LinkStateCheck =
	| { ok: true; candidateId: string; expiresAt: number; stateId: string }
	| {
			ok: false;
			reason: LinkStateFailure;
			detail: string;
			/** Present only when the MAC was valid (an expired but genuine link). */
			candidateId?: string;
			expiresAt?: number;
	  };

/** Why a candidate ID cannot go into a link, or undefined when it can. */
export function candidateIdProblem(candidateId: unknown): string | undefined {
	if (typeof candidateId !== 'string' || candidateId.length === 0)
		return 'The candidate ID is empty';
	if (candidateId.trim() !== candidateId) return 'The candidate ID starts or ends with spaces';
	for (const char of candidateId) {
		const code = char.charCodeAt(0);
		if (code < 0x20 || code === 0x7f) return 'The candidate ID contains control characters';
	}
	if (Buffer.byteLength(candidateId, 'utf8') > MAX_CANDIDATE_ID_BYTES) {
		return `The candidate ID is longer than ${MAX_CANDIDATE_ID_BYTES} bytes`;
	}
	return undefined;
}

function mac(keys: StateMacKey, signed: Buffer): Buffer {
	return createHmac('sha256', keys.stateMac).update(signed).digest().subarray(0, MAC_BYTES);
}

export function createLinkState(
	keys: StateMacKey,
	input: { candidateId: string; expiresAt: number; stateId?: Buffer },
): IssuedLinkState {
	const problem = candidateIdProblem(input.candidateId);
	if (problem) throw new RangeError(problem);
	const expirySeconds = Math.floor(input.expiresAt / 1000);
	if (!Number.isFinite(expirySeconds) || expirySeconds <= 0 || expirySeconds > MAX_EXPIRY_SECONDS) {
		throw new RangeError('The link expiry is not a valid time');
	}
	const stateId = input.stateId ?? randomBytes(STATE_ID_BYTES);
	if (stateId.length !== STATE_ID_BYTES) throw new RangeError('The state ID must be 16 bytes');

	const id = Buffer.from(input.candidateId, 'utf8');
	const expiry = Buffer.alloc(EXPIRY_BYTES);
	expiry.writeUIntBE(expirySeconds, 0, EXPIRY_BYTES);
	const signed = Buffer.concat([Buffer.from([LINK_STATE_VERSION, id.length]), id, expiry, stateId]);
	return {
		state: base62Encode(Buffer.concat([signed, mac(keys, signed)])),
		candidateId: input.candidateId,
		expiresAt: expirySeconds * 1000,
		stateId: stateId.toString('hex'),
	};
}

const tampered = (detail: string): LinkStateCheck => ({ ok: false, reason: 'tampered', detail });

/**
 * Checks a `state` from a callback: format, MAC (constant time) and then expiry. Nothing inside
 * the state is believed before its MAC has been checked.
 */
export function verifyLinkState(keys: StateMacKey, state: unknown, now: number): LinkStateCheck {
	if (typeof state !== 'string' || state.length === 0) return tampered('The link state is missing');
	if (state.length > MAX_STATE_LENGTH) return tampered('The link state is too long');
	const bytes = base62Decode(state);
	if (!bytes) return tampered('The link state is not in the expected format');
	if (bytes.length < FIXED_BYTES + 1) return tampered('The link state is too short');
	if (bytes[0] !== LINK_STATE_VERSION) return tampered('The link state has an unknown version');
	const idLength = bytes[1];
	if (bytes.length !== FIXED_BYTES + idLength)
		return tampered('The link state has the wrong length');

	const signed = bytes.subarray(0, bytes.length - MAC_BYTES);
	const received = bytes.subarray(bytes.length - MAC_BYTES);
	if (!timingSafeEqual(received, mac(keys, signed))) {
		return tampered('The link state signature does not match');
	}

	const candidateId = bytes.subarray(2, 2 + idLength).toString('utf8');
	const expiresAt = bytes.readUIntBE(2 + idLength, EXPIRY_BYTES) * 1000;
	const stateId = bytes
		.subarray(2 + idLength + EXPIRY_BYTES, 2 + idLength + EXPIRY_BYTES + STATE_ID_BYTES)
		.toString('hex');
	if (now >= expiresAt) {
		return {
			ok: false,
			reason: 'expired',
			detail: `The link expired at ${new Date(expiresAt).toISOString()}`,
			candidateId,
			expiresAt,
		};
	}
	return { ok: true, candidateId, expiresAt, stateId };
}
