import { validateSignature } from '@line/bot-sdk';
import { WebhookReceiver } from '../../sandbox/line/receiver';
import { LineSandbox } from '../../sandbox/line/server';
import { DEFAULT_TOOL_SETTINGS, ToolReceiver, lineSignatureValid, relayUrl, reserializeJson } from '../../sandbox/line/toolReceiver';
import { HANAKO, TARO } from '../support/lineSandbox';

describe('a LINE marketing tool receiving webhooks (toolReceiver)', () => {
	const sandbox = new LineSandbox({ webhookTimeoutMs: 600 });
	const tool = new ToolReceiver();
	const n8n = new WebhookReceiver();
	const secret = sandbox.messaging.channelSecret;

	beforeAll(async () => {
		await sandbox.start(0);
		await tool.start(0);
		await n8n.start(0);
	});
	afterAll(async () => {
		await sandbox.stop();
		await tool.stop();
		await n8n.stop();
	});
	beforeEach(async () => {
		await tool.settled();
		sandbox.reset();
		tool.reset();
		await tool.configure({ ...DEFAULT_TOOL_SETTINGS, forwardTo: undefined, sharedSecret: undefined, channelSecret: secret, delayMs: 1500 });
		n8n.received.length = 0;
		n8n.status = 200;
	});

	it('verifies LINE\'s signature and records exactly the bytes and headers it got', async () => {
		const sent = await sandbox.sendWebhook(tool.url, { type: 'message', userId: TARO, text: '絵文字も 😊 大丈夫？' });
		expect(sent.status).toBe(200);
		expect(tool.received).toHaveLength(1);
		const got = tool.received[0];
		expect(got.rawBody.equals(Buffer.from(sent.payload, 'utf8'))).toBe(true);
		expect(got.headers['x-line-signature']).toBe(sent.signature);
		expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
		expect([got.signatureValid, got.answeredStatus, got.method, got.path]).toEqual([true, 200, 'POST', '/webhook']);
		// The same verdict as LINE's own SDK.
		expect(validateSignature(got.rawBody, secret, got.headers['x-line-signature'])).toBe(true);
	});

	it('refuses a forged signature with 401 and forwards nothing', async () => {
		await tool.configure({ forwardTo: n8n.url });
		const sent = await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO }, { forgeSignature: true });
		expect(sent.status).toBe(401);
		expect(tool.received[0].signatureValid).toBe(false);
		const missing = await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO }, { signatureHeader: null });
		expect(missing.status).toBe(401);
		await tool.settled();
		expect([tool.forwards, n8n.received]).toEqual([[], []]);
		expect(lineSignatureValid(Buffer.from('{}'), undefined, secret)).toBe(false);
	});

	it('can be slow past LINE\'s timeout, down, or failing', async () => {
		await tool.configure({ mode: 'slow' });
		const slow = await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO });
		expect([slow.status, slow.failure]).toEqual([0, 'request_timeout']);
		expect(tool.received).toHaveLength(1);

		await tool.configure({ mode: 'fail' });
		expect((await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO })).status).toBe(500);
		await tool.configure({ mode: 'fail', failStatus: 503 });
		expect((await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO })).status).toBe(503);

		await tool.configure({ mode: 'down' });
		const down = await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO });
		expect([down.status, down.failure]).toEqual([0, 'could_not_connect']);
		await tool.configure({ mode: 'ok' });
		expect((await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO })).status).toBe(200);
	});

	it('forwards byte for byte with LINE\'s signature (fan-in: LINE → tool → n8n)', async () => {
		await tool.configure({ forwardTo: n8n.url });
		const sent = await sandbox.sendWebhook(tool.url, [
			{ type: 'follow', userId: TARO },
			{ type: 'message', userId: HANAKO, text: 'こんにちは' },
		]);
		await tool.settled();
		expect(n8n.received).toHaveLength(1);
		const forwarded = n8n.received[0];
		expect(forwarded.rawBody.equals(Buffer.from(sent.payload, 'utf8'))).toBe(true);
		expect(forwarded.headers['x-line-signature']).toBe(sent.signature);
		expect(forwarded.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(lineSignatureValid(forwarded.rawBody, forwarded.headers['x-line-signature'], secret)).toBe(true);
		expect(tool.forwards[0]).toMatchObject({ to: n8n.url, mode: 'bytes', status: 200 });
	});

	it('re-serialises and sends a shared secret instead, in a header or the query', async () => {
		await tool.configure({ forwardTo: n8n.url, forwardMode: 'reserialized', sharedSecret: 's3cret' });
		const sent = await sandbox.sendWebhook(tool.url, { type: 'message', userId: TARO, text: '面接の日程' });
		await tool.settled();
		const byHeader = n8n.received[0];
		expect(byHeader.rawBody.equals(Buffer.from(sent.payload))).toBe(false);
		expect(JSON.parse(byHeader.rawBody.toString('utf8'))).toEqual(JSON.parse(sent.payload));
		expect(byHeader.rawBody.toString('utf8')).toContain('\\u9762\\u63a5');
		expect(byHeader.headers['x-line-signature']).toBeUndefined();
		expect(byHeader.headers['x-relay-secret']).toBe('s3cret');

		await tool.configure({ secretIn: 'query', secretName: 'token', keepSignatureWhenReserialized: true });
		await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO });
		await tool.settled();
		const byQuery = n8n.received[1];
		expect(byQuery.path).toBe('/webhook?token=s3cret');
		// LINE's signature passed along over bytes it no longer matches.
		expect(lineSignatureValid(byQuery.rawBody, byQuery.headers['x-line-signature'], secret)).toBe(false);
		expect(reserializeJson(Buffer.from('{"a":"é"}')).toString()).toBe('{\n  "a": "\\u00e9"\n}');
	});

	it('forwards before answering LINE when asked, so a slow n8n delays the tool', async () => {
		n8n.delayMs = 300;
		try {
			await tool.configure({ forwardTo: n8n.url, forwardTiming: 'before-answer' });
			const sent = await sandbox.sendWebhook(tool.url, { type: 'follow', userId: TARO });
			expect(sent.status).toBe(200);
			expect(tool.forwards).toHaveLength(1);
			expect(sent.elapsedMs).toBeGreaterThanOrEqual(300);
		} finally {
			n8n.delayMs = 0;
		}
	});

	it('relay mode: the LINE sandbox sends every webhook through the tool to its destination', async () => {
		sandbox.relayVia = tool.base;
		const sent = await sandbox.sendWebhook(n8n.url, { type: 'follow', userId: TARO });
		await tool.settled();
		expect(sent.status).toBe(200);
		expect(tool.received[0].path).toBe(new URL(relayUrl(tool.base, n8n.url)).pathname);
		expect(n8n.received[0].rawBody.equals(Buffer.from(sent.payload))).toBe(true);
		expect(n8n.received[0].headers['x-line-signature']).toBe(sent.signature);
		expect(sandbox.sentWebhooks[0]).toMatchObject({ url: n8n.url, via: tool.base });

		// The console's Verify goes the same way; one request can also go directly.
		await sandbox.sendVerify(n8n.url);
		await tool.settled();
		expect(JSON.parse(n8n.received[1].rawBody.toString())).toEqual({ destination: sandbox.messaging.botUserId, events: [] });
		await sandbox.sendWebhook(n8n.url, { type: 'unfollow', userId: TARO }, { via: null });
		expect(tool.received).toHaveLength(2);
		expect(n8n.received).toHaveLength(3);
	});

	it('is controlled from other processes under /__tool/ and the sandbox admin API', async () => {
		const config = await fetch(`${tool.base}/__tool/config`, { method: 'POST', body: JSON.stringify({ forwardTo: n8n.url }) });
		expect(await config.json()).toMatchObject({ forwardTo: n8n.url, mode: 'ok' });
		const settings = await fetch(`${sandbox.url}/__sandbox/settings`, { method: 'POST', body: JSON.stringify({ relayVia: tool.base }) });
		expect(await settings.json()).toMatchObject({ relayVia: tool.base });
		const viaAdmin = await fetch(`${sandbox.url}/__sandbox/webhook`, {
			method: 'POST',
			body: JSON.stringify({ url: n8n.url, events: [{ type: 'follow', userId: HANAKO }] }),
		});
		expect(((await viaAdmin.json()) as { status: number }).status).toBe(200);
		await tool.settled();
		const state = (await (await fetch(`${tool.base}/__tool/state`)).json()) as {
			received: Array<{ signatureValid: boolean; rawBody: string; rawBodyBase64: string }>;
			forwards: Array<{ status: number }>;
		};
		expect(state.received).toHaveLength(1);
		expect(state.received[0].signatureValid).toBe(true);
		expect(Buffer.from(state.received[0].rawBodyBase64, 'base64').toString('utf8')).toBe(state.received[0].rawBody);
		// The relay URL's target wins over the configured forwardTo: one forward.
		expect(state.forwards.map((f) => f.status)).toEqual([200]);
		expect(n8n.received).toHaveLength(1);
		await fetch(`${tool.base}/__tool/reset`, { method: 'POST' });
		expect(tool.received).toHaveLength(0);
	});
});
