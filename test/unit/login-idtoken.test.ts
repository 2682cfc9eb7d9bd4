import { createHmac } from 'crypto';

import { verifyLineIdToken, type IdTokenExpectations } from '../../core/login/idToken';

/** An independent HS256 signer, so the verifier is not checked against itself. */
function b64url(value: string | Buffer): string {
	return Buffer.from(value)
		.toString('base64')
		.replace(/=+$/, '')
		.replace(/\+/g, '-')
		.replace(/\//g, '_');
}
function jwt(header: object, payload: object, key: string): string {
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
	return `${input}.${b64url(createHmac('sha256', key).update(input).digest())}`;
}

const CHANNEL_ID = '2000000002';
const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);
const iat = NOW / 1000;
const USER_ID = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';
const expectations: IdTokenExpectations = {
	channelId: CHANNEL_ID,
	channelSecret: SECRET,
	nonce: 'n-0S6_WzA2Mj',
	now: NOW,
};
const header = { typ: 'JWT', alg: 'HS256' };
const payload = {
	iss: 'https://access.line.me',
	sub: USER_ID,
	aud: CHANNEL_ID,
	exp: iat + 3600,
	iat,
	nonce: 'n-0S6_WzA2Mj',
	amr: ['pwd'],
	name: '山田 太郎',
	picture: 'https://profile.line-scdn.net/x',
};

describe('verifyLineIdToken', () => {
	it('accepts a genuine token and returns its claims', () => {
		const check = verifyLineIdToken(jwt(header, payload, SECRET), expectations);
		expect(check).toEqual({ ok: true, claims: payload });
	});

	it('keeps the email claim when present and drops unknown extras', () => {
		const check = verifyLineIdToken(
			jwt(header, { ...payload, email: 'taro@example.jp', extra: { nested: true } }, SECRET),
			expectations,
		);
		expect(check.ok && check.claims.email).toBe('taro@example.jp');
		expect(check.ok && 'extra' in check.claims).toBe(false);
	});

	const cases: Array<[string, string, string]> = [
		[
			'signed with another key',
			jwt(header, payload, 'ffffffffffffffffffffffffffffffff'),
			'bad_signature',
		],
		[
			'alg none without signature',
			`${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify(payload))}.`,
			'unsupported_algorithm',
		],
		[
			'alg none with an HS256 signature',
			jwt({ alg: 'none', typ: 'JWT' }, payload, SECRET),
			'unsupported_algorithm',
		],
		['alg HS384', jwt({ alg: 'HS384' }, payload, SECRET), 'unsupported_algorithm'],
		['alg ES256', jwt({ alg: 'ES256', kid: 'x' }, payload, SECRET), 'unsupported_algorithm'],
		['lower-case alg', jwt({ alg: 'hs256' }, payload, SECRET), 'unsupported_algorithm'],
		['wrong audience', jwt(header, { ...payload, aud: '2000000003' }, SECRET), 'wrong_audience'],
		[
			'audience as an array',
			jwt(header, { ...payload, aud: [CHANNEL_ID] }, SECRET),
			'wrong_audience',
		],
		[
			'wrong issuer',
			jwt(header, { ...payload, iss: 'https://evil.example' }, SECRET),
			'wrong_issuer',
		],
		['expired', jwt(header, { ...payload, exp: iat - 3600, iat: iat - 7200 }, SECRET), 'expired'],
		[
			'issued in the future',
			jwt(header, { ...payload, iat: iat + 600, exp: iat + 4200 }, SECRET),
			'issued_in_future',
		],
		[
			'nonce of another login',
			jwt(header, { ...payload, nonce: 'other' }, SECRET),
			'nonce_mismatch',
		],
		['no nonce', jwt(header, { ...payload, nonce: undefined }, SECRET), 'nonce_mismatch'],
		[
			'subject is not a LINE user ID',
			jwt(header, { ...payload, sub: 'attacker' }, SECRET),
			'bad_subject',
		],
		['no expiry', jwt(header, { ...payload, exp: undefined }, SECRET), 'malformed'],
		['two segments', jwt(header, payload, SECRET).split('.').slice(0, 2).join('.'), 'malformed'],
		['padded signature', jwt(header, payload, SECRET) + '=', 'bad_signature'],
		[
			'payload is not JSON',
			`${b64url(JSON.stringify(header))}.${b64url('not json')}.AAAA`,
			'bad_signature',
		],
		['critical header extension', jwt({ ...header, crit: ['exp'] }, payload, SECRET), 'malformed'],
	];

	it.each(cases)('rejects a token %s', (_name, token, problem) => {
		const check = verifyLineIdToken(token, expectations);
		expect(check.ok).toBe(false);
		expect(!check.ok && check.problem).toBe(problem);
	});

	it('rejects a payload changed after signing', () => {
		const [h, , s] = jwt(header, payload, SECRET).split('.');
		const forged = `${h}.${b64url(JSON.stringify({ ...payload, sub: 'U' + 'f'.repeat(32) }))}.${s}`;
		expect(verifyLineIdToken(forged, expectations)).toMatchObject({
			ok: false,
			problem: 'bad_signature',
		});
	});

	it('applies the clock tolerance on both sides', () => {
		const token = jwt(header, { ...payload, exp: iat - 10 }, SECRET);
		expect(verifyLineIdToken(token, expectations).ok).toBe(true);
		expect(verifyLineIdToken(token, { ...expectations, clockToleranceSeconds: 0 }).ok).toBe(false);
		const justExpired = jwt(header, { ...payload, exp: iat - 30 }, SECRET);
		expect(verifyLineIdToken(justExpired, expectations)).toMatchObject({
			ok: false,
			problem: 'expired',
		});
	});

	it('never puts the secret into its answers', () => {
		const check = verifyLineIdToken(jwt(header, payload, 'wrong'), expectations);
		expect(JSON.stringify(check)).not.toContain(SECRET);
	});

	it('refuses non-string input', () => {
		for (const value of [undefined, null, 12, {}, '']) {
			expect(verifyLineIdToken(value, expectations)).toMatchObject({
				ok: false,
				problem: 'malformed',
			});
		}
	});
});
