import {
	canRefresh,
	expiryWithMargin,
	isSessionUsable,
	obtainSession,
	PortersAuthError,
	type AuthHttpRequest,
	parseSession,
	portersBaseUrl,
	serializeSession,
	sessionFromAuth,
	tokenForm,
} from '../../core/porters/auth';
import { describeAuthError, describeResultCode, resultCodeReaction } from '../../core/porters/resultCodes';

describe('PORTERS base URL', () => {
	it('defaults to the shared host over HTTPS', () => {
		expect(portersBaseUrl('https', '')).toBe('https://api-hrbc-jp.porterscloud.com');
		expect(portersBaseUrl(undefined, 'api-hrbc-jp.porterscloud.com')).toBe('https://api-hrbc-jp.porterscloud.com');
		expect(portersBaseUrl('https', 'https://dedicated.example.jp/')).toBe('https://dedicated.example.jp');
	});

	it('allows plain HTTP only for a local sandbox', () => {
		expect(portersBaseUrl('http', '127.0.0.1:8788')).toBe('http://127.0.0.1:8788');
		expect(portersBaseUrl('http', 'localhost:8788')).toBe('http://localhost:8788');
		expect(portersBaseUrl('http', 'porters-sandbox:8788')).toBe('http://porters-sandbox:8788');
		expect(() => portersBaseUrl('http', 'api-hrbc-jp.porterscloud.com')).toThrow(
			'HTTP (without TLS) is only allowed for a local PORTERS sandbox',
		);
	});

	it('refuses paths and credentials in the host field', () => {
		expect(() => portersBaseUrl('https', 'example.com/v1')).toThrow('must be a host name only');
		expect(() => portersBaseUrl('https', 'user@example.com')).toThrow('must be a host name only');
	});
});

describe('token requests and session', () => {
	it('sends the refresh token in the parameter named code', () => {
		expect(tokenForm('app', 'sec', { refreshToken: 'r1' })).toEqual({
			app_id: 'app',
			secret: 'sec',
			grant_type: 'refresh_token',
			code: 'r1',
		});
		expect(tokenForm('app', 'sec', { code: 'c1' }).grant_type).toBe('oauth_code');
	});

	it('renews a little early: at most a minute, at most a tenth of the lifetime', () => {
		expect(expiryWithMargin(0, 1_800_000)).toBe(1_740_000);
		expect(expiryWithMargin(0, 2_000)).toBe(1_800);
	});

	it('is bound to the host and app it was issued for', () => {
		const now = 1_000_000;
		const s = sessionFromAuth(
			{ error: 0, accessToken: 'a', accessTokenExpiresIn: 60_000, refreshToken: 'r', refreshTokenExpiresIn: 120_000 },
			now,
			'https://h',
			'app',
		);
		const round = parseSession(serializeSession(s));
		expect(round).toEqual(s);
		expect(isSessionUsable(round, now + 1000, 'https://h', 'app')).toBe(true);
		expect(isSessionUsable(round, now + 59_000, 'https://h', 'app')).toBe(false);
		expect(isSessionUsable(round, now, 'https://other', 'app')).toBe(false);
		expect(isSessionUsable(round, now, 'https://h', 'other-app')).toBe(false);
		expect(canRefresh(round, now + 100_000, 'https://h', 'app')).toBe(true);
		expect(canRefresh(round, now + 120_000, 'https://h', 'app')).toBe(false);
	});

	it('keeps the old refresh token when a refresh answer has none, and ignores junk', () => {
		const prev = sessionFromAuth({ error: 0, accessToken: 'a', refreshToken: 'r' }, 0, 'b', 'x');
		const next = sessionFromAuth({ error: 0, accessToken: 'a2', accessTokenExpiresIn: 1000 }, 10, 'b', 'x', prev);
		expect(next.refreshToken).toBe('r');
		expect(parseSession('not json')).toBeUndefined();
		expect(parseSession('{"v":2}')).toBeUndefined();
		expect(parseSession('')).toBeUndefined();
		expect(() => sessionFromAuth({ error: 0 }, 0, 'b', 'x')).toThrow('without an access token');
	});
});

describe('result codes in plain words', () => {
	it('classifies retries and re-authentication', () => {
		expect(resultCodeReaction(9)).toBe('retry');
		expect(resultCodeReaction(302)).toBe('retry');
		expect(resultCodeReaction(401)).toBe('reauthenticate');
		expect(resultCodeReaction(402)).toBe('reauthenticate');
		expect(resultCodeReaction(100)).toBe('fail');
		expect(resultCodeReaction(424242)).toBe('fail');
	});

	it('explains codes a no-code user meets', () => {
		expect(describeResultCode(406)).toBe(
			"PORTERS result code 406: the request came from an IP address PORTERS has not registered for this app. Ask PORTERS to register this n8n server's outgoing IP address.",
		);
		// 104–116 are documented only as a group: no code claims a more specific meaning.
		for (let code = 104; code <= 116; code++) {
			expect(describeResultCode(code)).toBe(`PORTERS result code ${code}: value rejected (format, type or range)`);
		}
		expect(describeResultCode(103)).not.toContain('value rejected');
		expect(describeResultCode(117)).not.toContain('value rejected');
		expect(describeAuthError(105, 'Wrong secret')).toBe(
			'PORTERS authentication failed with error 105: the secret is wrong ("Wrong secret"). Check the Secret in the PORTERS credential (it may have been reissued).',
		);
	});
});

describe('the token flow over an injected HTTP function', () => {
	const app = { baseUrl: 'https://h', appId: 'app', secret: 'sec' };
	const xmlOf = (fields: Record<string, string | number>) =>
		`<Authentication>${Object.entries(fields)
			.map(([k, v]) => `<${k}>${v}</${k}>`)
			.join('')}</Authentication>`;

	function fakeSend(answers: Array<{ status?: number; body: string }>) {
		const calls: AuthHttpRequest[] = [];
		const send = async (request: AuthHttpRequest) => {
			calls.push(request);
			const next = answers.shift();
			if (!next) throw new Error('unexpected call');
			return { status: next.status ?? 200, body: next.body };
		};
		return { send, calls };
	}

	it('uses code_direct then the token exchange: two calls', async () => {
		const { send, calls } = fakeSend([
			{ body: xmlOf({ Code: 'c1', Error: 0, Message: 'Success' }) },
			{ body: xmlOf({ AccessToken: 'a1', AccessTokenExpiresIn: 1800000, RefreshToken: 'r1', RefreshTokenExpiresIn: 7200000, Error: 0 }) },
		]);
		const s = await obtainSession(send, app, undefined, () => 0);
		expect(s).toMatchObject({ accessToken: 'a1', refreshToken: 'r1', accessTokenExpiresAt: 1_740_000 });
		expect(calls).toEqual([
			{ method: 'GET', url: 'https://h/v1/oauth', qs: { app_id: 'app', response_type: 'code_direct' } },
			{ method: 'POST', url: 'https://h/v1/token', form: { app_id: 'app', secret: 'sec', grant_type: 'oauth_code', code: 'c1' } },
		]);
	});

	it('refreshes with one call while the refresh token lives, and falls back to a new code if refused', async () => {
		const previous = sessionFromAuth({ error: 0, accessToken: 'old', refreshToken: 'r0', refreshTokenExpiresIn: 100_000 }, 0, 'https://h', 'app');
		const ok = fakeSend([{ body: xmlOf({ AccessToken: 'a2', AccessTokenExpiresIn: 1000, Error: 0 }) }]);
		expect((await obtainSession(ok.send, app, previous, () => 10)).accessToken).toBe('a2');
		expect(ok.calls).toHaveLength(1);
		const refused = fakeSend([
			{ status: 400, body: xmlOf({ Error: 401, Message: 'expired' }) },
			{ body: xmlOf({ Code: 'c', Error: 0 }) },
			{ body: xmlOf({ AccessToken: 'a3', Error: 0 }) },
		]);
		expect((await obtainSession(refused.send, app, previous, () => 10)).accessToken).toBe('a3');
		expect(refused.calls.map((c) => c.url)).toEqual(['https://h/v1/token', 'https://h/v1/oauth', 'https://h/v1/token']);
	});

	it('fails clearly on a wrong secret, an unreadable answer, or missing settings', async () => {
		const wrong = fakeSend([{ body: xmlOf({ Code: 'c', Error: 0 }) }, { status: 400, body: xmlOf({ Error: 105, Message: 'Wrong secret' }) }]);
		await expect(obtainSession(wrong.send, app, undefined, () => 0)).rejects.toThrow(PortersAuthError);
		const html = fakeSend([{ status: 502, body: '<html><body>Bad gateway</html>' }]);
		await expect(obtainSession(html.send, app, undefined, () => 0)).rejects.toThrow(
			'PORTERS answered the authentication request (https://h/v1/oauth) with HTTP 502 and no readable result',
		);
		await expect(obtainSession(fakeSend([]).send, { ...app, secret: '' }, undefined, () => 0)).rejects.toThrow(
			'needs both an App ID and a Secret',
		);
	});
});
