import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { LineLoginApi } from '../../credentials/LineLoginApi.credentials';
import { DEFAULT_LOGIN_CHANNEL } from '../../sandbox/line/model';
import { LineSandbox } from '../../sandbox/line/server';
import { runCredentialTest } from '../support/n8nContext';

const CALLBACK = 'https://n8n.example.jp/webhook/6f1d2c4e-line-login/line-login';
const CHANNEL = DEFAULT_LOGIN_CHANNEL;
const type = new LineLoginApi();

let sandbox: LineSandbox;
beforeAll(async () => {
	sandbox = new LineSandbox({ login: { callbackUrls: [CALLBACK] } });
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

async function setInvalidClientStatus(status: 400 | 401): Promise<void> {
	await fetch(`${sandbox.url}/__sandbox/login/channel`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ invalidClientStatus: status }),
	});
}

describe('LINE Login credential test', () => {
	it('passes for the right channel ID and secret (LINE answers invalid_grant)', async () => {
		expect(await runCredentialTest(type, credentials() as never)).toMatchObject({
			status: 'OK',
			statusCode: 400,
		});
		const sent = sandbox.requests.filter((r) => r.path === '/oauth2/v2.1/token');
		expect(sent).toHaveLength(1);
		expect(sent[0].body).toMatchObject({
			grant_type: 'authorization_code',
			code: 'n8nCredentialTestCode',
			redirect_uri: CALLBACK,
			client_id: CHANNEL.channelId,
		});
	});

	it.each([
		['a wrong channel secret', { channelSecret: 'ffffffffffffffffffffffffffffffff' }],
		['a wrong channel ID', { channelId: '2000000099' }],
	])('fails for %s, whatever status LINE uses for invalid_client', async (_name, overrides) => {
		for (const status of [400, 401] as const) {
			await setInvalidClientStatus(status);
			const result = await runCredentialTest(type, credentials(overrides) as never);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/does not accept this channel ID and channel secret/);
			expect(result.message).not.toContain(CHANNEL.channelSecret);
		}
	});

	it('fails when the API base URL does not lead to the LINE Login API', async () => {
		const result = await runCredentialTest(
			type,
			credentials({ apiBaseUrl: `${sandbox.url}/elsewhere` }) as never,
		);
		expect(result).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/did not answer like the LINE Login API/),
		});
	});

	it('fails when LINE is overloaded or broken instead of passing by accident', async () => {
		sandbox.injectFaults([{ status: 500, path: '/oauth2/v2.1/token' }]);
		expect((await runCredentialTest(type, credentials() as never)).status).toBe('Error');
		sandbox.injectFaults([{ status: 429, path: '/oauth2/v2.1/token' }]);
		expect((await runCredentialTest(type, credentials() as never)).status).toBe('Error');
		expect((await runCredentialTest(type, credentials() as never)).status).toBe('OK');
	});
});

describe('LINE Login credential authenticate', () => {
	const creds = { channelId: ' 2000000002 ', channelSecret: 's3cret' };

	it('adds client credentials to token requests only', async () => {
		const tokenRequest: IHttpRequestOptions = {
			url: '/oauth2/v2.1/token',
			method: 'POST',
			body: { grant_type: 'authorization_code', code: 'c' },
		};
		const authenticated = await type.authenticate(creds, tokenRequest);
		expect(authenticated.body).toEqual({
			grant_type: 'authorization_code',
			code: 'c',
			client_id: '2000000002',
			client_secret: 's3cret',
		});
		// The caller's options are not changed in place.
		expect(tokenRequest.body).toEqual({ grant_type: 'authorization_code', code: 'c' });
	});

	it('leaves every other request alone', async () => {
		const others: IHttpRequestOptions[] = [
			{
				url: '/friendship/v1/status',
				method: 'GET',
				headers: { Authorization: 'Bearer user-token' },
			},
			{ url: '/x', method: 'POST', body: { id_token: 't' } },
			{ url: '/x', method: 'POST', body: 'grant_type=authorization_code' },
			{ url: '/x', method: 'POST', body: [{ grant_type: 'authorization_code' }] },
		];
		for (const request of others) {
			expect(await type.authenticate(creds, request)).toBe(request);
		}
	});
});
