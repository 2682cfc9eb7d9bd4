import * as fc from 'fast-check';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
} from 'n8n-workflow';

import { LineLoginApi } from '../../credentials/LineLoginApi.credentials';
import { buildLinkUrl } from '../../core/login/authorize';
import { deriveLinkKeys } from '../../core/login/keys';
import { deriveCodeVerifier } from '../../core/login/pkce';
import { LineLogin } from '../../nodes/LineLogin/LineLogin.node';
import { DEFAULT_LOGIN_CHANNEL, DEFAULT_USERS, ManualClock } from '../../sandbox/line/model';
import { LineSandbox } from '../../sandbox/line/server';
import { createExecuteContext, type RecordedHttpCall } from '../support/n8nContext';

const CALLBACK = 'https://n8n.example.jp/webhook/6f1d2c4e-line-login/line-login';
const CHANNEL = DEFAULT_LOGIN_CHANNEL;
const TARO = DEFAULT_USERS[0];
const HANAKO = DEFAULT_USERS[1];
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let sandbox: LineSandbox;
let clock: ManualClock;

beforeAll(async () => {
	clock = new ManualClock();
	sandbox = new LineSandbox({ clock, login: { callbackUrls: [CALLBACK] } });
	await sandbox.start(0);
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => {
	sandbox.reset();
});

function credentials(overrides: IDataObject = {}): IDataObject {
	return {
		channelId: CHANNEL.channelId,
		channelSecret: CHANNEL.channelSecret,
		callbackUrl: CALLBACK,
		linkSigningSecret: '',
		authorizeBaseUrl: sandbox.url,
		apiBaseUrl: sandbox.url,
		...overrides,
	};
}

interface RunResult {
	items: INodeExecutionData[];
	http: RecordedHttpCall[];
}

async function runNode(
	parameters: Record<string, unknown>,
	items: INodeExecutionData[],
	opts: { continueOnFail?: boolean; credentials?: IDataObject } = {},
): Promise<RunResult> {
	const ctx = createExecuteContext({
		parameters,
		items,
		credentials: { lineLoginApi: (opts.credentials ?? credentials()) as never },
		credentialTypes: { lineLoginApi: new LineLoginApi() },
		continueOnFail: opts.continueOnFail ?? false,
		node: { name: 'LINE Login', type: 'n8n-nodes-line-porters.lineLogin' },
	});
	const [items_] = await new LineLogin().execute.call(ctx);
	return { items: items_, http: ctx.http };
}

async function generate(
	candidateId: string,
	options: IDataObject = {},
	creds?: IDataObject,
): Promise<IDataObject> {
	const { items } = await runNode(
		{ operation: 'generateLinkUrl', candidateId, options },
		[{ json: {} }],
		{ credentials: creds },
	);
	return items[0].json;
}

async function consent(plan: {
	userId?: string;
	decision?: string;
	addFriend?: boolean;
}): Promise<void> {
	const response = await fetch(`${sandbox.url}/__sandbox/login/consent`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(plan),
	});
	expect(response.status).toBe(200);
}

async function forgeNextIdToken(spec: IDataObject): Promise<void> {
	const response = await fetch(`${sandbox.url}/__sandbox/login/forge-id-token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(spec),
	});
	expect(response.status).toBe(200);
}

/** The candidate's browser: opens the link; LINE (the sandbox) redirects to the callback. */
async function openLink(url: string): Promise<Record<string, string>> {
	const response = await fetch(url, { redirect: 'manual' });
	expect(response.status).toBe(302);
	const location = new URL(response.headers.get('location') ?? '');
	expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
	return Object.fromEntries(location.searchParams);
}

/** What an n8n Webhook node emits for the callback request. */
function webhookItem(query: Record<string, unknown>): INodeExecutionData {
	return { json: { headers: { host: 'n8n.example.jp' }, params: {}, query, body: {} } };
}

async function link(
	query: Record<string, unknown>,
	opts: { continueOnFail?: boolean; credentials?: IDataObject } = {},
) {
	return runNode(
		{ operation: 'linkCandidate', callbackSource: 'webhookItem' },
		[webhookItem(query)],
		{
			continueOnFail: true,
			...opts,
		},
	);
}

function tokenRequests(http: RecordedHttpCall[]): RecordedHttpCall[] {
	return http.filter((call) => call.url.endsWith('/oauth2/v2.1/token'));
}

/** No output item claims a link. */
function expectNoLink(result: RunResult, reason: string): IDataObject {
	expect(result.items).toHaveLength(1);
	const json = result.items[0].json;
	expect(json.linked).toBe(false);
	expect(json.reason).toBe(reason);
	expect(json.lineUserId).toBeUndefined();
	expect(result.items[0].pairedItem).toEqual({ item: 0 });
	return json;
}

describe('LINE Login: full round trip through the sandbox', () => {
	it('generates a link, the candidate logs in and adds the friend, and the candidate is linked', async () => {
		const generated = await generate('10021');
		expect(generated).toMatchObject({
			candidateId: '10021',
			state: expect.stringMatching(/^[0-9A-Za-z]+$/),
		});
		const expiresIn = Date.parse(String(generated.expiresAt)) - Date.now();
		expect(expiresIn).toBeGreaterThan(7 * 86400e3 - 60e3);
		expect(expiresIn).toBeLessThanOrEqual(7 * 86400e3);
		expect(new URL(String(generated.url)).origin).toBe(sandbox.url);

		await consent({ userId: TARO.userId, decision: 'approve', addFriend: true });
		const query = await openLink(String(generated.url));
		expect(query).toMatchObject({ state: generated.state, friendship_status_changed: 'true' });

		const result = await link(query, { continueOnFail: false });
		expect(result.items).toEqual([
			{
				json: {
					linked: true,
					candidateId: '10021',
					lineUserId: TARO.userId,
					displayName: TARO.displayName,
					pictureUrl: TARO.pictureUrl,
					friendFlag: true,
					friendshipStatusChanged: true,
					stateId: generated.stateId,
					linkExpiresAt: generated.expiresAt,
				},
				pairedItem: { item: 0 },
			},
		]);
		// The same user is now a friend on the Messaging API side.
		expect(sandbox.users.find((u) => u.userId === TARO.userId)?.isFriend).toBe(true);

		// The wire: one token exchange with PKCE and client credentials, then the friendship status.
		expect(result.http.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
			'POST /oauth2/v2.1/token',
			'GET /friendship/v1/status',
		]);
		const keys = deriveLinkKeys(CHANNEL);
		const verifier = deriveCodeVerifier(keys, String(generated.state));
		expect(result.http[0].body).toEqual({
			grant_type: 'authorization_code',
			code: query.code,
			redirect_uri: CALLBACK,
			code_verifier: verifier,
			client_id: CHANNEL.channelId,
			client_secret: CHANNEL.channelSecret,
		});
		expect(result.http[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(result.http[1].headers.authorization).toMatch(/^Bearer \S+$/);
		expect(result.http[1].body).toBeUndefined();

		// Neither secrets nor tokens nor the verifier leave the node.
		const accessToken = result.http[1].headers.authorization.slice('Bearer '.length);
		const everything = JSON.stringify([generated, result.items]);
		for (const secret of [CHANNEL.channelSecret, verifier, accessToken])
			expect(everything).not.toContain(secret);
		expect(everything).not.toMatch(/id_token|access_token|eyJ/);
	});

	it('reports a declined friend-add and a user who was already a friend', async () => {
		await consent({ userId: HANAKO.userId, decision: 'approve', addFriend: false });
		const declined = await link(await openLink(String((await generate('7')).url)));
		expect(declined.items[0].json).toMatchObject({
			linked: true,
			lineUserId: HANAKO.userId,
			displayName: HANAKO.displayName,
			pictureUrl: null,
			friendFlag: false,
			friendshipStatusChanged: false,
		});

		sandbox.users.find((u) => u.userId === HANAKO.userId)!.isFriend = true;
		const already = await link(await openLink(String((await generate('7')).url)));
		expect(already.items[0].json).toMatchObject({
			linked: true,
			friendFlag: true,
			friendshipStatusChanged: null,
		});
	});

	it('honours the link options: no bot prompt, email scope, shorter validity', async () => {
		const generated = await generate('55', {
			botPrompt: 'none',
			includeEmail: true,
			validityDays: 1,
		});
		const url = new URL(String(generated.url));
		expect(url.searchParams.has('bot_prompt')).toBe(false);
		expect(url.searchParams.get('scope')).toBe('openid profile email');
		expect(Date.parse(String(generated.expiresAt)) - Date.now()).toBeLessThanOrEqual(86400e3);
		await consent({ userId: TARO.userId, decision: 'approve', addFriend: true });
		const query = await openLink(String(generated.url));
		expect(query.friendship_status_changed).toBeUndefined();
		const result = await link(query);
		expect(result.items[0].json).toMatchObject({
			linked: true,
			email: TARO.email,
			friendFlag: false,
		});
	});

	it('reads the callback from mapped fields as well', async () => {
		const query = await openLink(String((await generate('31')).url));
		const result = await runNode(
			{
				operation: 'linkCandidate',
				callbackSource: 'fields',
				code: query.code,
				state: query.state,
				error: '',
				errorDescription: '',
				friendshipStatusChanged: query.friendship_status_changed,
			},
			[{ json: { unrelated: true } }],
		);
		expect(result.items[0].json).toMatchObject({
			linked: true,
			candidateId: '31',
			lineUserId: TARO.userId,
		});
	});

	it('works with a separate link-signing secret, and old links die when it changes', async () => {
		const signed = credentials({ linkSigningSecret: 'a long separate signing secret' });
		const query = await openLink(String((await generate('900', {}, signed)).url));
		expect((await link(query, { credentials: signed })).items[0].json.linked).toBe(true);

		const second = await openLink(String((await generate('901', {}, signed)).url));
		const rotated = credentials({ linkSigningSecret: 'rotated secret' });
		const result = await link(second, { credentials: rotated });
		expectNoLink(result, 'tampered');
		expect(result.http).toHaveLength(0);
	});

	it('links each item of a batch on its own, with paired items', async () => {
		const a = await openLink(String((await generate('1')).url));
		const b = await openLink(String((await generate('2')).url));
		const result = await runNode(
			{ operation: 'linkCandidate', callbackSource: 'webhookItem' },
			[webhookItem(a), webhookItem({ ...b, state: 'broken' }), webhookItem(b)],
			{ continueOnFail: true },
		);
		expect(
			result.items.map((i) => [i.json.linked, i.json.candidateId ?? null, i.pairedItem]),
		).toEqual([
			[true, '1', { item: 0 }],
			[false, null, { item: 1 }],
			[true, '2', { item: 2 }],
		]);
	});
});

describe('LINE Login: rejected, with zero links made', () => {
	it('rejects any single-character change to a valid state, before any call to LINE', async () => {
		const generated = await generate('424242');
		const query = await openLink(String(generated.url));
		const state = String(query.state);
		await fc.assert(
			fc.asyncProperty(
				fc.nat(),
				fc.constantFrom(...ALPHANUMERIC, '-', '_', '%'),
				async (rawPosition, char) => {
					const position = rawPosition % state.length;
					fc.pre(state[position] !== char);
					const changed = state.slice(0, position) + char + state.slice(position + 1);
					const result = await link({ ...query, state: changed });
					expectNoLink(result, 'tampered');
					expect(result.items[0].json.candidateId).toBeUndefined();
					expect(result.http).toHaveLength(0);
				},
			),
			{ numRuns: 150 },
		);
		// The untouched code is still good: nothing above reached LINE.
		expect((await link(query)).items[0].json).toMatchObject({
			linked: true,
			candidateId: '424242',
		});
	});

	it('rejects an expired link without exchanging the code', async () => {
		const generated = await generate('77', { validityDays: 1 });
		const query = await openLink(String(generated.url));
		const realNow = Date.now.bind(Date);
		const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 86400e3 + 1000);
		try {
			const result = await link(query);
			const json = expectNoLink(result, 'expired');
			expect(json.candidateId).toBe('77');
			expect(json.message).toMatch(/expired.*new link/);
			expect(tokenRequests(result.http)).toHaveLength(0);
		} finally {
			spy.mockRestore();
		}
	});

	it('rejects a state signed for another LINE Login channel', async () => {
		const query = await openLink(String((await generate('88')).url));
		const otherChannel = deriveLinkKeys({ ...CHANNEL, channelId: '2000000099' });
		const foreign = buildLinkUrl({
			keys: otherChannel,
			callbackUrl: CALLBACK,
			candidateId: '88',
			expiresAt: Date.now() + 86400e3,
		});
		const result = await link({ ...query, state: foreign.state });
		expectNoLink(result, 'tampered');
		expect(result.http).toHaveLength(0);
	});

	it('rejects a replayed code: the second callback makes no second link', async () => {
		const query = await openLink(String((await generate('99')).url));
		expect((await link(query)).items[0].json.linked).toBe(true);
		const replay = await link(query);
		const json = expectNoLink(replay, 'code_rejected');
		expect(json.candidateId).toBe('99');
		expect(json.detail).toContain('invalid_grant');
		expect(tokenRequests(replay.http)).toHaveLength(1);
	});

	it('rejects a code that belongs to another login (bound to another verifier)', async () => {
		await consent({ userId: HANAKO.userId, decision: 'approve', addFriend: false });
		const victim = await openLink(String((await generate('victim-1')).url));
		const attacker = await openLink(String((await generate('attacker-2')).url));
		// The attacker's code injected into the victim's callback.
		const result = await link({ ...victim, code: attacker.code });
		const json = expectNoLink(result, 'code_rejected');
		expect(json.candidateId).toBe('victim-1');
		expect(json.detail).toMatch(/code_verifier/);
	});

	it('rejects an ID token whose nonce belongs to another login', async () => {
		const generated = await generate('66');
		const url = new URL(String(generated.url));
		url.searchParams.set('nonce', 'nonce-of-another-login');
		const result = await link(await openLink(url.toString()));
		const json = expectNoLink(result, 'id_token_invalid');
		expect(json.detail).toMatch(/nonce/);
		expect(result.http.map((c) => new URL(c.url).pathname)).toEqual(['/oauth2/v2.1/token']);
	});

	const forgeries: Array<[string, () => IDataObject, RegExp]> = [
		[
			'signed with another key',
			() => ({ signingKey: 'ffffffffffffffffffffffffffffffff' }),
			/bad_signature/,
		],
		['with alg none', () => ({ header: { alg: 'none' }, unsigned: true }), /unsupported_algorithm/],
		['for another audience', () => ({ payload: { aud: '2000000099' } }), /wrong_audience/],
		[
			'that has expired',
			() => {
				const now = Math.floor(Date.now() / 1000);
				return { payload: { iat: now - 7200, exp: now - 3600 } };
			},
			/expired/,
		],
		[
			'for another user claim without a valid signature',
			() => ({ payload: { sub: HANAKO.userId }, signingKey: 'x' }),
			/bad_signature/,
		],
	];

	it.each(forgeries)('rejects a forged ID token %s', async (_name, spec, detail) => {
		const query = await openLink(String((await generate('55')).url));
		await forgeNextIdToken(spec());
		const result = await link(query);
		const json = expectNoLink(result, 'id_token_invalid');
		expect(json.detail).toMatch(detail);
		// No friendship call either: nothing is believed from an unverified token.
		expect(result.http.map((c) => new URL(c.url).pathname)).toEqual(['/oauth2/v2.1/token']);
	});

	it('turns a cancelled login into denied, with a message a recruiter understands', async () => {
		await consent({ userId: TARO.userId, decision: 'deny' });
		const query = await openLink(String((await generate('12')).url));
		expect(query.error).toBe('ACCESS_DENIED');
		const json = expectNoLink(await link(query), 'denied');
		expect(json).toMatchObject({
			candidateId: '12',
			lineError: 'ACCESS_DENIED',
			lineErrorDescription: 'The resource owner denied the request.',
		});
		expect(json.message).toMatch(/cancelled the LINE login/);

		const thrown = link(query, { continueOnFail: false });
		await expect(thrown).rejects.toBeInstanceOf(NodeOperationError);
		await expect(link(query, { continueOnFail: false })).rejects.toThrow(
			/cancelled the LINE login/,
		);
	});

	it('rejects what LINE sends after a failed auto-login', async () => {
		await consent({ userId: TARO.userId, decision: 'autoLoginFailure' });
		const query = await openLink(String((await generate('13')).url));
		const result = await link(query);
		expectNoLink(result, 'tampered');
		expect(result.http).toHaveLength(0);
	});

	it('throws by default, naming the problem and never the secrets', async () => {
		const query = await openLink(String((await generate('14')).url));
		const failure = await link(
			{ ...query, state: query.state.slice(0, -2) },
			{ continueOnFail: false },
		).catch((error: Error) => error);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect((failure as NodeOperationError).message).toMatch(/not valid.*new link/);
		expect((failure as NodeOperationError).description).toMatch(/Reason: tampered/);
		expect(JSON.stringify(failure)).not.toContain(CHANNEL.channelSecret);
	});
});

describe('LINE Login: configuration problems', () => {
	it('reports a wrong channel secret as an API error without leaking it', async () => {
		const query = await openLink(String((await generate('20')).url));
		const wrongSecret = 'ffffffff00000000ffffffff00000000';
		const creds = credentials({ channelSecret: wrongSecret, linkSigningSecret: '' });
		// The link was signed with the right channel's key, so use a signing secret that matches.
		const signed = credentials({ linkSigningSecret: 'shared signing secret' });
		const query2 = await openLink(String((await generate('21', {}, signed)).url));
		const failure = await link(query2, {
			continueOnFail: false,
			credentials: { ...signed, channelSecret: wrongSecret },
		}).catch((error: Error) => error);
		expect(failure).toBeInstanceOf(NodeApiError);
		expect((failure as NodeApiError).message).toMatch(
			/did not accept the channel ID or channel secret/,
		);
		const serialised = JSON.stringify(failure) + String((failure as NodeApiError).description);
		for (const secret of [wrongSecret, CHANNEL.channelSecret, 'shared signing secret']) {
			expect(serialised).not.toContain(secret);
		}

		// With continue-on-fail it becomes an error item; the state itself is tampered for this key.
		const asItem = await link(query, { credentials: creds });
		expect(asItem.items[0].json.reason).toBe('tampered');
	});

	it('refuses to make a link for an empty candidate ID or a broken credential', async () => {
		await expect(
			runNode({ operation: 'generateLinkUrl', candidateId: '  ', options: {} }, [{ json: {} }]),
		).rejects.toThrow(/candidate ID is empty/);
		await expect(
			runNode({ operation: 'generateLinkUrl', candidateId: '1', options: {} }, [{ json: {} }], {
				credentials: credentials({ callbackUrl: '' }),
			}),
		).rejects.toThrow(/callback URL/);
		const asItems = await runNode(
			{ operation: 'generateLinkUrl', candidateId: '1', options: {} },
			[{ json: {} }, { json: {} }],
			{ continueOnFail: true, credentials: credentials({ channelId: 'abc' }) },
		);
		// The package's one error-item shape: what went wrong and what to do.
		const failed = {
			error: 'The LINE Login credential has no valid channel ID',
			description: 'Copy the channel ID (digits only) from the LINE Login channel → Basic settings.',
		};
		expect(asItems.items).toEqual([
			{ json: failed, pairedItem: { item: 0 } },
			{ json: failed, pairedItem: { item: 1 } },
		]);
	});

	it('reports an unreachable LINE Login API as a connection problem', async () => {
		const query = await openLink(String((await generate('30')).url));
		const failure = await link(query, {
			continueOnFail: false,
			credentials: credentials({ apiBaseUrl: 'http://127.0.0.1:9' }),
		}).catch((error: Error) => error);
		expect(failure).toBeInstanceOf(NodeApiError);
		expect((failure as NodeApiError).message).toBe('Could not reach the LINE Login API');
		expect(JSON.stringify(failure)).not.toContain(CHANNEL.channelSecret);
	});
});
