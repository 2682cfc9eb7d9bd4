/**
 * Pure pieces of living beside a LINE marketing tool: the list of URLs a webhook is relayed to
 * (fan-out), whether a failed relay is worth another attempt, and the shared secret a tool that
 * rewrites LINE's body sends instead of LINE's signature (fan-in).
 */
import { createHash, timingSafeEqual } from 'crypto';

/**
 * The relay targets from what the user typed: URLs separated by commas, spaces or new lines,
 * each http(s), each once. Anything else is reported, never silently dropped.
 */
export function parseRelayTargets(text: string): { targets: string[]; invalid: string[] } {
	const targets: string[] = [];
	const invalid: string[] = [];
	for (const part of text.split(/[\s,]+/).filter((p) => p.length > 0)) {
		let url: URL;
		try {
			url = new URL(part);
		} catch {
			invalid.push(part);
			continue;
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid.push(part);
		else if (!targets.includes(part)) targets.push(part);
	}
	return { targets, invalid };
}

/**
 * Whether another attempt may help: no answer at all (0), a timeout, rate limiting or a server
 * error. Other 4xx answers (such as the tool rejecting the signature) will not change.
 */
export function relayStatusIsRetryable(status: number): boolean {
	return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * Compares the shared secret a forwarding tool sent with the configured one in constant time.
 * Both sides are hashed first, so neither the content nor the length of the secret leaks through
 * timing. An empty configured secret never matches: "no secret" must not mean "no check".
 */
export function sharedSecretMatches(configured: string, received: string | string[] | undefined): boolean {
	if (configured.length === 0 || typeof received !== 'string' || received.length === 0) return false;
	const expected = createHash('sha256').update(configured, 'utf8').digest();
	const given = createHash('sha256').update(received, 'utf8').digest();
	return timingSafeEqual(expected, given);
}
