import * as fc from 'fast-check';

import {
	base62Decode,
	base62Encode,
	base64UrlDecode,
	base64UrlEncode,
} from '../../core/login/encoding';
import { deriveLinkKeys } from '../../core/login/keys';
import {
	MAX_CANDIDATE_ID_BYTES,
	MAX_STATE_LENGTH,
	candidateIdProblem,
	createLinkState,
	verifyLinkState,
} from '../../core/login/state';
import { createHmac } from 'crypto';

const SECRETS = { channelId: '2000000002', channelSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };
const keys = deriveLinkKeys(SECRETS);
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);
const WEEK = 7 * 24 * 60 * 60 * 1000;
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const candidateIds = fc.oneof(
	fc.stringMatching(/^[1-9][0-9]{0,11}$/),
	fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/),
	fc.constantFrom('山田-0001', 'Hanako 😊 7', 'x'.repeat(MAX_CANDIDATE_ID_BYTES)),
);

describe('base62 and base64url', () => {
	it('round-trips any byte string that starts with a non-zero byte', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 1, maxLength: 120 }),
				fc.integer({ min: 1, max: 255 }),
				(tail, head) => {
					const bytes = Buffer.from([head, ...tail]);
					const text = base62Encode(bytes);
					expect(text).toMatch(/^[0-9A-Za-z]+$/);
					expect(base62Decode(text)?.equals(bytes)).toBe(true);
				},
			),
		);
	});

	it('accepts only the canonical spelling', () => {
		const text = base62Encode(Buffer.from([1, 2, 3, 4]));
		expect(base62Decode('0' + text)).toBeUndefined();
		expect(base62Decode(text + '-')).toBeUndefined();
		expect(base62Decode('')).toBeUndefined();
		expect(() => base62Encode(Buffer.from([0, 1]))).toThrow(RangeError);
	});

	it('decodes base64url strictly', () => {
		const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
		const text = base64UrlEncode(bytes);
		expect(text).toBe('-_-_AQ');
		expect(base64UrlDecode(text)?.equals(bytes)).toBe(true);
		expect(base64UrlDecode(text + '==')).toBeUndefined();
		expect(base64UrlDecode('+/+/AQ')).toBeUndefined();
		// Same bytes, but the last character carries non-zero padding bits.
		expect(base64UrlDecode('-_-_AR')).toBeUndefined();
	});
});

describe('link keys', () => {
	it('derives separate, deterministic keys per purpose', () => {
		const again = deriveLinkKeys(SECRETS);
		expect(again.stateMac.equals(keys.stateMac)).toBe(true);
		const all = [keys.stateMac, keys.nonce, keys.pkceVerifier].map((k) => k.toString('hex'));
		expect(new Set(all).size).toBe(3);
		// Never the raw secret itself.
		expect(all).not.toContain(Buffer.from(SECRETS.channelSecret).toString('hex'));
	});

	it('depends on the channel ID and on the signing secret', () => {
		const otherChannel = deriveLinkKeys({ ...SECRETS, channelId: '2000000003' });
		const ownSecret = deriveLinkKeys({ ...SECRETS, linkSigningSecret: 'separate signing secret' });
		const ownSecretOtherChannelSecret = deriveLinkKeys({
			...SECRETS,
			channelSecret: 'ffffffffffffffffffffffffffffffff',
			linkSigningSecret: 'separate signing secret',
		});
		expect(otherChannel.stateMac.equals(keys.stateMac)).toBe(false);
		expect(ownSecret.stateMac.equals(keys.stateMac)).toBe(false);
		// With a signing secret set, the channel secret no longer matters for link keys.
		expect(ownSecretOtherChannelSecret.stateMac.equals(ownSecret.stateMac)).toBe(true);
	});

	it('refuses empty inputs', () => {
		expect(() => deriveLinkKeys({ channelId: '', channelSecret: 'x' })).toThrow('channel ID');
		expect(() => deriveLinkKeys({ channelId: '1', channelSecret: '' })).toThrow('channel secret');
	});
});

describe('link state', () => {
	it('round-trips candidate ID and expiry and is alphanumeric', () => {
		fc.assert(
			fc.property(
				candidateIds,
				fc.integer({ min: 60, max: 90 * 24 * 3600 }),
				(candidateId, ttlSeconds) => {
					const issued = createLinkState(keys, { candidateId, expiresAt: NOW + ttlSeconds * 1000 });
					expect(issued.state).toMatch(/^[0-9A-Za-z]+$/);
					expect(issued.state.length).toBeLessThanOrEqual(MAX_STATE_LENGTH);
					const check = verifyLinkState(keys, issued.state, NOW);
					expect(check).toEqual({
						ok: true,
						candidateId,
						expiresAt: issued.expiresAt,
						stateId: issued.stateId,
					});
				},
			),
		);
	});

	it('is compact for a typical PORTERS candidate ID', () => {
		const issued = createLinkState(keys, { candidateId: '1234567', expiresAt: NOW + WEEK });
		expect(issued.state.length).toBeLessThanOrEqual(64);
		expect(issued.stateId).toMatch(/^[0-9a-f]{32}$/);
	});

	it('differs for every link, even for the same candidate and expiry', () => {
		const a = createLinkState(keys, { candidateId: '42', expiresAt: NOW + WEEK });
		const b = createLinkState(keys, { candidateId: '42', expiresAt: NOW + WEEK });
		expect(a.state).not.toBe(b.state);
		expect(a.stateId).not.toBe(b.stateId);
	});

	it('rejects any single-character change as tampered', () => {
		const changes = fc.oneof(
			fc.record({
				kind: fc.constant('replace' as const),
				char: fc.constantFrom(...ALPHANUMERIC, '-', '_', '.', '%', ' ', 'é'),
			}),
			fc.record({
				kind: fc.constant('insert' as const),
				char: fc.constantFrom(...ALPHANUMERIC, '='),
			}),
			fc.record({ kind: fc.constant('delete' as const), char: fc.constant('') }),
		);
		fc.assert(
			fc.property(candidateIds, fc.nat(), changes, (candidateId, rawPosition, change) => {
				const { state } = createLinkState(keys, { candidateId, expiresAt: NOW + WEEK });
				const position = rawPosition % state.length;
				let changed: string;
				if (change.kind === 'replace') {
					fc.pre(state[position] !== change.char);
					changed = state.slice(0, position) + change.char + state.slice(position + 1);
				} else if (change.kind === 'insert') {
					changed = state.slice(0, position) + change.char + state.slice(position);
				} else {
					changed = state.slice(0, position) + state.slice(position + 1);
				}
				const check = verifyLinkState(keys, changed, NOW);
				expect(check.ok).toBe(false);
				expect(!check.ok && check.reason).toBe('tampered');
				expect(!check.ok && check.candidateId).toBeUndefined();
			}),
			{ numRuns: 2000 },
		);
	});

	it('expires exactly at its expiry, and still names the candidate', () => {
		const issued = createLinkState(keys, { candidateId: '1001', expiresAt: NOW + WEEK });
		expect(verifyLinkState(keys, issued.state, issued.expiresAt - 1).ok).toBe(true);
		const expired = verifyLinkState(keys, issued.state, issued.expiresAt);
		expect(expired).toMatchObject({ ok: false, reason: 'expired', candidateId: '1001' });
	});

	it('is rejected on another channel and with another signing secret', () => {
		const { state } = createLinkState(keys, { candidateId: '1001', expiresAt: NOW + WEEK });
		const otherChannel = deriveLinkKeys({ ...SECRETS, channelId: '2000000099' });
		const otherSecret = deriveLinkKeys({ ...SECRETS, linkSigningSecret: 'another secret' });
		expect(verifyLinkState(otherChannel, state, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
		expect(verifyLinkState(otherSecret, state, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
	});

	it('refuses a correctly signed layout with an unknown version', () => {
		// Build a version-2 layout by hand and sign it with the real MAC key.
		const id = Buffer.from('1001');
		const signed = Buffer.concat([
			Buffer.from([2, id.length]),
			id,
			Buffer.from([0, 0x7f, 0xff, 0xff, 0xff]),
			Buffer.alloc(16, 7),
		]);
		const mac = createHmac('sha256', keys.stateMac).update(signed).digest().subarray(0, 16);
		const state = base62Encode(Buffer.concat([signed, mac]));
		expect(verifyLinkState(keys, state, NOW)).toMatchObject({ ok: false, reason: 'tampered' });
	});

	it('treats missing, oversized and non-string states as tampered', () => {
		for (const value of [
			undefined,
			null,
			'',
			42,
			['abc'],
			'A'.repeat(MAX_STATE_LENGTH + 1),
			'abc',
		]) {
			expect(verifyLinkState(keys, value, NOW)).toMatchObject({ ok: false, reason: 'tampered' });
		}
	});

	it('validates candidate IDs before signing', () => {
		expect(candidateIdProblem('12345')).toBeUndefined();
		expect(candidateIdProblem('')).toMatch(/empty/);
		expect(candidateIdProblem(' 12')).toMatch(/spaces/);
		expect(candidateIdProblem('12\n3')).toMatch(/control/);
		expect(candidateIdProblem('あ'.repeat(22))).toMatch(/longer/);
		expect(() => createLinkState(keys, { candidateId: '', expiresAt: NOW + WEEK })).toThrow(
			RangeError,
		);
		expect(() => createLinkState(keys, { candidateId: '1', expiresAt: Number.NaN })).toThrow(
			RangeError,
		);
	});
});
