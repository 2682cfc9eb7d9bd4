import { buildLinkUrl, checkCallbackUrl, normaliseBaseUrl } from '../../core/login/authorize';
import {
	checkCallback,
	describeLinkFailure,
	type LinkFailureReason,
} from '../../core/login/callback';
import { deriveLinkKeys } from '../../core/login/keys';
import {
	CODE_VERIFIER_FORMAT,
	codeChallengeS256,
	deriveCodeVerifier,
	deriveNonce,
} from '../../core/login/pkce';
import { createLinkState } from '../../core/login/state';

const SECRETS = { channelId: '2000000002', channelSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };
const keys = deriveLinkKeys(SECRETS);
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);
const WEEK = 7 * 24 * 60 * 60 * 1000;
const CALLBACK = 'https://n8n.example.jp/webhook/4f7c/line-login';

describe('PKCE and nonce', () => {
	it('computes the RFC 7636 appendix B challenge', () => {
		expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
			'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
		);
	});

	it('refuses verifiers outside RFC 7636', () => {
		expect(() => codeChallengeS256('short')).toThrow(RangeError);
		expect(() => codeChallengeS256('a'.repeat(129))).toThrow(RangeError);
		expect(() => codeChallengeS256('a'.repeat(42) + '+')).toThrow(RangeError);
	});

	it('derives a valid verifier and a nonce per state, deterministically', () => {
		const a = createLinkState(keys, { candidateId: '1', expiresAt: NOW + WEEK }).state;
		const b = createLinkState(keys, { candidateId: '1', expiresAt: NOW + WEEK }).state;
		const verifier = deriveCodeVerifier(keys, a);
		expect(verifier).toMatch(CODE_VERIFIER_FORMAT);
		expect(verifier).toHaveLength(43);
		expect(deriveCodeVerifier(keys, a)).toBe(verifier);
		expect(deriveCodeVerifier(keys, b)).not.toBe(verifier);
		expect(deriveNonce(keys, a)).not.toBe(verifier);
		expect(deriveNonce(deriveLinkKeys({ ...SECRETS, channelId: '9' }), a)).not.toBe(
			deriveNonce(keys, a),
		);
	});
});

describe('buildLinkUrl', () => {
	const link = buildLinkUrl({
		keys,
		callbackUrl: CALLBACK,
		candidateId: '1234567',
		expiresAt: NOW + WEEK,
	});
	const url = new URL(link.url);

	it('builds a LINE Login v2.1 authorize URL with PKCE and bot prompt', () => {
		expect(`${url.origin}${url.pathname}`).toBe('https://access.line.me/oauth2/v2.1/authorize');
		const q = url.searchParams;
		expect(q.get('response_type')).toBe('code');
		expect(q.get('client_id')).toBe('2000000002');
		expect(q.get('redirect_uri')).toBe(CALLBACK);
		expect(q.get('state')).toBe(link.state);
		expect(q.get('scope')).toBe('openid profile');
		expect(q.get('nonce')).toBe(deriveNonce(keys, link.state));
		expect(q.get('code_challenge')).toBe(codeChallengeS256(deriveCodeVerifier(keys, link.state)));
		expect(q.get('code_challenge_method')).toBe('S256');
		expect(q.get('bot_prompt')).toBe('aggressive');
		expect(q.has('disable_auto_login')).toBe(false);
		expect(link.url).toContain('scope=openid%20profile&');
		expect(link.expiresAt).toBe(NOW + WEEK);
	});

	it('never exposes the verifier or a secret', () => {
		expect(link.url).not.toContain(deriveCodeVerifier(keys, link.state));
		expect(link.url).not.toContain(SECRETS.channelSecret);
		expect(JSON.stringify(link)).not.toContain(deriveCodeVerifier(keys, link.state));
	});

	it('honours the options', () => {
		const other = new URL(
			buildLinkUrl({
				keys,
				callbackUrl: CALLBACK,
				candidateId: '1',
				expiresAt: NOW + WEEK,
				authorizeBaseUrl: 'http://127.0.0.1:4010/',
				botPrompt: 'none',
				includeEmail: true,
				disableAutoLogin: true,
			}).url,
		);
		expect(other.origin).toBe('http://127.0.0.1:4010');
		expect(other.pathname).toBe('/oauth2/v2.1/authorize');
		expect(other.searchParams.has('bot_prompt')).toBe(false);
		expect(other.searchParams.get('scope')).toBe('openid profile email');
		expect(other.searchParams.get('disable_auto_login')).toBe('true');
	});

	it('refuses bad URLs', () => {
		expect(() => checkCallbackUrl('not a url')).toThrow(/callback URL/);
		expect(() => checkCallbackUrl('https://x.example/cb#frag')).toThrow(/fragment/);
		expect(() => checkCallbackUrl('ftp://x.example/cb')).toThrow(/https/);
		expect(() => normaliseBaseUrl('javascript:alert(1)', 'The authorize base URL')).toThrow(
			/https/,
		);
	});
});

describe('checkCallback', () => {
	const issued = createLinkState(keys, { candidateId: '1001', expiresAt: NOW + WEEK });

	it('accepts a genuine callback and derives what the token exchange needs', () => {
		const check = checkCallback(
			keys,
			{ code: 'abc', state: issued.state, friendship_status_changed: 'true' },
			NOW,
		);
		expect(check).toEqual({
			ok: true,
			candidateId: '1001',
			expiresAt: issued.expiresAt,
			stateId: issued.stateId,
			state: issued.state,
			code: 'abc',
			codeVerifier: deriveCodeVerifier(keys, issued.state),
			nonce: deriveNonce(keys, issued.state),
			friendshipStatusChanged: true,
		});
		expect(checkCallback(keys, { code: 'abc', state: issued.state }, NOW)).toMatchObject({
			friendshipStatusChanged: null,
		});
		expect(
			checkCallback(
				keys,
				{ code: 'abc', state: issued.state, friendship_status_changed: 'false' },
				NOW,
			),
		).toMatchObject({ friendshipStatusChanged: false });
	});

	it('turns a LINE error with a genuine state into denied', () => {
		const check = checkCallback(
			keys,
			{
				error: 'ACCESS_DENIED',
				error_description: 'The resource owner denied the request.',
				state: issued.state,
			},
			NOW,
		);
		expect(check).toMatchObject({
			ok: false,
			reason: 'denied',
			candidateId: '1001',
			lineError: 'ACCESS_DENIED',
			lineErrorDescription: 'The resource owner denied the request.',
		});
	});

	it('reports a tampered state before anything else', () => {
		const state = issued.state.slice(0, -1) + (issued.state.endsWith('a') ? 'b' : 'a');
		expect(checkCallback(keys, { code: 'abc', state }, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
		expect(checkCallback(keys, { error: 'ACCESS_DENIED', state }, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
		expect(checkCallback(keys, { code: 'abc' }, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
	});

	it('reports an expired link, and a missing code', () => {
		expect(
			checkCallback(keys, { code: 'abc', state: issued.state }, issued.expiresAt),
		).toMatchObject({
			ok: false,
			reason: 'expired',
			candidateId: '1001',
		});
		expect(checkCallback(keys, { state: issued.state }, NOW)).toMatchObject({
			ok: false,
			reason: 'code_rejected',
		});
	});

	it('refuses repeated parameters instead of picking one', () => {
		expect(checkCallback(keys, { code: ['a', 'b'], state: issued.state }, NOW)).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
		expect(
			checkCallback(keys, { code: 'a', state: [issued.state, issued.state] }, NOW),
		).toMatchObject({
			ok: false,
			reason: 'tampered',
		});
	});

	it('strips control and non-ASCII characters from LINE error texts', () => {
		const check = checkCallback(
			keys,
			{ error: 'ACCESS_DENIED', error_description: 'bad\n<script>é', state: issued.state },
			NOW,
		);
		expect(!check.ok && check.lineErrorDescription).toBe('bad<script>');
	});

	it('explains every failure in plain words', () => {
		const reasons: LinkFailureReason[] = [
			'expired',
			'tampered',
			'denied',
			'code_rejected',
			'id_token_invalid',
		];
		const texts = reasons.map((r) =>
			describeLinkFailure(r, r === 'denied' ? 'ACCESS_DENIED' : undefined),
		);
		expect(new Set(texts).size).toBe(reasons.length);
		for (const text of texts) expect(text.length).toBeGreaterThan(30);
		expect(describeLinkFailure('denied', 'SOMETHING_NEW')).toContain('SOMETHING_NEW');
	});
});
