import { createReplyToken, deriveReplyLinkKey, replyLinkUrl, verifyReplyToken } from '../../core/line/replyLink';
import { deriveLinkKeys } from '../../core/login/keys';
import { createLinkState } from '../../core/login/state';

const channel = { channelId: '2000000001', channelSecret: 'c5b5e3d7a9f1b2c4d6e8f0a1b3c5d7e9' };
const NOW = Date.UTC(2026, 11, 1, 9, 0, 0);
const HOUR = 3_600_000;

describe('reply-page links', () => {
	const key = deriveReplyLinkKey(channel);

	it('carry the candidate ID until they expire, then only say so', () => {
		const issued = createReplyToken(key, '10001', NOW + 72 * HOUR);
		expect(issued.state).toMatch(/^[A-Za-z0-9]+$/);
		expect(verifyReplyToken(key, issued.state, NOW)).toEqual({
			ok: true,
			candidateId: '10001',
			expiresAt: NOW + 72 * HOUR,
			stateId: issued.stateId,
		});
		expect(verifyReplyToken(key, issued.state, NOW + 72 * HOUR)).toMatchObject({ ok: false, reason: 'expired' });
	});

	it('refuse every changed character, a missing token and garbage', () => {
		const { state } = createReplyToken(key, '10001', NOW + HOUR);
		for (let i = 0; i < state.length; i++) {
			const swapped = state.slice(0, i) + (state[i] === 'A' ? 'B' : 'A') + state.slice(i + 1);
			expect({ i, reason: (verifyReplyToken(key, swapped, NOW) as { reason?: string }).reason }).toEqual({ i, reason: 'tampered' });
		}
		for (const bad of [undefined, '', 'abc', 'x'.repeat(500), '!!!!']) {
			expect(verifyReplyToken(key, bad, NOW)).toMatchObject({ ok: false, reason: 'tampered' });
		}
	});

	it('are bound to their channel and never pass for a LINE Login link state, or back', () => {
		const { state } = createReplyToken(key, '10001', NOW + HOUR);
		const otherSecret = deriveReplyLinkKey({ ...channel, channelSecret: 'another-secret' });
		const otherChannel = deriveReplyLinkKey({ ...channel, channelId: '2000000002' });
		expect(verifyReplyToken(otherSecret, state, NOW)).toMatchObject({ reason: 'tampered' });
		expect(verifyReplyToken(otherChannel, state, NOW)).toMatchObject({ reason: 'tampered' });

		// A login channel whose ID and secret equal the Messaging channel's still has other keys.
		const loginKeys = deriveLinkKeys(channel);
		const login = createLinkState(loginKeys, { candidateId: '10001', expiresAt: NOW + HOUR });
		expect(verifyReplyToken(key, login.state, NOW)).toMatchObject({ reason: 'tampered' });
	});

	it('need a channel secret', () => {
		expect(() => deriveReplyLinkKey({ ...channel, channelSecret: '' })).toThrow(/channel secret is empty/);
	});

	it('put the token in the page URL as t, keeping its other parameters', () => {
		expect(replyLinkUrl('https://n8n.example.jp/webhook/line-reply?lang=ja', 'Abc123')).toBe(
			'https://n8n.example.jp/webhook/line-reply?lang=ja&t=Abc123',
		);
	});
});
