import { LineMessagingApi } from '../../credentials/LineMessagingApi.credentials';
import { computeLineSignature } from '../../core/line/signature';
import { LineTrigger } from '../../nodes/Line/LineTrigger.node';
import { createWebhookContext, type ContextOptions } from '../support/n8nContext';

const SECRET = '8c570fa6dd201bb328f1c1eac23a96d8';
const BOT = 'U8e742f61d673b39c7fff3cecb7536ef0';
const USER = 'U4af4980629b8f2f9d1b34f6b0e1a7c01';

function options(parameters: ContextOptions['parameters'] = {}, apiBaseUrl = 'http://127.0.0.1:9'): ContextOptions {
	return {
		parameters: { events: ['*'], options: {}, ...parameters },
		credentials: {
			lineMessagingApi: { channelId: '1', channelSecret: SECRET, accessToken: 'token', apiBaseUrl, dataApiBaseUrl: apiBaseUrl },
		},
		credentialTypes: { lineMessagingApi: new LineMessagingApi() },
	};
}

function event(type: string, timestamp: number, extra: Record<string, unknown> = {}) {
	return {
		type,
		timestamp,
		mode: 'active',
		webhookEventId: `01HZ${String(timestamp).padStart(22, '0')}`,
		deliveryContext: { isRedelivery: false },
		source: { type: 'user', userId: USER },
		...extra,
	};
}

async function deliver(raw: string, signature: string | null, ctxOptions = options()) {
	const rawBody = Buffer.from(raw, 'utf8');
	const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
	if (signature !== null) headers['x-line-signature'] = signature;
	const ctx = createWebhookContext(ctxOptions, { rawBody, headers });
	const result = await new LineTrigger().webhook.call(ctx);
	return { result, response: ctx.response, ctx };
}

const signed = (raw: string) => computeLineSignature(SECRET, Buffer.from(raw, 'utf8'));

describe('LINE Trigger webhook', () => {
	it('emits one item per event, oldest first, each with the destination', async () => {
		const raw = JSON.stringify({
			destination: BOT,
			events: [
				event('message', 2000, { message: { type: 'text', id: '1', text: 'こんにちは 😊 \\/', markAsReadToken: 'r1', quoteToken: 'q' } }),
				event('follow', 1000, { follow: { isUnblocked: true }, replyToken: 'rt' }),
			],
		});
		const { result } = await deliver(raw, signed(raw));
		const items = result.workflowData?.[0] ?? [];
		expect(items.map((i) => i.json.type)).toEqual(['follow', 'message']);
		expect(items[0].json).toMatchObject({ destination: BOT, follow: { isUnblocked: true } });
		expect(items[1].json).toMatchObject({ destination: BOT, message: { markAsReadToken: 'r1' } });
	});

	it('checks the signature on the exact bytes, not on a re-serialised body', async () => {
		// Same JSON value, different bytes: key order and escaped slash.
		const raw = `{"events":[${JSON.stringify(event('follow', 1))}],"destination":"${BOT}","note":"a\\/b"}`;
		const { result } = await deliver(raw, signed(raw));
		expect(result.workflowData?.[0]).toHaveLength(1);
		const reserialised = JSON.stringify(JSON.parse(raw));
		expect(reserialised).not.toBe(raw);
		const { result: forged, response } = await deliver(raw, signed(reserialised));
		expect(forged.workflowData).toBeUndefined();
		expect(response.statusCode).toBe(401);
	});

	it.each([
		['missing', null],
		['malformed', 'abc'],
		['wrong', computeLineSignature('another-secret', Buffer.from('{}'))],
	])('answers 401 and starts nothing for a %s signature', async (_, signature) => {
		const raw = JSON.stringify({ destination: BOT, events: [event('follow', 1)] });
		const { result, response } = await deliver(raw, signature);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
		expect(response.body).toEqual({ message: expect.stringContaining('Invalid LINE signature') });
	});

	it('answers the Verify request with 200 and no execution', async () => {
		const raw = `{"destination":"${BOT}","events":[]}`;
		const { result, response } = await deliver(raw, 'GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=');
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBeUndefined();
		expect(response.statusCode).toBe(200);
	});

	it.each([
		['not JSON', 'this is not json'],
		['not a LINE webhook', '{"hello":"world"}'],
	])('answers 400 for a signed body that is %s', async (_, raw) => {
		const { result, response } = await deliver(raw, signed(raw));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(400);
	});

	it('skips standby events by default and keeps them when the option is off', async () => {
		const raw = JSON.stringify({ destination: BOT, events: [event('message', 1, { mode: 'standby' }), event('follow', 2)] });
		const skipped = await deliver(raw, signed(raw));
		expect(skipped.result.workflowData?.[0].map((i) => i.json.type)).toEqual(['follow']);
		const kept = await deliver(raw, signed(raw), options({ options: { skipStandby: false } }));
		expect(kept.result.workflowData?.[0].map((i) => i.json.type)).toEqual(['message', 'follow']);
	});

	it('passes only the chosen event types, and unknown future types only with All', async () => {
		const raw = JSON.stringify({ destination: BOT, events: [event('follow', 1), event('futureThing', 2), event('unfollow', 3)] });
		const chosen = await deliver(raw, signed(raw), options({ events: ['unfollow'] }));
		expect(chosen.result.workflowData?.[0].map((i) => i.json.type)).toEqual(['unfollow']);
		const all = await deliver(raw, signed(raw));
		expect(all.result.workflowData?.[0].map((i) => i.json.type)).toEqual(['follow', 'futureThing', 'unfollow']);
		const none = await deliver(raw, signed(raw), options({ events: ['postback'] }));
		expect(none.result.workflowData).toBeUndefined();
		expect(none.response.statusCode).toBe(200);
	});

	it('refuses another destination when asked, using the bot ID stored at activation', async () => {
		const raw = JSON.stringify({ destination: 'U00000000000000000000000000000000', events: [event('follow', 1)] });
		const ctxOptions = { ...options({ options: { checkDestination: true } }), staticData: { botUserId: BOT } };
		const { result, response } = await deliver(raw, signed(raw), ctxOptions);
		expect(result.workflowData).toBeUndefined();
		expect(response.statusCode).toBe(403);
		const good = JSON.stringify({ destination: BOT, events: [event('follow', 1)] });
		const accepted = await deliver(good, signed(good), ctxOptions);
		expect(accepted.result.workflowData?.[0]).toHaveLength(1);
	});
});
