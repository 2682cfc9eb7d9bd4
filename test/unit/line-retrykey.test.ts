import { createHash } from 'crypto';
import fc from 'fast-check';
import { isRetryKey } from '../../sandbox/line/checks';
import { deriveUuid, isUuid, retryKeyFor, webhookEventIdOf } from '../../core/line/retryKey';

/** The documented construction, written out independently of the implementation. */
function expectedUuid(parts: Array<string | number>): string {
	const chunks = [Buffer.from('line-retry-key/v1')];
	for (const part of parts) {
		const bytes = Buffer.from(String(part), 'utf8');
		const length = Buffer.alloc(4);
		length.writeUInt32BE(bytes.length);
		chunks.push(length, bytes);
	}
	const digest = createHash('sha256').update(Buffer.concat(chunks)).digest();
	const b = Buffer.from(digest.subarray(0, 16));
	b[6] = (b[6] & 0x0f) | 0x50;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = b.toString('hex');
	return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20, 32)].join('-');
}

const EVENT = '01FZ74A0TDDPYRVKNK77XKC3ZR';
const TARO = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';

describe('deriveUuid', () => {
	it('is SHA-256 over length-prefixed parts, formatted as a name-based UUID', () => {
		const key = deriveUuid(['event', EVENT, 'node-1', 0, TARO]);
		expect(key).toBe(expectedUuid(['event', EVENT, 'node-1', 0, TARO]));
		expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	});

	it('does not confuse parts that concatenate alike', () => {
		expect(deriveUuid(['ab', 'c'])).not.toBe(deriveUuid(['a', 'bc']));
		expect(deriveUuid(['a', ''])).not.toBe(deriveUuid(['a']));
		expect(deriveUuid([1])).toBe(deriveUuid(['1']));
	});

	it('always gives a UUID that LINE (and the sandbox) accept, deterministic in its inputs', () => {
		fc.assert(
			fc.property(fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 6 }), (parts) => {
				const key = deriveUuid(parts);
				return isUuid(key) && isRetryKey(key) && key === deriveUuid([...parts]) && key === expectedUuid(parts);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('retryKeyFor', () => {
	const base = { nodeId: 'node-1', batchIndex: 0, recipients: [TARO] };

	it('derives the same key for the same event, node, batch and recipients', () => {
		const first = retryKeyFor({ ...base, webhookEventId: EVENT });
		expect(first.source).toBe('event');
		expect(retryKeyFor({ ...base, webhookEventId: ` ${EVENT} ` })).toEqual(first);
		for (const change of [
			{ webhookEventId: `${EVENT.slice(0, -1)}X` },
			{ nodeId: 'node-2' },
			{ batchIndex: 1 },
			{ recipients: ['U9c3e5a7b1d2f4e6a8b0c2d4e6f8a0b1c'] },
		]) {
			expect(retryKeyFor({ ...base, webhookEventId: EVENT, ...change }).key).not.toBe(first.key);
		}
	});

	it('counts repeated sends of one event to the same recipients in a run as distinct', () => {
		const first = retryKeyFor({ ...base, webhookEventId: EVENT });
		expect(retryKeyFor({ ...base, webhookEventId: EVENT, occurrence: 0 })).toEqual(first);
		const second = retryKeyFor({ ...base, webhookEventId: EVENT, occurrence: 1 });
		expect(second.key).not.toBe(first.key);
		expect(retryKeyFor({ ...base, webhookEventId: EVENT, occurrence: 1 })).toEqual(second);
	});

	it('gives a fresh random key without an event', () => {
		let n = 0;
		const random = () => `00000000-0000-4000-8000-00000000000${n++}`;
		expect(retryKeyFor(base, random)).toEqual({ key: '00000000-0000-4000-8000-000000000000', source: 'random' });
		expect(retryKeyFor(base, random).key).toBe('00000000-0000-4000-8000-000000000001');
		const real = retryKeyFor(base);
		expect(isUuid(real.key)).toBe(true);
		expect(real.key).not.toBe(retryKeyFor(base).key);
	});

	it('prefers a custom key: a UUID verbatim for the first request, anything else derived', () => {
		const uuid = 'A0B1C2D3-E4F5-4a6b-8c7d-8e9f0a1b2c3d';
		expect(retryKeyFor({ ...base, customKey: uuid, webhookEventId: EVENT })).toEqual({
			key: uuid.toLowerCase(),
			source: 'custom',
		});
		const second = retryKeyFor({ ...base, batchIndex: 1, customKey: uuid });
		expect(second.key).not.toBe(uuid.toLowerCase());
		expect(isUuid(second.key)).toBe(true);
		const text = retryKeyFor({ ...base, customKey: 'candidate-42-welcome' });
		expect(text).toEqual({ key: deriveUuid(['custom', 'candidate-42-welcome', 'node-1', 0]), source: 'custom' });
		expect(retryKeyFor({ ...base, customKey: '   ', webhookEventId: EVENT }).source).toBe('event');
	});
});

describe('webhookEventIdOf', () => {
	it('reads the event ID of an item from the LINE Trigger', () => {
		expect(webhookEventIdOf({ type: 'message', webhookEventId: EVENT })).toBe(EVENT);
		expect(webhookEventIdOf({ webhookEventId: '' })).toBeUndefined();
		expect(webhookEventIdOf({ webhookEventId: 12 })).toBeUndefined();
		expect(webhookEventIdOf(null)).toBeUndefined();
		expect(webhookEventIdOf({ candidateId: 'P-1' })).toBeUndefined();
	});
});
