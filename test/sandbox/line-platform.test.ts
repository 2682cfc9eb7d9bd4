import { validateSignature } from '@line/bot-sdk';
import { execFile } from 'child_process';
import { resolve } from 'path';
import { promisify } from 'util';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LineSandbox } from '../../sandbox/line/server';
import { BOT, HANAKO, TARO, api } from '../support/lineSandbox';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../sandbox/line/cli.js');

describe('LINE sandbox: webhook settings and the platform side', () => {
	const sandbox = new LineSandbox();
	const receiver = new WebhookReceiver();

	const signedBySandbox = (body: Buffer, signature: string | undefined): boolean =>
		validateSignature(body, sandbox.messaging.channelSecret, signature ?? '');

	beforeAll(async () => {
		await sandbox.start(0);
		await receiver.start(0);
	});
	afterAll(async () => {
		await sandbox.stop();
		await receiver.stop();
	});
	beforeEach(() => {
		sandbox.reset();
		receiver.received.length = 0;
		receiver.status = 200;
	});

	it('sets and reads the webhook endpoint', async () => {
		const none = await api(sandbox, 'GET', '/v2/bot/channel/webhook/endpoint');
		expect(none.status).toBe(404);
		const bad = await api(sandbox, 'PUT', '/v2/bot/channel/webhook/endpoint', { endpoint: 'not a url' });
		expect(bad.status).toBe(400);
		const set = await api(sandbox, 'PUT', '/v2/bot/channel/webhook/endpoint', { endpoint: receiver.url });
		expect(set.status).toBe(200);
		const got = await api(sandbox, 'GET', '/v2/bot/channel/webhook/endpoint');
		expect(got.json).toEqual({ endpoint: receiver.url, active: true });
		expect(sandbox.webhookEndpoint).toEqual({ endpoint: receiver.url, active: true });
	});

	it('test call reaches the listener with a valid signature and reports like LINE', async () => {
		const noEndpoint = await api(sandbox, 'POST', '/v2/bot/channel/webhook/test', {});
		expect(noEndpoint.status).toBe(404);
		expect(noEndpoint.json).toEqual({ message: 'Webhook endpoint not found' });

		await api(sandbox, 'PUT', '/v2/bot/channel/webhook/endpoint', { endpoint: receiver.url });
		const ok = await api(sandbox, 'POST', '/v2/bot/channel/webhook/test', {});
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({
			success: true,
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			statusCode: 200,
			reason: 'OK',
			detail: '200',
		});
		const got = receiver.received[0];
		expect(JSON.parse(got.rawBody.toString('utf8'))).toEqual({ destination: BOT, events: [] });
		expect(signedBySandbox(got.rawBody, got.headers['x-line-signature'])).toBe(true);

		receiver.status = 404;
		const failing = await api(sandbox, 'POST', '/v2/bot/channel/webhook/test', { endpoint: receiver.url });
		expect(failing.json).toEqual(
			expect.objectContaining({ success: false, statusCode: 404, reason: 'ERROR_STATUS_CODE' }),
		);
		const unreachable = await api(sandbox, 'POST', '/v2/bot/channel/webhook/test', {
			endpoint: 'http://127.0.0.1:9/nothing',
		});
		expect(unreachable.json).toEqual(
			expect.objectContaining({ success: false, statusCode: 0, reason: 'COULD_NOT_CONNECT' }),
		);
	});

	it('follow and unfollow change friendship as the user did', async () => {
		await sandbox.sendWebhook(receiver.url, { type: 'follow', userId: HANAKO });
		expect(sandbox.users.find((u) => u.userId === HANAKO)?.isFriend).toBe(true);
		await sandbox.sendWebhook(receiver.url, { type: 'unfollow', userId: HANAKO });
		expect(sandbox.users.find((u) => u.userId === HANAKO)?.isFriend).toBe(false);
		const body = receiver.lastJson();
		expect(body.events[0]).not.toHaveProperty('replyToken');
		sandbox.reset();
		expect(sandbox.users.find((u) => u.userId === HANAKO)?.isFriend).toBe(false);
		expect(sandbox.deliveries).toHaveLength(0);
	});

	it('exposes state and controls to other processes under /__sandbox/', async () => {
		const post = async (path: string, body: unknown) => {
			const res = await fetch(sandbox.url + path, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			return { status: res.status, json: (await res.json()) as Record<string, unknown> };
		};
		const sent = await post('/__sandbox/webhook', {
			url: receiver.url,
			events: [{ type: 'message', userId: TARO, text: '応募したいです' }],
		});
		expect(sent.status).toBe(200);
		expect(sent.json.status).toBe(200);
		expect(receiver.received).toHaveLength(1);

		const forged = await post('/__sandbox/webhook', {
			url: receiver.url,
			events: [{ type: 'follow' }],
			forgeSignature: true,
		});
		const forgedReq = receiver.received[1];
		expect(signedBySandbox(forgedReq.rawBody, forgedReq.headers['x-line-signature'])).toBe(false);
		expect(forged.json.status).toBe(200); // this receiver does not check signatures

		const event = (sent.json.events as Record<string, unknown>[])[0];
		const redelivered = await post('/__sandbox/redeliver', { url: receiver.url, event });
		expect(redelivered.json.status).toBe(200);
		expect(receiver.lastJson().events[0].deliveryContext).toEqual({ isRedelivery: true });

		expect((await post('/__sandbox/verify', { url: receiver.url })).json.status).toBe(200);
		const quota = await post('/__sandbox/quota', { limit: 10, consumption: 4 });
		expect(quota.json).toEqual({ limit: 10, consumption: 4 });
		const faults = await post('/__sandbox/faults', [{ status: 500, path: '/v2/bot/info' }]);
		expect(faults.json.pending).toHaveLength(1);
		expect((await api(sandbox, 'GET', '/v2/bot/info')).status).toBe(500);

		const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<string, unknown>;
		expect(state.quota).toEqual({ limit: 10, consumption: 4 });
		expect(state.webhookEndpoint).toBeNull();
		expect((state.users as { userId: string }[]).map((u) => u.userId)).toContain(TARO);
		expect(state.sentWebhooks).toHaveLength(4);

		expect((await post('/__sandbox/reset', {})).status).toBe(200);
		expect(sandbox.sentWebhooks).toHaveLength(0);
		expect(sandbox.quota).toEqual({ limit: 1_000_000, consumption: 0 });
	});

	it('hands LINE Login paths to the Login server before any Messaging API check', async () => {
		const login = (sandbox as unknown as { login: { handle: unknown } }).login;
		const original = login.handle;
		const seen: string[] = [];
		login.handle = (_req: unknown, res: import('http').ServerResponse, url: URL, raw: Buffer) => {
			seen.push(`${url.pathname} ${raw.toString('utf8')}`);
			if (url.pathname === '/v2/profile/unhandled') return false;
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"handled":true}');
			return true;
		};
		try {
			const token = await fetch(`${sandbox.url}/oauth2/v2.1/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: 'grant_type=authorization_code&code=abc',
			});
			expect(token.status).toBe(200);
			expect(await token.json()).toEqual({ handled: true });
			for (const path of ['/friendship/v1/status', '/v2/profile', '/__sandbox/login/consent']) {
				expect((await fetch(sandbox.url + path)).status).toBe(200);
			}
			// Not handled: falls through to the Messaging API router.
			expect((await fetch(`${sandbox.url}/v2/profile/unhandled`)).status).toBe(404);
			// Messaging API paths never reach it.
			expect((await api(sandbox, 'GET', `/v2/bot/profile/${TARO}`)).status).toBe(404);
			expect(seen).toEqual([
				'/oauth2/v2.1/token grant_type=authorization_code&code=abc',
				'/friendship/v1/status ',
				'/v2/profile ',
				'/__sandbox/login/consent ',
				'/v2/profile/unhandled ',
			]);
			const recorded = sandbox.requests.find((r) => r.path === '/oauth2/v2.1/token');
			expect(recorded).toEqual(
				expect.objectContaining({
					status: 200,
					response: { handled: true },
					body: { grant_type: 'authorization_code', code: 'abc' },
				}),
			);
		} finally {
			login.handle = original;
		}
	});

	it('the CLI asks a running sandbox to send a follow and prints the receiver status', async () => {
		const { stdout } = await run(process.execPath, [
			CLI,
			'follow',
			'--sandbox',
			sandbox.url,
			'--to',
			receiver.url,
			'--user',
			HANAKO,
			'--unblocked',
		]);
		expect(stdout.trim()).toBe('HTTP 200 OK');
		const event = receiver.lastJson().events[0];
		expect(event).toEqual(
			expect.objectContaining({
				type: 'follow',
				follow: { isUnblocked: true },
				source: { type: 'user', userId: HANAKO },
			}),
		);
	});
});
