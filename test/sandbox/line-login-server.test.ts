import { createHash, randomBytes } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

import { verifyLineIdToken } from '../../core/login/idToken';
import { LoginServer } from '../../sandbox/line/login';
import {
	DEFAULT_LOGIN_CHANNEL,
	DEFAULT_MESSAGING_CHANNEL,
	DEFAULT_USERS,
	ManualClock,
	type LoginChannelConfig,
	type SandboxUser,
} from '../../sandbox/line/model';

const CALLBACK = 'https://n8n.example.jp/webhook/1b2c/line-login';
const CHANNEL = DEFAULT_LOGIN_CHANNEL;
const TARO = DEFAULT_USERS[0];
const HANAKO = DEFAULT_USERS[1];

function b64url(bytes: Buffer): string {
	return bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}
function newVerifier(): { verifier: string; challenge: string } {
	const verifier = b64url(randomBytes(48));
	return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

interface Harness {
	url: string;
	login: LoginServer;
	clock: ManualClock;
	users: SandboxUser[];
	channel: LoginChannelConfig;
	close(): Promise<void>;
}

/** LoginServer behind a minimal HTTP server, independent of the full LINE sandbox. */
async function startHarness(): Promise<Harness> {
	const clock = new ManualClock();
	const users = DEFAULT_USERS.map((u) => ({ ...u }));
	const channel: LoginChannelConfig = { ...CHANNEL, callbackUrls: [CALLBACK] };
	const login = new LoginServer({
		clock,
		loginChannel: channel,
		users,
		messaging: DEFAULT_MESSAGING_CHANNEL,
	});
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (!(await login.handle(req, res, url, Buffer.concat(chunks)))) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not a login path');
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		login,
		clock,
		users,
		channel,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

let h: Harness;
beforeEach(async () => {
	h = await startHarness();
});
afterEach(async () => {
	await h.close();
});

interface AuthorizeParams {
	[key: string]: string | undefined;
}

function authorizeParams(overrides: AuthorizeParams = {}, challenge?: string): URLSearchParams {
	const base: AuthorizeParams = {
		response_type: 'code',
		client_id: CHANNEL.channelId,
		redirect_uri: CALLBACK,
		state: 'abcXYZ0123456789',
		scope: 'openid profile',
		nonce: 'nonce-1',
		bot_prompt: 'aggressive',
		...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
		...overrides,
	};
	const params = new URLSearchParams();
	for (const [k, v] of Object.entries(base)) if (v !== undefined) params.set(k, v);
	return params;
}

async function authorize(
	params: URLSearchParams,
): Promise<{ status: number; location?: URL; body: string }> {
	const response = await fetch(
		`${h.url}/oauth2/v2.1/authorize?${params.toString().replace(/\+/g, '%20')}`,
		{
			redirect: 'manual',
		},
	);
	const location = response.headers.get('location');
	return {
		status: response.status,
		location: location ? new URL(location) : undefined,
		body: await response.text(),
	};
}

async function token(
	fields: Record<string, string | undefined>,
): Promise<{ status: number; body: Record<string, unknown> }> {
	const form = new URLSearchParams();
	for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
	const response = await fetch(`${h.url}/oauth2/v2.1/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: form.toString(),
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function redeem(
	code: string,
	verifier: string | undefined,
	overrides: Record<string, string | undefined> = {},
) {
	return token({
		grant_type: 'authorization_code',
		code,
		redirect_uri: CALLBACK,
		client_id: CHANNEL.channelId,
		client_secret: CHANNEL.channelSecret,
		code_verifier: verifier,
		...overrides,
	});
}

async function getJson(
	path: string,
	accessToken?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await fetch(`${h.url}${path}`, {
		headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function loginOnce(overrides: AuthorizeParams = {}) {
	const pkce = newVerifier();
	const result = await authorize(authorizeParams(overrides, pkce.challenge));
	expect(result.status).toBe(302);
	const code = result.location?.searchParams.get('code') ?? '';
	return { ...pkce, code, location: result.location as URL };
}

describe('LINE Login sandbox: authorize', () => {
	it('simulates consent and friend-add, then redirects back with code and state', async () => {
		h.login.nextConsent = { userId: TARO.userId, decision: 'approve', addFriend: true };
		const { location } = await loginOnce();
		expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
		expect(location.searchParams.get('state')).toBe('abcXYZ0123456789');
		expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20}$/);
		expect(location.searchParams.get('friendship_status_changed')).toBe('true');
		// The same user object the Messaging API side reads.
		expect(h.users[0].isFriend).toBe(true);
	});

	it('leaves friendship_status_changed out when the option is not shown', async () => {
		h.users[0].isFriend = true;
		expect((await loginOnce()).location.searchParams.has('friendship_status_changed')).toBe(false);
		h.users[0].isFriend = false;
		expect(
			(await loginOnce({ bot_prompt: undefined })).location.searchParams.has(
				'friendship_status_changed',
			),
		).toBe(false);
		expect(h.users[0].isFriend).toBe(false);
	});

	it('reports a declined friend-add as false', async () => {
		h.login.nextConsent = { userId: HANAKO.userId, decision: 'approve', addFriend: false };
		const { location } = await loginOnce({ bot_prompt: 'normal' });
		expect(location.searchParams.get('friendship_status_changed')).toBe('false');
		expect(h.users[1].isFriend).toBe(false);
	});

	it('redirects with ACCESS_DENIED when the user cancels', async () => {
		h.login.nextConsent = { userId: TARO.userId, decision: 'deny', addFriend: false };
		const result = await authorize(authorizeParams());
		expect(result.status).toBe(302);
		const q = result.location?.searchParams;
		expect(q?.get('error')).toBe('ACCESS_DENIED');
		expect(q?.get('error_description')).toBe('The resource owner denied the request.');
		expect(q?.get('state')).toBe('abcXYZ0123456789');
		expect(q?.has('code')).toBe(false);
		expect(h.login.issuedCodes).toHaveLength(0);
	});

	it('never redirects for an unknown client_id or an unregistered redirect_uri', async () => {
		const badClient = await authorize(authorizeParams({ client_id: '1999999999' }));
		expect(badClient.status).toBe(400);
		expect(badClient.location).toBeUndefined();
		const badRedirect = await authorize(
			authorizeParams({ redirect_uri: 'https://evil.example/cb' }),
		);
		expect(badRedirect.status).toBe(400);
		expect(badRedirect.body).toContain('redirect_uri');
		const prefixOnly = await authorize(authorizeParams({ redirect_uri: CALLBACK + 'x' }));
		expect(prefixOnly.status).toBe(400);
		// A registered URL plus extra query parameters is valid, as LINE documents.
		const withQuery = await authorize(authorizeParams({ redirect_uri: `${CALLBACK}?source=mail` }));
		expect(withQuery.status).toBe(302);
		expect(withQuery.location?.searchParams.get('source')).toBe('mail');
	});

	it.each([
		[{ response_type: 'token' }, 'UNSUPPORTED_RESPONSE_TYPE'],
		[{ scope: 'email' }, 'INVALID_SCOPE'],
		[{ scope: 'profile email' }, 'INVALID_SCOPE'],
		[{ scope: 'openid profile friends' }, 'INVALID_SCOPE'],
		[{ state: 'abc-def' }, 'INVALID_REQUEST'],
		[{ state: undefined }, 'INVALID_REQUEST'],
		[{ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'INVALID_REQUEST'],
		[{ code_challenge: 'short', code_challenge_method: 'S256' }, 'INVALID_REQUEST'],
		[{ bot_prompt: 'always' }, 'INVALID_REQUEST'],
	])('redirects %j with error %s', async (overrides, error) => {
		const result = await authorize(authorizeParams(overrides as AuthorizeParams));
		expect(result.status).toBe(302);
		expect(result.location?.searchParams.get('error')).toBe(error);
		expect(result.location?.searchParams.has('code')).toBe(false);
	});

	it('lets only developers log in while the channel is unpublished', async () => {
		h.channel.published = false;
		const refused = await authorize(authorizeParams());
		expect(refused.status).toBe(400);
		expect(refused.body).toMatch(/Developing|development/);
		h.login.developers.add(TARO.userId);
		expect((await authorize(authorizeParams())).status).toBe(302);
	});

	it('imitates a failed auto-login: invalid code and a different state', async () => {
		h.login.nextConsent = { userId: TARO.userId, decision: 'autoLoginFailure', addFriend: false };
		const result = await authorize(authorizeParams());
		const q = result.location?.searchParams;
		expect(q?.get('state')).not.toBe('abcXYZ0123456789');
		expect((await redeem(q?.get('code') ?? '', undefined)).body.error).toBe('invalid_grant');
	});
});

describe('LINE Login sandbox: token', () => {
	it('issues tokens and an HS256 ID token that a strict verifier accepts', async () => {
		const { code, verifier } = await loginOnce();
		const { status, body } = await redeem(code, verifier);
		expect(status).toBe(200);
		expect(body).toMatchObject({
			expires_in: 2592000,
			scope: 'openid profile',
			token_type: 'Bearer',
		});
		expect(typeof body.access_token).toBe('string');
		expect(typeof body.refresh_token).toBe('string');
		const check = verifyLineIdToken(body.id_token, {
			channelId: CHANNEL.channelId,
			channelSecret: CHANNEL.channelSecret,
			nonce: 'nonce-1',
			now: h.clock.now(),
		});
		expect(check).toMatchObject({
			ok: true,
			claims: { sub: TARO.userId, name: TARO.displayName, picture: TARO.pictureUrl },
		});
	});

	it('adds the email claim for the email scope, but never lists email in scope', async () => {
		const { code, verifier } = await loginOnce({ scope: 'openid profile email' });
		const { body } = await redeem(code, verifier);
		expect(body.scope).toBe('openid profile');
		const payload = JSON.parse(
			Buffer.from(String(body.id_token).split('.')[1], 'base64url').toString(),
		);
		expect(payload.email).toBe(TARO.email);
	});

	it('accepts a code once, and revokes what it gave when the code is replayed', async () => {
		const { code, verifier } = await loginOnce();
		const first = await redeem(code, verifier);
		expect(first.status).toBe(200);
		expect((await getJson('/friendship/v1/status', String(first.body.access_token))).status).toBe(
			200,
		);
		const replay = await redeem(code, verifier);
		expect(replay).toEqual({
			status: 400,
			body: { error: 'invalid_grant', error_description: 'authorization code already used' },
		});
		expect((await getJson('/friendship/v1/status', String(first.body.access_token))).status).toBe(
			401,
		);
	});

	it('keeps a code valid for 10 minutes', async () => {
		const early = await loginOnce();
		h.clock.advance(10 * 60 * 1000 - 1000);
		expect((await redeem(early.code, early.verifier)).status).toBe(200);
		const late = await loginOnce();
		h.clock.advance(10 * 60 * 1000);
		expect((await redeem(late.code, late.verifier)).body).toMatchObject({
			error: 'invalid_grant',
			error_description: 'authorization code expired',
		});
	});

	it('binds a code to its redirect_uri and PKCE challenge, and spends it on a failed attempt', async () => {
		const a = await loginOnce();
		expect((await redeem(a.code, a.verifier, { redirect_uri: `${CALLBACK}?x=1` })).body.error).toBe(
			'invalid_grant',
		);
		expect((await redeem(a.code, a.verifier)).body.error_description).toBe(
			'authorization code already used',
		);

		const b = await loginOnce();
		const other = newVerifier();
		expect((await redeem(b.code, other.verifier)).body).toMatchObject({
			error: 'invalid_grant',
			error_description: 'code_verifier does not match',
		});
		expect((await redeem(b.code, b.verifier)).status).toBe(400);

		const c = await loginOnce();
		expect((await redeem(c.code, undefined)).body.error).toBe('invalid_grant');
	});

	it('rejects a wrong channel ID or secret with invalid_client, with a configurable status', async () => {
		const { code, verifier } = await loginOnce();
		expect(await redeem(code, verifier, { client_secret: 'wrong' })).toEqual({
			status: 400,
			body: { error: 'invalid_client', error_description: 'invalid client' },
		});
		h.login.invalidClientStatus = 401;
		expect((await redeem(code, verifier, { client_id: '2000000009' })).status).toBe(401);
		// The code was not touched by unauthenticated attempts.
		expect((await redeem(code, verifier)).status).toBe(200);
	});

	it('answers a dummy code with invalid_grant when the client is right', async () => {
		expect(await redeem('n8nCredentialTestCode', undefined)).toEqual({
			status: 400,
			body: { error: 'invalid_grant', error_description: 'invalid authorization code' },
		});
	});

	it('refuses a non-form body and leaves client_credentials to the Messaging side', async () => {
		const json = await fetch(`${h.url}/oauth2/v2.1/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ grant_type: 'authorization_code' }),
		});
		expect(json.status).toBe(400);
		const channelToken = await fetch(`${h.url}/oauth2/v2.1/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials&client_assertion=x',
		});
		expect(channelToken.status).toBe(404);
		expect(await channelToken.text()).toBe('not a login path');
	});

	it('records token requests without the client secret or the verifier', async () => {
		const { code, verifier } = await loginOnce();
		await redeem(code, verifier);
		await redeem(code, verifier, { client_secret: 'wrong-secret' });
		const recorded = JSON.stringify(h.login.tokenRequests);
		expect(recorded).not.toContain(CHANNEL.channelSecret);
		expect(recorded).not.toContain(verifier);
		expect(
			h.login.tokenRequests.map((r) => [r.status, r.clientSecretMatched, r.codeVerifierSent]),
		).toEqual([
			[200, true, true],
			[400, false, true],
		]);
	});
});

describe('LINE Login sandbox: verify, profile, friendship', () => {
	async function tokens(overrides: AuthorizeParams = {}) {
		const { code, verifier } = await loginOnce(overrides);
		return (await redeem(code, verifier)).body;
	}

	async function verifyIdToken(fields: Record<string, string>) {
		const response = await fetch(`${h.url}/oauth2/v2.1/verify`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
		});
		return { status: response.status, body: (await response.json()) as Record<string, unknown> };
	}

	it('verifies ID tokens like LINE, with LINE error texts', async () => {
		const idToken = String((await tokens()).id_token);
		const ok = await verifyIdToken({
			id_token: idToken,
			client_id: CHANNEL.channelId,
			nonce: 'nonce-1',
		});
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({
			iss: 'https://access.line.me',
			sub: TARO.userId,
			aud: CHANNEL.channelId,
		});
		const cases: Array<[Record<string, string>, string]> = [
			[{ client_id: CHANNEL.channelId, nonce: 'other' }, 'Invalid IdToken Nonce.'],
			[{ client_id: '2000000009' }, 'Invalid IdToken Audience.'],
			[
				{ client_id: CHANNEL.channelId, user_id: HANAKO.userId },
				'Invalid IdToken Subject Identifier.',
			],
		];
		for (const [fields, description] of cases) {
			const result = await verifyIdToken({ id_token: idToken, ...fields });
			expect(result).toEqual({
				status: 400,
				body: { error: 'invalid_request', error_description: description },
			});
		}
		const [hPart, , sPart] = idToken.split('.');
		const forged = `${hPart}.${b64url(Buffer.from(JSON.stringify({ sub: HANAKO.userId })))}.${sPart}`;
		expect(
			(await verifyIdToken({ id_token: forged, client_id: CHANNEL.channelId })).body
				.error_description,
		).toBe('Invalid IdToken.');
		h.clock.advance(2 * 60 * 60 * 1000);
		expect(
			(await verifyIdToken({ id_token: idToken, client_id: CHANNEL.channelId })).body
				.error_description,
		).toBe('IdToken expired.');
	});

	it('verifies access tokens and serves profile and friendship status', async () => {
		h.login.nextConsent = { userId: TARO.userId, decision: 'approve', addFriend: false };
		const accessToken = String((await tokens()).access_token);
		const verified = await getJson(
			`/oauth2/v2.1/verify?access_token=${encodeURIComponent(accessToken)}`,
		);
		expect(verified.body).toMatchObject({ scope: 'openid profile', client_id: CHANNEL.channelId });
		expect(verified.body.expires_in).toBeGreaterThan(2591000);
		expect((await getJson('/v2/profile', accessToken)).body).toEqual({
			userId: TARO.userId,
			displayName: TARO.displayName,
			pictureUrl: TARO.pictureUrl,
			statusMessage: TARO.statusMessage,
		});
		expect((await getJson('/friendship/v1/status', accessToken)).body).toEqual({
			friendFlag: false,
		});
		h.users[0].isFriend = true;
		expect((await getJson('/friendship/v1/status', accessToken)).body).toEqual({
			friendFlag: true,
		});
		expect((await getJson('/friendship/v1/status', 'not-a-token')).status).toBe(401);
		expect((await getJson('/friendship/v1/status')).status).toBe(401);
	});

	it('needs the profile scope for friendship status', async () => {
		const accessToken = String((await tokens({ scope: 'openid' })).access_token);
		expect((await getJson('/friendship/v1/status', accessToken)).status).toBe(403);
	});
});

describe('LINE Login sandbox: controls over HTTP', () => {
	async function control(path: string, body?: unknown) {
		const response = await fetch(`${h.url}/__sandbox/login${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: (await response.json()) as unknown };
	}

	it('chooses the consenting user and reports issued codes', async () => {
		expect((await control('/consent', { userId: HANAKO.userId, addFriend: false })).body).toEqual({
			userId: HANAKO.userId,
			decision: 'approve',
			addFriend: false,
		});
		const { code, verifier } = await loginOnce();
		const listed = (await control('/codes')).body as Array<Record<string, unknown>>;
		expect(listed).toHaveLength(1);
		expect(listed[0]).toMatchObject({
			code,
			userId: HANAKO.userId,
			redirectUri: CALLBACK,
			accessTokenCount: 0,
		});
		await redeem(code, verifier);
		expect(
			((await control('/codes')).body as Array<Record<string, unknown>>)[0].accessTokenCount,
		).toBe(1);
		expect((await control('/consent', { decision: 'maybe' })).status).toBe(400);
	});

	it('changes the channel and forges the next ID token', async () => {
		await control('/channel', {
			published: false,
			developers: [TARO.userId],
			invalidClientStatus: 401,
		});
		expect(h.channel.published).toBe(false);
		expect((await authorize(authorizeParams())).status).toBe(302);
		expect((await redeem('x', undefined, { client_secret: 'nope' })).status).toBe(401);

		await control('/forge-id-token', { payload: { aud: '2000000009' } });
		const { code, verifier } = await loginOnce();
		const { body } = await redeem(code, verifier);
		const check = verifyLineIdToken(body.id_token, {
			channelId: CHANNEL.channelId,
			channelSecret: CHANNEL.channelSecret,
			nonce: 'nonce-1',
			now: h.clock.now(),
		});
		expect(check).toMatchObject({ ok: false, problem: 'wrong_audience' });

		// One forgery only: the next token is genuine again.
		const next = await loginOnce();
		const genuine = await redeem(next.code, next.verifier);
		expect(
			verifyLineIdToken(genuine.body.id_token, {
				channelId: CHANNEL.channelId,
				channelSecret: CHANNEL.channelSecret,
				nonce: 'nonce-1',
				now: h.clock.now(),
			}).ok,
		).toBe(true);
	});

	it('resets everything it owns', async () => {
		await loginOnce();
		h.login.developers.add('x');
		await control('/reset', {});
		expect(h.login.issuedCodes).toHaveLength(0);
		expect(h.login.authorizeRequests).toHaveLength(0);
		expect(h.login.developers.size).toBe(0);
		expect(h.login.nextConsent).toEqual({
			userId: TARO.userId,
			decision: 'approve',
			addFriend: true,
		});
	});
});
