/**
 * Encodings for values that travel through LINE Login URLs. LINE refuses a URL-encoded `state`,
 * so the link state is written in base62 (digits and ASCII letters only); PKCE verifiers and
 * nonces use unpadded base64url, which LINE accepts for those parameters.
 */

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_DIGIT = new Map([...BASE62_ALPHABET].map((char, index) => [char, BigInt(index)]));
const SIXTY_TWO = BigInt(62);

/**
 * Base62 of a byte string read as one big-endian number. The first byte must not be zero (the
 * link-state layout starts with a non-zero version byte), so the length is recovered exactly.
 */
export function base62Encode(bytes: Buffer): string {
	if (bytes.length === 0 || bytes[0] === 0) {
		throw new RangeError('base62Encode needs a non-empty byte string that does not start with 0');
	}
	let value = BigInt('0x' + bytes.toString('hex'));
	let out = '';
	while (value > BigInt(0)) {
		out = BASE62_ALPHABET[Number(value % SIXTY_TWO)] + out;
		value /= SIXTY_TWO;
	}
	return out;
}

/**
 * The inverse of `base62Encode`. Returns undefined for anything that is not the canonical
 * encoding of some byte string (other characters, leading zero digits), so each byte string has
 * exactly one accepted spelling.
 */
export function base62Decode(text: string): Buffer | undefined {
	if (text.length === 0 || text[0] === '0') return undefined;
	let value = BigInt(0);
	for (const char of text) {
		const digit = BASE62_DIGIT.get(char);
		if (digit === undefined) return undefined;
		value = value * SIXTY_TWO + digit;
	}
	let hex = value.toString(16);
	if (hex.length % 2 === 1) hex = '0' + hex;
	return Buffer.from(hex, 'hex');
}

export function base64UrlEncode(bytes: Buffer): string {
	return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL_FORMAT = /^[A-Za-z0-9_-]*$/;

/**
 * Strict unpadded base64url: other characters, padding, or a final character with stray low
 * bits are refused, so a token segment has one accepted spelling.
 */
export function base64UrlDecode(text: string): Buffer | undefined {
	if (!BASE64URL_FORMAT.test(text) || text.length % 4 === 1) return undefined;
	const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	return base64UrlEncode(bytes) === text ? bytes : undefined;
}
