/**
 * `X-Line-Retry-Key` values. LINE executes a push or multicast only once per key (for 24 hours)
 * and answers a repeat with 409, so a key derived from what caused the send makes a re-run of
 * the same webhook event harmless, even when it runs again on another worker or after a restart.
 */
import { createHash, randomUUID } from 'crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value);
}

/**
 * A UUID derived from its inputs with SHA-256: the same inputs always give the same key.
 * Each part is length-prefixed so that ("ab", "c") and ("a", "bc") cannot collide. Version and
 * variant bits are set as in a name-based (v5-style) UUID, so any UUID parser accepts it.
 */
export function deriveUuid(parts: Array<string | number>): string {
	const hash = createHash('sha256');
	hash.update('line-retry-key/v1');
	for (const part of parts) {
		const bytes = Buffer.from(String(part), 'utf8');
		const length = Buffer.alloc(4);
		length.writeUInt32BE(bytes.length);
		hash.update(length);
		hash.update(bytes);
	}
	const bytes = hash.digest().subarray(0, 16);
	bytes[6] = (bytes[6] & 0x0f) | 0x50;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type RetryKeySource = 'custom' | 'event' | 'random';

export interface RetryKeyInput {
	/** A key set by the user (expression). A UUID is used as it is for the first request. */
	customKey?: string;
	/** The `webhookEventId` of the LINE event the item came from. */
	webhookEventId?: string;
	/** The workflow node's ID, so two send nodes reacting to one event do not share keys. */
	nodeId: string;
	/** Position of the request among this item's requests (multicast batches); 0 for a push. */
	batchIndex: number;
	/**
	 * Who this request goes to. Part of the derivation so that one event fanned out to several
	 * recipients by the same node is several sends, not one send and duplicates.
	 */
	recipients: string[];
	/**
	 * How many earlier items of the same run had the same event and recipients. Several items of
	 * one event to one recipient are several intended sends; a re-run repeats the same count.
	 */
	occurrence?: number;
}

export interface RetryKey {
	key: string;
	source: RetryKeySource;
}

/**
 * Picks the retry key of one request:
 * - a custom key: a UUID is used verbatim for batch 0; anything else (and later batches) is
 *   hashed together with the node and the batch, giving a stable UUID;
 * - otherwise a LINE event ID: hashed with the node, the batch and the recipients;
 * - otherwise a fresh random UUID. The caller keeps it for every retry of that request.
 */
export function retryKeyFor(input: RetryKeyInput, random: () => string = randomUUID): RetryKey {
	const custom = input.customKey?.trim();
	if (custom) {
		if (isUuid(custom) && input.batchIndex === 0) return { key: custom.toLowerCase(), source: 'custom' };
		return { key: deriveUuid(['custom', custom, input.nodeId, input.batchIndex]), source: 'custom' };
	}
	const eventId = input.webhookEventId?.trim();
	if (eventId) {
		const parts = ['event', eventId, input.nodeId, input.batchIndex, input.recipients.join(',')];
		if (input.occurrence) parts.push(input.occurrence);
		return { key: deriveUuid(parts), source: 'event' };
	}
	return { key: random(), source: 'random' };
}

/** The LINE event ID an input item carries when it came from the LINE Trigger. */
export function webhookEventIdOf(json: unknown): string | undefined {
	if (typeof json !== 'object' || json === null) return undefined;
	const value = (json as Record<string, unknown>).webhookEventId;
	return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}
