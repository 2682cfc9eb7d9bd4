import { createHmac, timingSafeEqual } from 'crypto';

/** Base64 of an HMAC-SHA256 digest: 32 bytes → 43 characters and one `=`. */
const SIGNATURE_FORMAT = /^[A-Za-z0-9+/]{43}=$/;

/** The `x-line-signature` LINE sends for `body`: Base64(HMAC-SHA256(channel secret, body bytes)). */
export function computeLineSignature(channelSecret: string, body: Buffer | string): string {
	return createHmac('sha256', channelSecret).update(body).digest('base64');
}

export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'mismatch';

/**
 * Checks a webhook signature over the exact bytes received. The comparison is constant-time and
 * happens on decoded digests, so a re-encoded but equivalent header cannot slip through either.
 */
export function checkLineSignature(
	channelSecret: string,
	rawBody: Buffer,
	header: string | string[] | undefined,
): SignatureCheck {
	if (header === undefined || header === '') return 'missing';
	if (Array.isArray(header) || !SIGNATURE_FORMAT.test(header)) return 'malformed';
	const expected = createHmac('sha256', channelSecret).update(rawBody).digest();
	const received = Buffer.from(header, 'base64');
	if (received.length !== expected.length) return 'malformed';
	return timingSafeEqual(received, expected) ? 'valid' : 'mismatch';
}
